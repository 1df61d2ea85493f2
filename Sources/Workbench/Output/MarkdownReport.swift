import Analysis
import Foundation
import Simulation

/// The short `report.md` of a run: what was simulated and how the population fared.
enum MarkdownReport {
    static func render(_ r: Results, scenario: Scenario, currency: String) -> String {
        var out: [String] = []
        let s = r.summary
        out.append("# \(r.scenario.name)")
        out.append("")
        if let d = scenario.description { out.append(d.trimmingCharacters(in: .whitespacesAndNewlines)); out.append("") }
        out.append(
            "Simulated \(r.scenario.users) users in \(r.population.accounts) accounts for \(r.scenario.days) days "
                + "from \(r.scenario.startDate) (seed \(r.scenario.seed)); sign-ups spread over the first "
                + "\(r.scenario.signupDays) days.")
        out.append("")
        out.append("## Outcome")
        out.append("")
        out.append("| measure | value |")
        out.append("|---|---:|")
        out.append("| signed up | \(s.signups) |")
        out.append("| activated (all activation milestones) | \(s.activations) (\(percent(s.activationRate))) |")
        out.append("| trials converted | \(s.conversions) of \(s.conversions + s.trialExpirations) (\(percent(s.trialConversionRate))) |")
        out.append("| churned | \(s.churned) (\(percent(s.signups == 0 ? 0 : Double(s.churned) / Double(s.signups)))) |")
        out.append("| upgrades / downgrades | \(s.upgrades) / \(s.downgrades) |")
        out.append("| paying users at the end | \(s.finalPayingUsers) |")
        out.append("| MRR at the end | \(money(s.finalMrrCents, currency)) |")
        out.append("| revenue over the run | \(money(s.totalRevenueCents, currency)) |")
        out.append("| DAU/MAU, mean of the last 28 days | \(fixed(s.stickinessLast28Days, 3)) |")
        out.append("| NPS (\(s.npsResponses) responses) | \(s.nps.map { fixed($0, 1) } ?? "–") |")
        out.append("")
        out.append("## Personas")
        out.append("")
        out.append("| persona | share | users | accounts |")
        out.append("|---|---:|---:|---:|")
        for p in r.population.personas {
            out.append("| \(p.name) | \(fixed(p.share, 3)) | \(p.users) | \(p.accounts) |")
        }
        out.append("")
        out.append("## Over time")
        out.append("")
        out.append("Latent states are the simulator's truth; the segmentation engine never sees them.")
        out.append("")
        out.append("| day | date | " + r.states.joined(separator: " | ") + " | DAU | WAU | MAU | paying | MRR |")
        out.append("|---:|---|" + String(repeating: "---:|", count: r.states.count + 5))
        for day in checkpoints(days: r.days.count) {
            let d = r.days[day]
            let states = r.states.map { String(d.usersByState[$0] ?? 0) }.joined(separator: " | ")
            out.append(
                "| \(d.day) | \(d.date) | \(states) | \(d.dau) | \(d.wau) | \(d.mau) | \(d.payingUsers) | "
                    + "\(money(d.mrrCents, currency)) |")
        }
        out.append("")
        out += segmentation(r.segmentation, withTransitions: false)
        out += analysis(r.analysis)
        if let experiment = r.experiment {
            out.append("")
            out += ExperimentReport.markdown(experiment, currency: currency)
        }
        if let replicates = r.replicates { out += ExperimentReport.replicates(replicates) }
        out.append("")
        out.append("Every day's figures and every evaluation are in `results.json`.")
        out.append("")
        return out.joined(separator: "\n")
    }

    /// Segment sizes over time and the transitions between consecutive evaluations.
    static func segmentation(_ s: SegmentationResults, withTransitions: Bool = true) -> [String] {
        var out: [String] = []
        let names = s.segments.map(\.name)
        out.append("## Segments")
        out.append("")
        out.append(
            "Evaluated every \(s.every) from observed usage only; the first matching segment wins. "
                + "Definitions are in `results.json` and `docs/segments.md`.")
        out.append("")
        guard !s.evaluations.isEmpty else {
            out.append("No evaluation fell within the run.")
            return out
        }
        out.append("| date | " + names.joined(separator: " | ") + " | not signed up |")
        out.append("|---|" + String(repeating: "---:|", count: names.count + 1))
        let step = max(1, s.evaluations.count / 12)
        var shown = Array(stride(from: 0, to: s.evaluations.count, by: step))
        if shown.last != s.evaluations.count - 1 { shown.append(s.evaluations.count - 1) }
        for i in shown {
            let e = s.evaluations[i]
            out.append("| \(e.date) | " + names.map { String(e.sizes[$0] ?? 0) }.joined(separator: " | ") + " | \(e.notSignedUp) |")
        }
        out.append("")
        if withTransitions {
            out.append("### Transitions between consecutive evaluations")
            out.append("")
            out += transitionMatrix(labels: s.transitionStates, counts: s.totalTransitions)
        }
        return out
    }

