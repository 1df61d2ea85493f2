import Analysis
import Foundation
public import Reporting

/// The comparison of two runs as a ``ReportDocument``: `compare.html` and `compare.md` render it.
public enum CompareReport {
    typealias F = Format

    public static func document(_ c: CompareResults) -> ReportDocument {
        ReportDocument(
            title: c.a.scenario == c.b.scenario
                ? "Comparison: two runs of \(c.a.scenario)" : "Comparison: \(c.a.scenario) and \(c.b.scenario)",
            subtitle: "A: \(c.a.input) (seed \(c.a.seed)) · B: \(c.b.input) (seed \(c.b.seed)) · differences are B − A",
            sections: [runs(c), outcomes(c), segments(c), experiment(c), campaigns(c)])
    }

    static let onlyA = "only in A"
    static let onlyB = "only in B"

    /// The text for a side a part is missing from.
    static func missing(_ presence: CompareResults.Presence) -> String { presence == .onlyA ? onlyA : onlyB }

    static func signed(_ x: Double, _ places: Int) -> String { (x > 0 ? "+" : "") + F.fixed(x, places) }

    static func signedMoney(_ cents: Double, _ currency: String) -> String {
        let whole = Int(cents.rounded())
        return (whole > 0 ? "+" : whole < 0 ? "-" : "") + F.money(abs(whole), currency)
    }

    // MARK: - The runs

    static func runs(_ c: CompareResults) -> ReportSection {
        let (a, b) = (c.a, c.b)
        func row(_ label: String, _ x: String, _ y: String) -> [String] { [label, x, y, x == y ? "same" : "differs"] }
        var blocks: [ReportBlock] = [
            .table(
                ReportTable(
                    header: ["", "run A", "run B", ""],
                    rows: [
                        ["read from", a.input, b.input, ""],
                        row("scenario", a.scenario, b.scenario),
                        row("seed", "\(a.seed)", "\(b.seed)"),
                        row("users", "\(a.users)", "\(b.users)"),
                        row("accounts", "\(a.accounts)", "\(b.accounts)"),
                        row("days", "\(a.days)", "\(b.days)"),
                        row("start date", a.startDate, b.startDate),
                        row("sign-up days", "\(a.signupDays)", "\(b.signupDays)"),
                        row("currency", a.currency, b.currency),
                        row("experiment arms", CompareResults.list(a.arms), CompareResults.list(b.arms)),
                        row("policies", CompareResults.list(a.policies), CompareResults.list(b.policies)),
                    ], numericFrom: 4))
        ]
        let descriptions = [a, b].map { $0.description?.trimmingCharacters(in: .whitespacesAndNewlines) }
        if descriptions[0] == descriptions[1], a.scenario == b.scenario {
            blocks.append(.paragraph("**Both runs** (\(a.scenario)): \(descriptions[0] ?? "no description.")"))
        } else {
            for (label, run, text) in [("A", a, descriptions[0]), ("B", b, descriptions[1])] {
                blocks.append(.paragraph("**Run \(label)** (\(run.scenario)): \(text ?? "no description.")"))
            }
        }
        let settings = c.differences.filter { $0.setting != "scenario file" }.map(\.setting)
        if c.differences.isEmpty {
            blocks.append(
                .paragraph(
                    "Both runs have the same scenario file, seed, size and settings: their results should be identical, "
                        + "and every difference below zero."))
        } else {
            var text =
                "The runs differ in " + (settings.isEmpty ? "no setting above" : settings.joined(separator: ", "))
            if let source = c.differences.first(where: { $0.setting == "scenario file" }) {
                text += "; the scenario files differ (A \(source.a), B \(source.b))"
            } else {
                text += "; the scenario files are the same text"
            }
            text += "."
            if settings == ["seed"] {
                text +=
                    " With another seed alone, differences are sampling noise: the intervals below say how much of it "
                    + "to expect."
            }
            if c.a.currency != c.b.currency {
                text += " The currencies differ, so money is not subtracted."
            }
            blocks.append(.paragraph(text))
        }
        return ReportSection(id: "runs", title: "The two runs", blocks: blocks)
    }

    // MARK: - Outcomes

