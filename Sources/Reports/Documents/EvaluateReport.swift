import Analysis
public import Reporting

/// The report of `segmentlab evaluate`.
public enum EvaluateReport {
    public static func document(_ r: EvaluateResults) -> ReportDocument {
        let rows = r.segmentOutcomes.sorted(by: { $0.key < $1.key }).map { segment, o in
            [
                segment, "\(o.users)", o.rate.map { Format.percent($0) } ?? "–", Format.interval(o.lower, o.upper),
                o.conversion.map { Format.percent($0) } ?? "–",
            ]
        }
        return ReportDocument(
            title: "Evaluation of \(r.source.files.joined(separator: ", ")) at \(r.cutoff)",
            subtitle:
                "Windows and segments from the days up to \(r.cutoff); outcomes from the \(r.horizonDays) days after. "
                + "Churn here means \(r.churnDefinition).",
            sections: [
                ReportSection(
                    id: "transitions", title: "Segment transitions",
                    blocks: Format.transitionBlocks(r.transitions, span: "log before the cutoff")),
                ReportSection(
                    id: "churn-prediction", title: "Churn prediction",
                    blocks: Format.predictionBlocks(
                        r.churnPrediction,
                        intro:
                            "Scored on the half of the users the models were not fitted on (split by a hash of the user). "
                            + Format.boostedTreesNote(r.churnPrediction))),
                ReportSection(
                    id: "segment-outcomes", title: "Outcomes by segment on the cutoff day",
                    blocks: [
                        .table(
                            ReportTable(
                                header: ["segment", "users", "retained", "95 % interval", "converted or upgraded"],
                                rows: rows))
                    ]),
            ])
    }
}
