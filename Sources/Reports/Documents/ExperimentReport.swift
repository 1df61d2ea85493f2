import Analysis
import Reporting

/// The experiment's sections of the run report: lift per arm with the true effect beside it,
/// survival, power over replicates, and what the campaigns cost.
enum ExperimentReport {
    typealias F = Format

    /// The first arm's retention lift in one sentence, for the summary.
    static func headline(_ e: ExperimentResults) -> [ReportBlock] {
        var blocks: [ReportBlock] = []
        if e.sampleRatio.mismatch {
            blocks.append(
                .warning(
                    "Sample-ratio mismatch (p = \(e.sampleRatio.pValue.map { F.fixed($0, 5) } ?? "–")): the arms' sizes are "
                        + "not what the weights say; do not trust the lifts."))
        }
        for c in e.comparisons {
            guard let m = c.metrics.first else { continue }
            let significant = (m.pValue ?? 1) < 0.05
            let interval = m.lower.flatMap { lo in m.upper.map { "\(pp(lo)) to \(pp($0))" } } ?? "no interval"
            blocks.append(
                .paragraph(
                    "**\(c.arm)** against \(c.control): \(m.metric) \(pp(m.absoluteLift, signed: true)) "
                        + "(95 % interval \(interval), p = \(m.pValue.map { F.fixed($0, 3) } ?? "–")) — "
                        + (significant ? "a significant gain" : "not distinguishable from no effect")
                        + "; the true effect was \(pp(m.trueEffect, signed: true))."))
        }
        return blocks
    }

    static func sections(_ e: ExperimentResults, replicates: ReplicateResults?, currency: String) -> [ReportSection] {
        var out = [lift(e), survival(e)]
        out.append(replicates.map(power) ?? analyticPower(e))
        out.append(campaigns(e, currency: currency))
        return out
    }

    static func pp(_ x: Double, signed: Bool = false) -> String {
        (signed && x > 0 ? "+" : "") + F.fixed(100 * x, 2) + " pp"
    }

    static func lift(_ e: ExperimentResults) -> ReportSection {
        var blocks: [ReportBlock] = []
        let arms = e.arms.map { "\($0.name) \($0.users)\($0.control ? " (control)" : "")" }
        let global = e.globalControlUsers > 0 ? "; global control \(e.globalControlUsers)" : ""
        blocks.append(.paragraph("Users per arm: " + arms.joined(separator: ", ") + global + "."))
        let srm = e.sampleRatio
        if srm.mismatch {
            blocks.append(
                .warning(
                    "Sample-ratio mismatch (χ² p = \(srm.pValue.map { F.fixed($0, 5) } ?? "–")): do not trust the lifts."
                ))
        } else {
            blocks.append(
                .paragraph(
                    "Split as the weights say (sample-ratio χ² p = \(srm.pValue.map { F.fixed($0, 3) } ?? "–"))."))
        }
        blocks.append(
            .paragraph(
                "Each user enters a comparison on their index day, the first time one of the arm's policies triggers "
                    + "(control users are triggered the same way, without a send); outcomes are taken \(e.outcomeDays) days "
                    + "later. Intervals are 95 % (Newcombe for proportions, Welch for means); p-values are raw and "
                    + "Holm-corrected across all arms and metrics. The true effect comes from the counterfactual run: the "
                    + "same users without any campaign."))
        var rows: [[String]] = []
        for c in e.comparisons {
            for m in c.metrics {
                let proportion = m.kind == "proportion"
                func value(_ x: Double) -> String { proportion ? F.percent(x) : F.fixed(x, 2) }
                func diff(_ x: Double) -> String { proportion ? pp(x) : F.fixed(x, 2) }
                let interval = m.lower.flatMap { lo in m.upper.map { "\(diff(lo)) – \(diff($0))" } } ?? "–"
                rows.append([
                    c.arm, m.metric, "\(value(m.treatment.mean)) (n=\(m.treatment.users))",
                    "\(value(m.control.mean)) (n=\(m.control.users))", diff(m.absoluteLift),
                    m.relativeLift.map { F.percent($0) } ?? "–", interval, m.pValue.map { F.fixed($0, 4) } ?? "–",
                    m.pValueHolm.map { F.fixed($0, 4) } ?? "–", diff(m.trueEffect),
                ])
            }
        }
        let forest = IntervalChart(
            id: "lift", title: "Lift against the control, with the true effect",
            xTitle: "lift, percentage points",
            rows: e.comparisons.flatMap { c in
                c.metrics.filter { $0.kind == "proportion" && ($0.treatment.mean > 0 || $0.control.mean > 0) }.map {
                    m in
                    IntervalChart.Row(
                        label: "\(c.arm): \(m.metric)", estimate: 100 * m.absoluteLift, lower: m.lower.map { 100 * $0 },
                        upper: m.upper.map { 100 * $0 }, truth: 100 * m.trueEffect)
                }
            })
        blocks.append(
            .figure(
                ReportFigure(
                    name: "lift",
                    caption: "Measured lift (dot, 95 % interval) and true effect (diamond) per arm and metric.",
                    svg: forest.svg())))
        blocks.append(
            .table(
                ReportTable(
                    header: [
                        "arm", "metric", "treatment", "control", "lift", "relative", "95 % interval", "p", "p (Holm)",
                        "true effect",
                    ], rows: rows, numericFrom: 2)))
        return ReportSection(id: "lift", title: "Lift against the control", blocks: blocks)
    }

