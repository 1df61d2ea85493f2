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
        for u in 0..<memberships.count where memberships[u] != SegmentationEngine.notSignedUp {
            cutoff.append(
                user: u,
                features: ChurnPrediction.featureNames.map { name in
                    let value = engine.metric(name, user: u) ?? .nan
                    // Recency and tenure are bounded so a user never seen again does not dominate a fit.
                    return value.isFinite ? min(value, 365) : 365
                }, flagged: atRisk.contains(memberships[u]))
        }
        cutoffs[i] = cutoff
    }
}
