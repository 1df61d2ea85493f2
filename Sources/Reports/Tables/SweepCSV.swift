import UsageModel

/// `sweep.csv`: one row per grid point and treatment arm, the varied settings as columns named by their paths,
/// then the figures of ``SweepResults/Arm`` and whether the setting is on each frontier.
public enum SweepCSV {
    public static func render(_ s: SweepResults) -> String {
        let figures = [
            "arm", "control", "measured_lift", "measured_lower", "measured_upper", "replicates_mean_lift",
            "replicates_lower", "replicates_upper", "true_effect", "true_lower", "true_upper", "treated_indexed",
            "incremental_measured", "incremental_measured_lower", "incremental_measured_upper", "incremental_true",
            "incremental_true_lower", "incremental_true_upper", "cost", "sends", "unsubscribes",
            "cost_per_incremental_measured", "cost_per_incremental_true",
        ]
        let frontierColumns = s.frontiers.map { "frontier_\($0.x)_\($0.figures)" }
        var out = CSVText.spreadsheetRow(["point"] + s.varied.map(\.path) + figures + frontierColumns)
        func f(_ x: Double?) -> String { x.map { Format.fixed($0, 6) } ?? "" }
        for p in s.points {
            for a in p.arms {
                let ref = SweepResults.SettingRef(point: p.index, arm: a.arm)
                let over = a.measuredOverReplicates
                let row: [String] =
                    [String(p.index)] + p.settings.map(\.value) + [
                        a.arm, a.control, f(a.measured.value), f(a.measured.lower), f(a.measured.upper),
                        f(over?.value), f(over?.lower), f(over?.upper), f(a.trueEffect.value), f(a.trueEffect.lower),
                        f(a.trueEffect.upper), f(a.treatedIndexed), f(a.incrementalMeasured.value),
                        f(a.incrementalMeasured.lower), f(a.incrementalMeasured.upper), f(a.incrementalTrue.value),
                        f(a.incrementalTrue.lower), f(a.incrementalTrue.upper), f(a.cost), f(a.sends),
                        f(a.unsubscribes), f(a.costPerIncrementalMeasured), f(a.costPerIncrementalTrue),
                    ] + s.frontiers.map { $0.settings.contains(ref) ? "yes" : "no" }
                out += CSVText.spreadsheetRow(row)
            }
        }
        return out
    }
}