    static func survival(_ e: ExperimentResults) -> ReportSection {
        var rows: [[String]] = []
        var notes: [ReportBlock] = []
        for c in e.comparisons {
            guard let s = c.survival else { continue }
            // Beyond the longest follow-up the curve says nothing: a 20-day run has no day-30 retention.
            func at(_ curve: [ExperimentResults.CurvePoint], _ followUp: Double, _ day: Double) -> String {
                day > followUp ? "–" : F.percent(curve.last { $0.day <= day }?.survival ?? 1)
            }
            rows.append([
                c.arm, at(s.treatment, s.treatmentFollowUpDays, 30), at(s.control, s.controlFollowUpDays, 30),
                at(s.treatment, s.treatmentFollowUpDays, 90), at(s.control, s.controlFollowUpDays, 90),
                s.logRankChiSquare.map { F.fixed($0, 2) } ?? "–",
                s.logRankPValue.map { F.fixed($0, 4) } ?? "not computable",
            ])
            if let reason = s.logRankNotComputable {
                notes.append(.warning("Log-rank test for \(c.arm) not computable on this run: \(reason)."))
            }
        }
        var figures: [ReportBlock] = []
        for (k, c) in e.comparisons.enumerated() {
            guard let s = c.survival else { continue }
            // Each curve starts at 1 on day 0 and, as Kaplan–Meier plots do, runs flat from its last
            // event to the end of follow-up.
            func series(_ name: String, _ curve: [ExperimentResults.CurvePoint], _ followUp: Double) -> LineChart.Series
            {
                var points = [(day: 0.0, survival: 1.0, lower: 1.0, upper: 1.0)]
                points += curve.map { ($0.day, $0.survival, $0.lower ?? $0.survival, $0.upper ?? $0.survival) }
                if let last = points.last, followUp > last.day {
                    points.append((followUp, last.survival, last.lower, last.upper))
                }
                return LineChart.Series(
                    name: name, points: points.map { (x: $0.day, y: $0.survival) },
                    band: points.map { (lower: $0.lower, upper: $0.upper) })
            }
            var chart = LineChart(
                id: "survival-\(k)", title: "Retention from the index day: \(c.arm) and \(c.control)",
                xTitle: "days since the index day", yTitle: "not yet 30 days without a session",
                series: [
                    series(c.arm, s.treatment, s.treatmentFollowUpDays),
                    series(c.control, s.control, s.controlFollowUpDays),
                ])
            chart.step = true
            chart.yPercent = true
            figures.append(
                .figure(
                    ReportFigure(
                        name: "survival-\(k)",
                        caption: "Kaplan–Meier curves with 95 % bands (log-log), \(c.arm) against \(c.control).",
                        svg: chart.svg())))
        }
        return ReportSection(
            id: "survival", title: "Retention curves",
            blocks: figures + [
                .paragraph(
                    "Kaplan–Meier estimates of the share of users who have not yet gone 30 days without a session, from "
                        + "the index day; the log-rank test compares each arm with the control."),
                .table(
                    ReportTable(
                        header: [
                            "arm", "arm, day 30", "control, day 30", "arm, day 90", "control, day 90", "log-rank χ²",
                            "p",
                        ],
                        rows: rows)),
            ] + notes)
    }

