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

    init(engine: SegmentationEngine, days: [Int], startDate: CivilDate) {
        cutoffs = days.map { ChurnPrediction.Cutoff(day: $0, date: startDate.adding(days: $0)) }
        let names = engine.compiled.segmentNames
        atRisk = Set(engine.compiled.atRiskNames.compactMap { names.firstIndex(of: $0) }.map(UInt8.init))
        engine.add(self)
    }

    func evaluationDidEnd(by engine: SegmentationEngine, usage: UsageDay) {
        guard let i = cutoffs.firstIndex(where: { $0.day == usage.day }), let memberships = engine.history.last
        else { return }
        var cutoff = cutoffs[i]
        var features = [Double](repeating: 0, count: ChurnPrediction.featureNames.count)
        engine.forEach(0..<memberships.count, metrics: ChurnPrediction.featureNames) { u, values in
            guard memberships[u] != SegmentationEngine.notSignedUp else { return }
            // Recency and tenure are bounded so a user never seen again does not dominate a fit.
            for (j, value) in values.enumerated() { features[j] = value.isFinite ? min(value, 365) : 365 }
            cutoff.append(user: u, features: features, flagged: atRisk.contains(memberships[u]))
        }
        cutoffs[i] = cutoff
    }
}
