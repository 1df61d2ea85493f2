/// The experiment's part of `report.md`: arms and the sample-ratio check, lift per arm with the
/// true effect beside it, survival, and what the campaigns cost.
enum ExperimentReport {
    static func markdown(_ e: ExperimentResults, currency: String) -> [String] {
        typealias M = MarkdownReport
        var out = ["## Experiment", ""]
        let arms = e.arms.map { "\($0.name) \($0.users)\($0.control ? " (control)" : "")" }
        let global = e.globalControlUsers > 0 ? "; global control \(e.globalControlUsers)" : ""
        out.append("Users per arm: " + arms.joined(separator: ", ") + global + ".")
        let srm = e.sampleRatio
        out.append(
            srm.mismatch
                ? "**Sample-ratio mismatch** (χ² p = \(srm.pValue.map { M.fixed($0, 5) } ?? "–")): the split is not what the weights say; do not trust the lifts."
                : "Split as the weights say (sample-ratio χ² p = \(srm.pValue.map { M.fixed($0, 3) } ?? "–")).")
        out.append("")
        out.append(
            "Each user enters a comparison on their index day, the first time one of the arm's policies triggers "
                + "(control users are triggered the same way, without a send); outcomes are taken \(e.outcomeDays) days "
                + "later. Intervals are 95 %; p-values are raw and Holm-corrected across all arms and metrics. The true "
                + "effect comes from the counterfactual run: the same users without any campaign.")
        out.append("")
        out.append("| arm | metric | treatment | control | lift | 95 % interval | p | p (Holm) | true effect |")
        out.append("|---|---|---:|---:|---:|---|---:|---:|---:|")
        for c in e.comparisons {
            for m in c.metrics {
                let proportion = m.kind == "proportion"
                func value(_ x: Double) -> String { proportion ? M.percent(x) : M.fixed(x, 2) }
                func diff(_ x: Double) -> String { proportion ? M.fixed(100 * x, 2) + " pp" : M.fixed(x, 2) }
                let interval = m.lower.flatMap { lo in m.upper.map { "\(diff(lo)) – \(diff($0))" } } ?? "–"
                out.append(
                    "| \(c.arm) | \(m.metric) | \(value(m.treatment.mean)) (n=\(m.treatment.users)) | "
                        + "\(value(m.control.mean)) (n=\(m.control.users)) | \(diff(m.absoluteLift)) | \(interval) | "
                        + "\(m.pValue.map { M.fixed($0, 4) } ?? "–") | \(m.pValueHolm.map { M.fixed($0, 4) } ?? "–") | "
                        + "\(diff(m.trueEffect)) |")
            }
        }
        out.append("")
        for c in e.comparisons {
            guard let s = c.survival else { continue }
            out.append(
                "Survival, \(c.arm) against \(c.control) (days until 30 days without a session): log-rank χ² = "
                    + "\(M.fixed(s.logRankChiSquare, 2)), p = \(M.fixed(s.logRankPValue, 4)).")
        }
        out.append("")
        out.append("| policy | channel | triggered | sent | delivered | opened | unsubscribed | cost |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for p in e.campaigns {
            out.append(
                "| \(p.policy) | \(p.channel) | \(p.triggered) | \(p.sends) | \(p.delivered) | \(p.opened) | "
                    + "\(p.unsubscribes) | \(M.fixed(p.cost, 2)) \(currency) |")
        }
        out.append("")
        for c in e.comparisons {
            let measured = c.costPerRetainedUser.map { M.fixed($0, 2) + " " + currency } ?? "– (no measured gain)"
            let truth = c.trueCostPerRetainedUser.map { M.fixed($0, 2) + " " + currency } ?? "– (no true gain)"
            out.append(
                "\(c.arm): campaigns cost \(M.fixed(c.cost, 2)) \(currency); per retained user gained \(measured) "
                    + "measured, \(truth) true.")
        }
        out.append("")
        return out
    }

    static func replicates(_ r: ReplicateResults) -> [String] {
        typealias M = MarkdownReport
        var out = ["## Power over \(r.count) replicates", ""]
        out.append(
            "The experiment run again with seeds \(r.seeds.first ?? 0) to \(r.seeds.last ?? 0). Power: share of "
                + "replicates with p < \(M.fixed(r.alpha, 2)); coverage: share whose 95 % interval holds that replicate's "
                + "true effect; analytic power and minimum detectable effect (80 % power) from the mean group sizes.")
        out.append("")
        out.append("| arm | metric | mean lift | sd of lift | mean true effect | power | analytic power | coverage | MDE |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for c in r.comparisons {
            for m in c.metrics {
                func pp(_ x: Double?) -> String { x.map { M.fixed(100 * $0, 2) + " pp" } ?? "–" }
                func share(_ x: Double?) -> String { x.map { M.percent($0) } ?? "–" }
                let proportion = m.minimumDetectableEffect != nil || m.metric != "revenue_per_user"
                func v(_ x: Double?) -> String { proportion ? pp(x) : (x.map { M.fixed($0, 2) } ?? "–") }
                out.append(
                    "| \(c.arm) | \(m.metric) | \(v(m.meanLift)) | \(v(m.standardDeviationOfLift)) | \(v(m.meanTrueEffect)) | "
                        + "\(share(m.power)) | \(share(m.analyticPower)) | \(share(m.coverage)) | \(pp(m.minimumDetectableEffect)) |")
            }
        }
        out.append("")
        return out
    }
}