    static let measureLabels: [String: String] = [
        "signups": "signed up", "activations": "activated", "activation_rate": "activation rate",
        "churned": "churned", "conversions": "trials converted", "trial_expirations": "trials expired",
        "trial_conversion_rate": "trial conversion rate", "upgrades": "upgrades", "downgrades": "downgrades",
        "final_paying_users": "paying users at the end", "final_mrr_cents": "MRR at the end",
        "total_revenue_cents": "revenue over the run", "sessions": "sessions", "key_actions": "key actions",
        "nps_responses": "NPS responses", "nps": "NPS", "stickiness_last28_days": "DAU/MAU, mean of the last 28 days",
    ]

    static func outcomes(_ c: CompareResults) -> ReportSection {
        let rows = c.summary.map { m -> [String] in
            func value(_ x: Double?, currency: String) -> String {
                guard let x else { return "–" }
                switch m.unit {
                case "rate": return F.percent(x)
                case "cents": return F.money(Int(x.rounded()), currency)
                case "score": return F.fixed(x, 1)
                default: return F.fixed(x, 0)
                }
            }
            var difference = "–"
            if let d = m.difference {
                switch m.unit {
                case "rate": difference = F.signedPoints(d)
                case "cents": difference = signedMoney(d, c.a.currency)
                case "score": difference = signed(d, 1)
                default: difference = signed(d, 0)
                }
            }
            return [
                measureLabels[m.measure] ?? m.measure, value(m.a, currency: c.a.currency),
                value(m.b, currency: c.b.currency), difference,
            ]
        }
        return ReportSection(
            id: "outcomes", title: "Outcomes",
            blocks: [
                .paragraph(
                    "The run summary of each `results.json`; rates differ in percentage points (pp). Counts grow with "
                        + "the number of users and days, so compare rates when the runs differ in size."),
                .table(ReportTable(header: ["measure", "run A", "run B", "B − A"], rows: rows)),
            ])
    }

    // MARK: - Segments

    static func segments(_ c: CompareResults) -> ReportSection {
        let s = c.segments
        var blocks: [ReportBlock] = [
            .paragraph(
                "Users in each segment at each run's last evaluation (A: \(s.lastEvaluationA ?? "none"), "
                    + "B: \(s.lastEvaluationB ?? "none")).")
        ]
        blocks.append(
            .table(
                ReportTable(
                    header: ["segment", "run A", "run B", "B − A"],
                    rows: s.final.map { x in
                        [
                            x.segment, x.a.map(String.init) ?? onlyB, x.b.map(String.init) ?? onlyA,
                            x.difference.map { signed(Double($0), 0) } ?? "–",
                        ]
                    })))
        let onlyInA = s.final.filter { $0.presence == .onlyA }.map(\.segment)
        let onlyInB = s.final.filter { $0.presence == .onlyB }.map(\.segment)
        if !onlyInA.isEmpty || !onlyInB.isEmpty {
            var parts: [String] = []
            if !onlyInA.isEmpty { parts.append("only run A has " + onlyInA.joined(separator: ", ")) }
            if !onlyInB.isEmpty { parts.append("only run B has " + onlyInB.joined(separator: ", ")) }
            blocks.append(.paragraph("The segment definitions differ: " + parts.joined(separator: "; ") + "."))
        }
        let redefined = s.final.filter { $0.sameRule == false }.map(\.segment)
        if !redefined.isEmpty {
            blocks.append(
                .warning(
                    "Defined by another rule in each run, so their sizes measure different things: "
                        + redefined.joined(separator: ", ") + "."))
        }
        if !s.overTime.isEmpty {
            let chart = PairedLineChart(
                id: "compare-segments", title: "Users in each segment both runs have, at every evaluation",
                xTitle: "day of the run", yTitle: "users",
                pairs: s.overTime.map { series in
                    PairedLineChart.Pair(
                        name: series.segment,
                        first: series.points.compactMap { p in p.a.map { (x: Double(p.day), y: Double($0)) } },
                        second: series.points.compactMap { p in p.b.map { (x: Double(p.day), y: Double($0)) } })
                })
            blocks.append(
                .figure(
                    ReportFigure(
                        name: "segments",
                        caption: "Segment sizes over time: run A solid, run B dashed, one colour per segment.",
                        svg: chart.svg())))
        }
        return ReportSection(id: "segments", title: "Segment sizes", blocks: blocks)
    }

