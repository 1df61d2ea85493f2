import Segmentation
import UsageModel

/// Observed features and segments of every signed-up user on chosen cutoff days, taken from the
/// segmentation engine right after its evaluation of that day (an evaluation observer, added to the
/// engine when made).
final class CutoffSnapshot: EvaluationObserver {
    /// The usage-window metrics a churn model may use: observed behaviour only.
    static let featureNames = [
        "days_since_key_action", "days_since_session", "sessions_28", "key_actions_7", "key_actions_28",
        "active_days_7", "active_days_28", "active_days_last_week", "engagement_score", "tenure_days", "activated",
    ]

    struct Cutoff {
        let day: Int
        /// Signed-up users on the day, their features (in `featureNames` order) and segment code.
        var users: [Int] = []
        var features: [[Double]] = []
        var segments: [UInt8] = []
    }

    private(set) var cutoffs: [Cutoff]

    init(engine: SegmentationEngine, days: [Int]) {
        cutoffs = days.map { Cutoff(day: $0) }
        engine.add(self)
    }

    func evaluationDidEnd(by engine: SegmentationEngine, usage: UsageDay) {
        guard let i = cutoffs.firstIndex(where: { $0.day == usage.day }), let memberships = engine.history.last
        else { return }
        var cutoff = cutoffs[i]
        for u in 0..<memberships.count where memberships[u] != SegmentationEngine.notSignedUp {
            cutoff.users.append(u)
            cutoff.segments.append(memberships[u])
            cutoff.features.append(
                Self.featureNames.map { name in
                    let value = engine.metric(name, user: u) ?? .nan
                    // Recency and tenure are bounded so a user never seen again does not dominate a fit.
                    return value.isFinite ? min(value, 365) : 365
                })
        }
        cutoffs[i] = cutoff
    }
}
