import Analysis
import Foundation
public import Reporting

/// The report of a run as a ``ReportDocument``: `report.html` and `report.md` render it.
public enum RunReport {
    public static func document(_ r: RunResults) -> ReportDocument {
        let currency = r.scenario.currency
        var sections = [summary(r, currency: currency), population(r, currency: currency)]
        sections.append(segments(r.segmentation))
        sections.append(transitions(r.analysis.transitions))
        if let e = r.experiment {
            sections += ExperimentReport.sections(e, replicates: r.replicates, currency: currency)
        }
        sections.append(prediction(r.analysis.churnPrediction))
        sections.append(validity(r.analysis.segmentValidity))
        sections.append(dataQuality(r.dataQuality))
        sections.append(
            ReportSection(
                id: "scenario", title: "The scenario as run",
                blocks: [
                    .paragraph(
                        "The scenario file exactly as read; the command line set seed \(r.scenario.seed), "
                            + "\(r.scenario.users) users and \(r.scenario.days) days."),
                    .code(r.scenario.source.trimmingCharacters(in: .newlines)),
                ]))
        return ReportDocument(
            title: r.scenario.name,
            subtitle:
                "\(r.scenario.users) users, \(r.scenario.days) days from \(r.scenario.startDate), seed \(r.scenario.seed)",
            sections: sections)
    }