    // MARK: - Experiment

    static func experiment(_ c: CompareResults) -> ReportSection {
        let e = c.experiment
        switch e.presence {
        case "neither":
            return ReportSection(
                id: "lift", title: "Experiment lifts",
                blocks: [.paragraph("Neither run has an experiment (no `interventions` in either scenario).")])
        case CompareResults.Presence.onlyA.rawValue, CompareResults.Presence.onlyB.rawValue:
            let (has, lacks) = e.presence == CompareResults.Presence.onlyA.rawValue ? ("A", "B") : ("B", "A")
            var blocks: [ReportBlock] = [
                .paragraph(
                    "Only run \(has) has an experiment; run \(lacks) has no interventions, so there are no lifts to "
                        + "set against each other. Run \(has)'s lifts:")
            ]
            blocks += liftTables(e)
            return ReportSection(id: "lift", title: "Experiment lifts", blocks: blocks)
        default:
            break
        }
        var blocks: [ReportBlock] = [
            .paragraph(
                "Each arm's lift against its control, per metric, as each run measured it (95 % intervals; "
                    + "proportions in percentage points, means in their own unit), and the difference B − A. **Assumption:** the two runs are independent samples — other seeds or other "
                    + "users — so the variances add: SE(B − A) = √(SE_A² + SE_B²), and the interval of the difference "
                    + "is B − A ± 1.96 SE (normal). Each SE is the one behind the run's own interval (Wald for "
                    + "proportions, Welch for means). Comparing a run with itself breaks the assumption: the difference "
                    + "is then exactly 0 and its interval too wide. The true effects come from each run's "
                    + "counterfactual.")
        ]
        var notes: [String] = []
        if e.outcomeDaysA != e.outcomeDaysB {
            notes.append(
                "outcomes are taken \(e.outcomeDaysA.map(String.init) ?? "–") days after the index day in A and "
                    + "\(e.outcomeDaysB.map(String.init) ?? "–") in B")
        }
        if e.primaryMetricA != e.primaryMetricB {
            notes.append(
                "the primary metric is \(e.primaryMetricA ?? "–") in A and \(e.primaryMetricB ?? "–") in B")
        }
        if !notes.isEmpty {
            blocks.append(.warning("The experiments are set up differently: " + notes.joined(separator: "; ") + "."))
        }
        let drawn = e.comparisons.flatMap { p in
            p.metrics.compactMap { m -> IntervalChart.Row? in
                guard m.kind == "proportion", let d = m.difference else { return nil }
                return IntervalChart.Row(
                    label: "\(p.arm): \(m.metric)", estimate: 100 * d.estimate, lower: d.lower.map { 100 * $0 },
                    upper: d.upper.map { 100 * $0 }, truth: m.trueEffectDifference.map { 100 * $0 })
            }
        }
        if !drawn.isEmpty {
            let chart = IntervalChart(
                id: "compare-lift", title: "Difference of lifts, B − A, with the difference of true effects",
                xTitle: "difference of lifts, percentage points", rows: drawn)
            blocks.append(
                .figure(
                    ReportFigure(
                        name: "lift-difference",
                        caption:
                            "B's lift minus A's (dot, 95 % interval under independence) and B's true effect minus A's "
                            + "(diamond), per arm and proportion metric.",
                        svg: chart.svg())))
        }
        blocks += liftTables(e)
        return ReportSection(id: "lift", title: "Experiment lifts", blocks: blocks)
    }

    /// `lower to upper`, or a dash without an interval.
    static func interval(_ lower: Double?, _ upper: Double?, _ f: (Double) -> String) -> String {
        lower.flatMap { lo in upper.map { "\(f(lo)) to \(f($0))" } } ?? "no interval"
    }

