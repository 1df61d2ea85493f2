public import Reporting

/// The report of `segmentlab segment`.
public enum ImportReport {
    public static func document(_ r: ImportResults) -> ReportDocument {
        let s = r.import
        var rows: [[String]] = [
            ["lines read", "\(s.linesRead)"], ["events", "\(s.records)"], ["used", "\(s.eventsUsed)"],
        ]
        for (reason, count) in s.skipped.sorted(by: { $0.key < $1.key }) where count > 0 {
            rows.append(["skipped: \(reason)", "\(count)"])
        }
        if s.reattributedThroughAliases > 0 {
            rows.append(["re-attributed through aliases", "\(s.reattributedThroughAliases)"])
        }
        var read: [ReportBlock] = [.table(ReportTable(header: ["", "lines"], rows: rows))]
        if !s.firstMalformedLines.isEmpty {
            read.append(.paragraph("First malformed lines:"))
            read.append(.code(s.firstMalformedLines.joined(separator: "\n")))
        }
        return ReportDocument(
            title: "Segments of \(r.source.files.joined(separator: ", "))",
            subtitle: "\(s.users) users in \(s.accounts) accounts, \(s.days) days from \(s.startDate ?? "–") to "
                + "\(s.endDate ?? "–"); taxonomy \(r.source.taxonomy)",
            sections: [
                ReportSection(id: "read", title: "What was read", blocks: read),
                RunReport.segments(r.segmentation),
                ReportSection(
                    id: "transitions", title: "Segment transitions",
                    blocks: Format.transitionMatrix(
                        labels: r.segmentation.transitionStates, counts: r.segmentation.totalTransitions)),
            ])
    }
}