    static func summary(_ r: RunResults, currency: String) -> ReportSection {
        let s = r.summary
        var blocks: [ReportBlock] = []
        if let d = r.scenario.description {
            blocks.append(.paragraph(d.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        blocks.append(
            .paragraph(
                "Simulated \(r.scenario.users) users in \(r.population.accounts) accounts for \(r.scenario.days) days "
                    + "from \(r.scenario.startDate) (seed \(r.scenario.seed)); sign-ups spread over the first "
                    + "\(r.scenario.signupDays) days."))
        if let e = r.experiment { blocks += ExperimentReport.headline(e) }
        let churnShare = s.signups == 0 ? 0 : Double(s.churned) / Double(s.signups)
        blocks.append(
            .table(
                ReportTable(
                    header: ["measure", "value"],
                    rows: [
                        ["signed up", "\(s.signups)"],
                        [
                            "activated (all activation milestones)",
                            "\(s.activations) (\(Format.percent(s.activationRate)))",
                        ],
                        [
                            "trials converted",
                            "\(s.conversions) of \(s.conversions + s.trialExpirations) (\(Format.percent(s.trialConversionRate)))",
                        ],
                        ["churned", "\(s.churned) (\(Format.percent(churnShare)))"],
                        ["upgrades / downgrades", "\(s.upgrades) / \(s.downgrades)"],
                        ["paying users at the end", "\(s.finalPayingUsers)"],
                        ["MRR at the end", Format.money(s.finalMrrCents, currency)],
                        ["revenue over the run", Format.money(s.totalRevenueCents, currency)],
                        ["DAU/MAU, mean of the last 28 days", Format.fixed(s.stickinessLast28Days, 3)],
                        ["NPS (\(s.npsResponses) responses)", s.nps.map { Format.fixed($0, 1) } ?? "–"],
                    ])))
        return ReportSection(id: "summary", title: "Summary", blocks: blocks)
    }

    static func population(_ r: RunResults, currency: String) -> ReportSection {
        var blocks: [ReportBlock] = [
            .table(
                ReportTable(
                    caption: "Personas as drawn", header: ["persona", "share", "users", "accounts"],
                    rows: r.population.personas.map {
                        ["\($0.name)", Format.fixed($0.share, 3), "\($0.users)", "\($0.accounts)"]
                    })),
            .paragraph("Latent states are the simulator's truth; the segmentation engine never sees them."),
        ]
        let rows = Format.checkpoints(days: r.days.count).map { day -> [String] in
            let d = r.days[day]
            return ["\(d.day)", d.date] + r.states.map { String(d.usersByState[$0] ?? 0) }
                + ["\(d.dau)", "\(d.wau)", "\(d.mau)", "\(d.payingUsers)", Format.money(d.mrrCents, currency)]
        }
        blocks.append(
            .table(
                ReportTable(
                    caption: "Every 30 days",
                    header: ["day", "date"] + r.states + ["DAU", "WAU", "MAU", "paying", "MRR"],
                    rows: rows, numericFrom: 2)))
        return ReportSection(id: "population", title: "Population and behaviour", blocks: blocks)
    }

    static func segments(_ s: SegmentationResults) -> ReportSection {
        var blocks: [ReportBlock] = [
            .paragraph(
                "Evaluated every \(s.every) from observed usage only; the first matching segment wins. "
                    + "Definitions are in `results.json` and `docs/segments.md`.")
        ]
        guard !s.evaluations.isEmpty else {
            return ReportSection(
                id: "segments", title: "Segment sizes over time",
                blocks: blocks + [.paragraph("No evaluation fell within the run.")])
        }
        let names = s.segments.map(\.name)
        let step = max(1, s.evaluations.count / 12)
        var shown = Array(stride(from: 0, to: s.evaluations.count, by: step))
        if shown.last != s.evaluations.count - 1 { shown.append(s.evaluations.count - 1) }
        let chart = StackedAreaChart(
            id: "segment-sizes", title: "Users in each segment at each evaluation", yTitle: "users",
            labels: s.evaluations.map(\.date),
            series: names.map { name in (name, s.evaluations.map { Double($0.sizes[name] ?? 0) }) })
        blocks.append(
            .figure(
                ReportFigure(
                    name: "segment-sizes",
                    caption: "Segment sizes at every evaluation, stacked; the table shows a dozen of them.",
                    svg: chart.svg())))
        blocks.append(
            .table(
                ReportTable(
                    header: ["date"] + names + ["not signed up"],
                    rows: shown.map { i in
                        let e = s.evaluations[i]
                        return [e.date] + names.map { String(e.sizes[$0] ?? 0) } + ["\(e.notSignedUp)"]
                    })))
        return ReportSection(id: "segments", title: "Segment sizes over time", blocks: blocks)
    }

    static func transitions(_ t: TransitionResults) -> ReportSection {
        var blocks = Format.transitionBlocks(t, span: "run")
        if let figure = Format.transitionHeatMap(t.overall) { blocks.insert(.figure(figure), at: 0) }
        return ReportSection(id: "transitions", title: "Segment transitions", blocks: blocks)
    }

    static func prediction(_ p: PredictionResults) -> ReportSection {
        ReportSection(
            id: "churn-prediction", title: "Churn prediction",
            blocks: Format.predictionFigures(p)
                + Format.predictionBlocks(
                    p,
                    intro:
                        "Who churns (by the simulator's truth) within \(p.horizonDays) days of a cutoff, scored on the half "
                        + "of the users the models were not fitted on. " + oracleText(p) + " "
                        + Format.boostedTreesNote(p)))
    }

    /// What the oracle is, its Monte Carlo error, and each observed-data model's gap to it.
    static func oracleText(_ p: PredictionResults) -> String {
        guard let oracle = p.oracle else { return "The oracle is the simulator's own probability: the ceiling." }
        var text =
            "The oracle is the simulator's own probability, the ceiling for any predictor of observed usage: each "
            + "scored user's \(p.horizonDays) days after the cutoff simulated forward \(oracle.replicas) times from their "
            + "true state on the cutoff day (latent state, habit, billing and the campaign effects already given) with "
            + "the run's model; messages that segments would trigger after the cutoff are not simulated."
        for e in oracle.standardErrors {
            text +=
                " At \(e.date) its mean probability is \(Format.percent(e.meanProbability)) against "
                + "\(Format.percent(e.churnedShare)) churned, and its Monte Carlo standard error "
                + "\(Format.fixed(e.rootMeanSquare, 4)) (root mean square; largest \(Format.fixed(e.largest, 3)))."
        }
        let gaps = p.cutoffs.flatMap { c in
            // The comparisons of the oracle with each model, named as churn prediction names it.
            c.comparisons.filter { $0.first == "oracle (simulator truth)" }.map { (c.date, $0) }
        }
        if !gaps.isEmpty {
            text +=
                " Gap to the oracle (oracle ROC AUC − model ROC AUC, DeLong 95 % interval): "
                + gaps.map { date, x in
                    let d = x.test.difference
                    return "\(x.second) \(Format.fixed(d.estimate, 3)) (\(Format.fixed(d.lower, 3)) to "
                        + "\(Format.fixed(d.upper, 3))) at \(date)"
                }.joined(separator: "; ") + "."
        }
        return text
    }

    static func validity(_ v: ValidityResults) -> ReportSection {
        let rows = v.segments.compactMap { segment -> [String]? in
            guard let state = v.dominantState[segment] else { return nil }
            let r = v.retention[segment]
            return [
                segment, state, Format.percent(v.precision[segment] ?? 0),
                Format.interval(v.precisionLower[segment], v.precisionUpper[segment]),
                r?.rate.map { Format.percent($0) } ?? "–", Format.interval(r?.lower, r?.upper),
                r?.conversion.map { Format.percent($0) } ?? "–",
            ]
        }
        return ReportSection(
            id: "segment-validity", title: "Segment validity",
            blocks: [
                .paragraph(
                    "What each segment really holds (its commonest latent state and that state's share of its user-weeks), "
                        + "and what became of its users \(v.horizonDays) days later. A user counts at every evaluation, "
                        + "so the 95 % intervals are clustered by user."),
                .table(
                    ReportTable(
                        header: [
                            "segment", "commonest latent state", "share", "95 % interval",
                            "not churned \(v.horizonDays) days later", "95 % interval", "converted or upgraded",
                        ], rows: rows, numericFrom: 2)),
            ])
    }

    static func dataQuality(_ q: RunResults.DataQualityInfo) -> ReportSection {
        ReportSection(
            id: "data-quality", title: "Data-quality faults",
            blocks: [
                .paragraph(
                    "Applied to the exported event log only (`segmentlab simulate`); the run above and its segments are "
                        + "computed from exact usage."),
                .table(
                    ReportTable(
                        header: ["fault", "setting"],
                        rows: [
                            ["lost events", Format.percent(q.lostEvents)],
                            ["users with a duplicate identity", Format.percent(q.duplicateUserShare)],
                            ["their events under the duplicate", Format.percent(q.duplicateEventShare)],
                            ["late events", Format.percent(q.lateEventProbability)],
                            ["median delay of a late event", Format.fixed(q.lateDelayMedianHours, 1) + " h"],
                        ])),
            ])
    }
}
