import EventImport
import Foundation
import Reporting
import Segmentation
import UsageModel

/// Streams `memberships.csv`: one row per signed-up user and evaluation.
///
/// Columns `user_id,account_id,date,segment,tags`, tags joined by `;`. Rows are formatted into a
/// reusable buffer and written in large chunks, so millions of users cost no per-row allocation.
final class MembershipsWriter {
    private let handle: FileHandle
    private let path: String
    private let userIDs: [[UInt8]]
    private let accountIDs: [[UInt8]]
    private let account: Column<Int32>
    private let segments: [[UInt8]]
    private let tags: [[UInt8]]
    private var buffer: [UInt8] = []

    init(path: String, population: ImportedPopulation, account: Column<Int32>, segments: [String], tags: [String])
        throws
    {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw RunError.failed("cannot create \(path)") }
        self.handle = handle
        self.path = path
        userIDs = population.userIDs.map { CSV.field($0) }
        accountIDs = population.accountIDs.map { CSV.field($0) }
        self.account = account
        self.segments = (segments + ["unmatched"]).map { CSV.field($0) }
        self.tags = tags.map { Array($0.utf8) }
        buffer.reserveCapacity(1 << 20)
        buffer += Array("user_id,account_id,date,segment,tags\n".utf8)
    }

    func write(date: CivilDate, segments membership: Column<UInt8>, tags bits: Column<UInt32>) throws {
        let day = Array(date.description.utf8)
        for u in 0..<membership.count {
            let code = membership[u]
            guard code != SegmentationEngine.notSignedUp else { continue }
            buffer += userIDs[u]
            buffer.append(0x2C)
            buffer += accountIDs[Int(account[u])]
            buffer.append(0x2C)
            buffer += day
            buffer.append(0x2C)
            buffer += segments[Int(code)]
            buffer.append(0x2C)
            let t = bits[u]
            var first = true
            for (i, name) in tags.enumerated() where t & (1 << UInt32(i)) != 0 {
                if !first { buffer.append(0x3B) }
                buffer += name
                first = false
            }
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 { try flush() }
        }
    }

    func close() throws {
        try flush()
        try handle.close()
    }

    private func flush() throws {
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw RunError.failed("cannot write \(path): \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

enum CSV {
    /// A field as RFC 4180 wants it: quoted, with quotes doubled, when it holds a comma, quote or line break.
    ///
    /// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
    /// formula, so such a cell gets a leading `'` (OWASP, "CSV Injection"), unless it is a plain number;
    /// so does a cell that already starts with `'`. Reading a cell back is therefore exact: drop one
    /// leading `'` if there is one (docs/results-schema.md).
    static func field(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        if let first = bytes.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x27].contains(first),
            first == 0x27 || !isPlainNumber(bytes)
        {
            return Array(CSVText.field("'" + text).utf8)
        }
        return Array(CSVText.field(text).utf8)
    }

    /// Digits with a sign, point and exponent, as `-12.5` or `1e-3`: a number to a spreadsheet, not a formula.
    static func isPlainNumber(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { (0x30...0x39).contains($0) || [0x2B, 0x2D, 0x2E, 0x45, 0x65].contains($0) }
            && Double(String(decoding: bytes, as: UTF8.self)) != nil
    }

    static func row(_ fields: [String]) -> String {
        fields.map { String(decoding: field($0), as: UTF8.self) }.joined(separator: ",") + "\n"
    }
}

/// `segments.csv`: the size of every segment at every evaluation, long format.
enum SegmentSizesCSV {
    static func render(_ s: SegmentationResults) -> String {
        var out = "date,segment,users\n"
        for e in s.evaluations {
            for name in s.segments.map(\.name) + ["unmatched"] {
                let users = name == "unmatched" ? e.unmatched : (e.sizes[name] ?? 0)
                out += CSV.row([e.date, name, String(users)])
            }
        }
        return out
    }
}

/// `results.json` of `segmentlab segment`: what was read, what was skipped and why, and the segments.
struct ImportResults: Encodable {
    let schemaVersion = Results.schemaVersion
    let source: Source
    let `import`: Summary
    let segmentation: SegmentationResults

    struct Source: Encodable {
        let files: [String]
        let taxonomy: String
    }

    struct Summary: Encodable {
        let linesRead: Int
        let bytesRead: Int
        let records: Int
        let eventsUsed: Int
        let skipped: [String: Int]
        let malformedKinds: [String: Int]
        let firstMalformedLines: [String]
        let reattributedThroughAliases: Int
        let unknownEvents: [String: Int]
        let users: Int
        let accounts: Int
        let startDate: String?
        let endDate: String?
        let days: Int
    }

    init(files: [String], taxonomy: String, summary s: ImportSummary, segmentation: SegmentationResults) {
        source = Source(files: files, taxonomy: taxonomy)
        var skipped: [String: Int] = [:]
        for reason in ImportSummary.SkipReason.allCases { skipped[reason.label] = s.skipped(reason) }
        var unknown: [String: Int] = [:]
        for entry in s.unknownEvents { unknown[entry.name] = entry.count }
        self.import = Summary(
            linesRead: s.linesRead, bytesRead: s.bytesRead, records: s.records, eventsUsed: s.eventsUsed,
            skipped: skipped, malformedKinds: s.malformedKinds,
            firstMalformedLines: s.firstMalformed.map(\.description),
            reattributedThroughAliases: s.reattributed, unknownEvents: unknown, users: s.users, accounts: s.accounts,
            startDate: s.startDate?.description, endDate: s.endDate?.description, days: s.days)
        self.segmentation = segmentation
    }
}

/// The report of `segmentlab segment`.
enum ImportReport {
    static func document(_ r: ImportResults) -> ReportDocument {
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
