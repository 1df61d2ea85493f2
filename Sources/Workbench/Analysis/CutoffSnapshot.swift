import Analysis
import Segmentation
import UsageModel

/// Observed features and segments of every signed-up user on chosen cutoff days, taken from the
/// segmentation engine right after its evaluation of that day (an evaluation observer, added to the
/// engine when made).
final class CutoffSnapshot: EvaluationObserver {
    private(set) var cutoffs: [ChurnPrediction.Cutoff]
    /// Segment codes of the at-risk rule.
    private let atRisk: Set<UInt8>
    /// The engine metrics read per user: ``ChurnPrediction/windowMetricNames``, then the adoption of each
    /// of the product's features (0 never, 1 tried, 2 habitual), then whether each milestone is reached.
    private let metricNames: [String]
    private let productFeatures: Int
    private let milestones: Int

    init(engine: SegmentationEngine, days: [Int], startDate: CivilDate) {
        cutoffs = days.map { ChurnPrediction.Cutoff(day: $0, date: startDate.adding(days: $0)) }
        let names = engine.compiled.segmentNames
        atRisk = Set(engine.compiled.atRiskNames.compactMap { names.firstIndex(of: $0) }.map(UInt8.init))
        let vocabulary = engine.compiled.vocabulary
        productFeatures = vocabulary.features.count
        milestones = vocabulary.milestones.count
        metricNames =
            ChurnPrediction.windowMetricNames + vocabulary.features.map { "feature.\($0)" }
            + vocabulary.milestones.map { "milestone.\($0)" }
        engine.add(self)
    }

    func evaluationDidEnd(by engine: SegmentationEngine, usage: UsageDay) {
        guard let i = cutoffs.firstIndex(where: { $0.day == usage.day }), let memberships = engine.history.last
        else { return }
        var cutoff = cutoffs[i]
        let names = ChurnPrediction.featureNames
        let capped = names.map { ChurnPrediction.cappedFeatureNames.contains($0) }
        let window = ChurnPrediction.windowMetricNames.count
        let index = { (name: String) in ChurnPrediction.windowMetricNames.firstIndex(of: name)! }
        let (keys28, sessions28, sinceKey, active28) = (
            index("key_actions_28"), index("sessions_28"), index("days_since_key_action"), index("active_days_28")
        )
        let accountUsers = signedUpUsersByAccount(engine.directory, memberships: memberships)
        var features = [Double](repeating: 0, count: names.count)
        engine.forEach(0..<memberships.count, metrics: metricNames) { u, values in
            guard memberships[u] != SegmentationEngine.notSignedUp else { return }
            for j in 0..<window { features[j] = values[j] }
            features[window] = values[sessions28] > 0 ? values[keys28] / values[sessions28] : 0
            var habitual = 0.0
            for f in 0..<productFeatures where values[window + f] == 2 { habitual += 1 }
            features[window + 1] = habitual
            var reached = 0.0
            for m in 0..<milestones where values[window + productFeatures + m] == 1 { reached += 1 }
            features[window + 2] = reached
            features[window + 3] = values[sinceKey] * (values[active28] + 1) / 28
            features[window + 4] = accountUsers(u)
            // Recency and tenure are capped; a metric the data cannot give (NaN) is 0.
            for j in features.indices where capped[j] || !features[j].isFinite {
                features[j] = features[j].isNaN ? 0 : min(features[j], 365)
            }
            cutoff.append(user: u, features: features, flagged: atRisk.contains(memberships[u]))
        }
        cutoffs[i] = cutoff
    }

    /// The users of each user's account signed up on the evaluated day (1 without a directory).
    private func signedUpUsersByAccount(_ directory: PopulationDirectory?, memberships: Column<UInt8>)
        -> (Int) -> Double
    {
        guard let directory, directory.accountCount > 0 else { return { _ in 1 } }
        var seats = [Int32](repeating: 0, count: directory.accountCount)
        for u in 0..<memberships.count where memberships[u] != SegmentationEngine.notSignedUp {
            let a = Int(directory.account[u])
            if seats.indices.contains(a) { seats[a] += 1 }
        }
        return { u in
            let a = Int(directory.account[u])
            return seats.indices.contains(a) ? Double(seats[a]) : 1
        }
    }
}
