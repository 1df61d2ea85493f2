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
        var sections = [
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
        ]
        if let experiment = r.experiment { sections.append(Self.experiment(experiment)) }
        return ReportDocument(
            title: "Evaluation of \(r.source.files.joined(separator: ", ")) at \(r.cutoff)",
            subtitle:
                "Windows and segments from the days up to \(r.cutoff); outcomes from the \(r.horizonDays) days after. "
                + "Churn here means \(r.churnDefinition).",
            sections: sections)
    }

    static func experiment(_ e: LogExperimentResults) -> ReportSection {
        func rate(_ arm: LogExperimentResults.Arm) -> String {
            arm.rate.map { "\(Format.percent($0)) of \(arm.users)" } ?? "–"
        }
        let rows = e.comparisons.map { c in
            var difference = c.difference.map(Format.signedPoints) ?? "–"
            if let lower = c.lower, let upper = c.upper {
                difference += " (\(Format.signedPoints(lower)) to \(Format.signedPoints(upper)))"
            }
            return [
                "\(c.name) vs \(c.control.name)", rate(c.treatment), rate(c.control), difference,
                c.pValue.map(Format.pValue) ?? "–", "\(c.absentFromLog) / \(c.notYetObserved)",
            ]
        }
        return ReportSection(
            id: "experiment", title: "Experiment measured on the log",
            blocks: [
                .paragraph(
                    "Each user of \(e.assignments) counts as retained with a session in the 7 days ending "
                        + "\(e.outcomeDays) days after their index day, as a run measures retention_day_\(e.outcomeDays); "
                        + "users whose outcome day is past the log's end are left out (not yet observed). A user the "
                        + "log never mentions counts as not retained (absent): that is what the log says of them. The interval (95 %) and the "
                        + "p-value are Wald's, as in a run's report, so a faithful log gives the run's figures."),
                .table(
                    ReportTable(
                        header: [
                            "comparison", "treatment retained", "control retained", "difference (95 %)", "p",
                            "absent / not yet",
                        ],
                        rows: rows)),
            ])
    }
}