    /// Transitions, churn prediction and segment validity against the simulator's truth.
    static func analysis(_ a: AnalysisResults) -> [String] {
        var out = transitions(a.transitions, span: "run")
        let p = a.churnPrediction
        out += prediction(
            p,
            intro: "Who churns (by the simulator's truth) within \(p.horizonDays) days of a cutoff, scored on the half of the "
                + "users the logistic model was not fitted on. The oracle is the simulator's own probability: the ceiling.")
        let v = a.segmentValidity
        out.append("## Segment validity")
        out.append("")
        out.append(
            "| segment | commonest latent state | share | not churned \(v.horizonDays) days later | 95 % interval "
                + "| converted or upgraded in those days |")
        out.append("|---|---|---:|---:|---|---:|")
        for segment in v.segments {
            guard let state = v.dominantState[segment] else { continue }
            let r = v.retention[segment]
            out.append(
                "| \(segment) | \(state) | \(percent(v.precision[segment] ?? 0)) | \(r?.rate.map { percent($0) } ?? "–") | "
                    + "\(interval(r?.lower, r?.upper)) | \(r?.conversion.map { percent($0) } ?? "–") |")
        }
        return out
    }

    /// The overall transition matrix (row percentages), expected days to churned, and drift.
    static func transitions(_ t: TransitionResults, span: String) -> [String] {
        var out = ["## Segment transitions", ""]
        out += transitionMatrix(labels: t.overall.labels, counts: t.overall.counts)
        if let toChurned = t.expectedDaysTo["churned"] {
            out.append("Expected days until first reaching *churned*, from the observed chain: "
                + toChurned.sorted { $0.key < $1.key }.compactMap { key, value in value.map { "\(key) \(fixed($0, 0))" } }
                    .joined(separator: ", ") + ".")
            out.append("")
        }
        out.append(
            t.drift.isEmpty
                ? "No transition rate changed significantly between the two halves of the \(span)."
                : "\(t.drift.count) transition rates changed between the two halves of the \(span) (p < 0.001); "
                    + "see `results.json`.")
        out.append("")
        return out
    }

    /// Row percentages of a transition count table, rows nobody left out.
    static func transitionMatrix(labels: [String], counts: [[Int]]) -> [String] {
        let rows = labels.indices.filter { counts[$0].reduce(0, +) > 0 }
        guard !rows.isEmpty else { return ["No user was seen at two consecutive evaluations.", ""] }
        let columns = labels.indices.filter { j in rows.contains { counts[$0][j] > 0 } }
        var out = [
            "Share of the users in each segment (row) found in each segment (column) at the next evaluation, over "
                + "all pairs of consecutive evaluations; the last column counts the users behind each row.",
            "",
            "| from ↓ to → | " + columns.map { labels[$0] }.joined(separator: " | ") + " | users |",
            "|---|" + String(repeating: "---:|", count: columns.count + 1),
        ]
        for i in rows {
            let total = counts[i].reduce(0, +)
            let cells = columns.map { counts[i][$0] == 0 ? "·" : percent(Double(counts[i][$0]) / Double(total)) }
            out.append("| \(labels[i]) | " + cells.joined(separator: " | ") + " | \(total) |")
        }
        out.append("")
        return out
    }

    /// The metrics of each predictor at each cutoff.
    static func prediction(_ p: PredictionResults, intro: String) -> [String] {
        var out = ["## Churn prediction", ""]
        for note in p.skipped {
            out += ["No prediction at \(note).", ""]
        }
        guard !p.cutoffs.isEmpty else {
            if p.skipped.isEmpty { out += ["Too short for a cutoff with \(p.horizonDays) days after it.", ""] }
            return out
        }
        out.append(intro)
        out.append("")
        out.append("| cutoff | predictor | ROC AUC | PR AUC | Brier | precision | recall | top-decile lift |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for c in p.cutoffs {
            for q in c.predictors {
                func f(_ x: Double?) -> String { x.map { fixed($0, 3) } ?? "–" }
                out.append(
                    "| \(c.date) (\(c.testChurned) of \(c.testUsers) churn) | \(q.name) | \(f(q.rocAuc)) | "
                        + "\(f(q.averagePrecision)) | \(f(q.brierScore)) | \(f(q.precision)) | \(f(q.recall)) | "
                        + "\(f(q.topDecileLift)) |")
            }
        }
        out.append("")
        return out
    }

    static func interval(_ lower: Double?, _ upper: Double?) -> String {
        guard let lower, let upper else { return "–" }
        return "\(percent(lower)) – \(percent(upper))"
    }

    /// Day 0, then every 30 days, and the last day.
    static func checkpoints(days: Int) -> [Int] {
        guard days > 0 else { return [] }
        var list = Array(stride(from: 0, to: days, by: 30))
        if list.last != days - 1 { list.append(days - 1) }
        return list
    }

    static func percent(_ x: Double) -> String { fixed(100 * x, 1) + " %" }

    static func money(_ cents: Int, _ currency: String) -> String {
        let whole = cents / 100
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits = String(digits.dropLast(3))
        }
        return "\(digits)\(grouped) \(currency)"
    }

    /// Fixed-point formatting without locale: the same bytes everywhere.
    static func fixed(_ x: Double, _ places: Int) -> String {
        guard x.isFinite else { return String(x) }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        let negative = x < 0 && scaled > 0
        let whole = Int(scaled / scale)
        var text = String(whole)
        if places > 0 {
            var frac = String(Int(scaled - Double(whole) * scale))
            while frac.count < places { frac = "0" + frac }
            text += "." + frac
        }
        return negative ? "-" + text : text
    }
}