    /// Two tables, narrow enough for a page: the measured lifts with the difference, then the true effects.
    static func liftTables(_ e: CompareResults.Experiment) -> [ReportBlock] {
        var measured: [[String]] = []
        var truths: [[String]] = []
        for p in e.comparisons {
            let comparison = "\(p.arm) vs \(p.control)" + (p.presence == .both ? "" : " (\(missing(p.presence)))")
            for m in p.metrics {
                // Units go with the metric's name, so the cells stay narrow: percentage points or the mean's own.
                let proportion = m.kind == "proportion"
                let metric = m.metric + (proportion ? ", pp" : "")
                func diff(_ x: Double) -> String { signed(proportion ? 100 * x : x, 2) }
                func plain(_ x: Double) -> String { F.fixed(proportion ? 100 * x : x, 2) }
                func side(_ s: CompareResults.LiftSide?) -> String {
                    guard let s else { return missing(m.presence) }
                    return diff(s.lift) + " (" + interval(s.lower, s.upper, plain) + ")"
                }
                let difference = m.difference.map { d in
                    diff(d.estimate) + " (" + interval(d.lower, d.upper, plain) + ")"
                }
                measured.append([
                    comparison, metric, side(m.a), side(m.b), difference ?? "–",
                    m.difference?.pValue.map { F.fixed($0, 4) } ?? "–",
                ])
                truths.append([
                    comparison, metric, m.a.map { diff($0.trueEffect) } ?? missing(m.presence),
                    m.b.map { diff($0.trueEffect) } ?? missing(m.presence), m.trueEffectDifference.map(diff) ?? "–",
                    m.difference.map { diff($0.estimate) } ?? "–",
                ])
            }
        }
        return [
            .table(
                ReportTable(
                    caption: "Measured lifts and their difference",
                    header: ["comparison", "metric", "run A (95 % CI)", "run B (95 % CI)", "B − A (95 % CI)", "p"],
                    rows: measured, numericFrom: 2)),
            .table(
                ReportTable(
                    caption: "True effects (each run's counterfactual) beside the measured difference",
                    header: ["comparison", "metric", "run A", "run B", "B − A", "B − A measured"],
                    rows: truths, numericFrom: 2)),
        ]
    }

    // MARK: - Campaigns

    static func campaigns(_ c: CompareResults) -> ReportSection {
        let k = c.campaigns
        guard k.totalA != nil || k.totalB != nil else {
            return ReportSection(
                id: "campaigns", title: "Campaigns",
                blocks: [.paragraph("Neither run sends campaigns.")])
        }
        func money(_ x: Double, _ currency: String) -> String { F.fixed(x, 2) + " " + currency }
        func signedCost(_ x: Double?) -> String { x.map { signed($0, 2) + " " + c.a.currency } ?? "–" }
        func cells(
            _ x: CompareResults.CampaignNumbers?, _ y: CompareResults.CampaignNumbers?,
            _ d: CompareResults.CampaignDifference?, absent: (String, String)
        ) -> [String] {
            [
                x.map { "\($0.sends)" } ?? absent.0, y.map { "\($0.sends)" } ?? absent.1,
                d.map { signed(Double($0.sends), 0) } ?? "–",
                x.map { "\($0.unsubscribes)" } ?? absent.0, y.map { "\($0.unsubscribes)" } ?? absent.1,
                d.map { signed(Double($0.unsubscribes), 0) } ?? "–",
                x.map { money($0.cost, c.a.currency) } ?? absent.0, y.map { money($0.cost, c.b.currency) } ?? absent.1,
                signedCost(d?.cost),
            ]
        }
        var rows = k.policies.map { p in
            let channel =
                p.channelA == p.channelB || p.channelB == nil
                ? p.channelA ?? p.channelB ?? "–" : p.channelA.map { "\($0) / \(p.channelB!)" } ?? p.channelB!
            return [p.policy, channel] + cells(p.a, p.b, p.difference, absent: (onlyB, onlyA))
        }
        rows.append(
            ["total", ""] + cells(k.totalA, k.totalB, k.totalDifference, absent: ("no campaigns", "no campaigns")))
        var blocks: [ReportBlock] = []
        if k.totalA == nil || k.totalB == nil {
            blocks.append(.paragraph("Only run \(k.totalA == nil ? "B" : "A") sends campaigns."))
        }
        blocks.append(
            .table(
                ReportTable(
                    caption: "Sends, unsubscribes and cost per policy; the last row sums each run's policies.",
                    header: [
                        "policy", "channel", "sent A", "sent B", "B − A", "unsubscribed A", "unsubscribed B", "B − A",
                        "cost A", "cost B", "B − A",
                    ], rows: rows, numericFrom: 2)))
        return ReportSection(id: "campaigns", title: "Campaigns", blocks: blocks)
    }
}