    /// Without replicates: the analytic power of each proportion's test for its true effect, and
    /// the minimum detectable effect at this size.
    static func analyticPower(_ e: ExperimentResults) -> ReportSection {
        var rows: [[String]] = []
        for c in e.comparisons {
            for m in c.metrics where m.minimumDetectableEffect != nil {
                rows.append([
                    c.arm, m.metric, pp(m.trueEffect), m.powerForTrueEffect.map { F.percent($0) } ?? "–",
                    m.minimumDetectableEffect.map { pp($0) } ?? "–",
                ])
            }
        }
        return ReportSection(
            id: "power", title: "Power",
            blocks: [
                .paragraph(
                    "How likely an experiment of this size is to detect each true effect (two-sided pooled z test at "
                        + "α = 0.05, normal approximation), and the smallest lift it detects with 80 % power. Run with "
                        + "`--replicates K` to check both against K repetitions of the experiment."),
                .table(
                    ReportTable(
                        header: ["arm", "metric", "true effect", "power for it", "minimum detectable effect (80 %)"],
                        rows: rows, numericFrom: 2)),
            ])
    }

    static func power(_ r: ReplicateResults) -> ReportSection {
        var rows: [[String]] = []
        for c in r.comparisons {
            for m in c.metrics {
                func share(_ x: Double?) -> String { x.map { F.percent($0) } ?? "–" }
                let proportion = m.metric != "revenue_per_user"
                func v(_ x: Double?) -> String { x.map { proportion ? pp($0) : F.fixed($0, 2) } ?? "–" }
                rows.append([
                    c.arm, m.metric, v(m.meanLift), v(m.standardDeviationOfLift), v(m.meanTrueEffect), share(m.power),
                    share(m.analyticPower), share(m.coverage), m.minimumDetectableEffect.map { pp($0) } ?? "–",
                ])
            }
        }
        return ReportSection(
            id: "power", title: "Power over \(r.count) replicates",
            blocks: [
                .paragraph(
                    "The experiment run again with seeds \(r.seeds.first ?? 0) to \(r.seeds.last ?? 0). Power: share of "
                        + "replicates with p < \(F.fixed(r.alpha, 2)); coverage: share whose 95 % interval holds that "
                        + "replicate's true effect; analytic power and minimum detectable effect (80 % power) from the mean "
                        + "group sizes."),
                .table(
                    ReportTable(
                        header: [
                            "arm", "metric", "mean lift", "sd of lift", "mean true effect", "power", "analytic power",
                            "coverage", "MDE",
                        ], rows: rows, numericFrom: 2)),
            ])
    }

    static func campaigns(_ e: ExperimentResults, currency: String) -> ReportSection {
        let rows = e.campaigns.map { p in
            [
                p.policy, p.channel, "\(p.triggered)", "\(p.sends)", "\(p.delivered)", "\(p.opened)",
                "\(p.unsubscribes)",
                "\(F.fixed(p.cost, 2)) \(currency)",
            ]
        }
        var blocks: [ReportBlock] = [
            .table(
                ReportTable(
                    header: ["policy", "channel", "triggered", "sent", "delivered", "opened", "unsubscribed", "cost"],
                    rows: rows, numericFrom: 2))
        ]
        for c in e.comparisons {
            let measured = c.costPerRetainedUser.map { F.fixed($0, 2) + " " + currency } ?? "– (no measured gain)"
            let truth = c.trueCostPerRetainedUser.map { F.fixed($0, 2) + " " + currency } ?? "– (no true gain)"
            blocks.append(
                .paragraph(
                    "\(c.arm): campaigns cost \(F.fixed(c.cost, 2)) \(currency); per retained user gained \(measured) "
                        + "measured, \(truth) true."))
        }
        return ReportSection(id: "campaigns", title: "Campaign cost", blocks: blocks)
    }
}
