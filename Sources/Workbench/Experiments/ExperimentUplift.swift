import Analysis
import Simulation
import Stats

extension InterventionSpec {
    /// Shares of the treated users the top-k targeting policies contact.
    static let targetingShares = [0.1, 0.2, 0.3, 0.5]
    /// Each arm of each half needs this many users for the uplift models.
    static let upliftMinimumUsers = 50

    /// The names of the observable features an uplift model reads at the index day.
    static func upliftFeatureNames(_ context: ExperimentContext) -> [String] {
        ["active_days_28", "sessions_per_day", "revenue_to_date", "tenure_days"]
            + context.features.map { "feature.\($0) used" }
            + context.segments.dropFirst().map { "segment \($0)" }
            + context.plans.dropFirst().map { "plan \($0)" }
    }

    /// One user's features at the index day: their activity before it, what they paid, their tenure, the
    /// features they had used, and indicators of their segment and plan (the first of each is the baseline).
    static func upliftFeatures(_ e: ExperimentEntry, _ context: ExperimentContext) -> [Double] {
        let tenure = Double(e.tenureAtIndex)
        var x = [
            Double(e.activeDaysBefore), Double(e.sessionsAtIndex) / (tenure + 1),
            ComparisonSamples.money(e.revenueAtIndex), tenure,
        ]
        for f in context.features.indices { x.append(e.featuresAtIndex & (1 << UInt32(f)) != 0 ? 1 : 0) }
        for s in context.segments.indices.dropFirst() { x.append(Int(e.segmentAtIndex) == s ? 1 : 0) }
        for p in context.plans.indices.dropFirst() { x.append(Int(e.planAtIndex) == p ? 1 : 0) }
        return x
    }

    /// T- and X-learners fitted on the comparison's observed users of one hashed half and scored on the other,
    /// on the primary metric when it is a proportion, else retention; `nil` when either arm of either half has
    /// fewer than ``upliftMinimumUsers`` users or the outcome does not vary.
    func uplift(_ pairs: [ExperimentPieces.Pair], context: ExperimentContext) throws -> UpliftResults? {
        let names = metricNames
        let m = names[primaryMetric.index].1 ? primaryMetric.index : ExperimentMetric.retention.index
        var fit = (x: [[Double]](), treated: [Bool](), y: [Bool]())
        var score = (
            x: [[Double]](), treated: [Bool](), y: [Bool](), truth: [Double?](), cost: [Double](), lost: [Double]()
        )
        for pair in pairs where pair.treated.observed {
            let e = pair.treated
            let x = Self.upliftFeatures(e, context)
            let y = ComparisonSamples.values(e)[m] == 1
            // The churn model's split uses the other stream index (0); this one is independent of it.
            if StreamKey.derive(context.seed, .predictionSplit, UInt64(e.user), 1) & 1 == 0 {
                fit.x.append(x)
                fit.treated.append(pair.inTreatmentArm)
                fit.y.append(y)
            } else {
                score.x.append(x)
                score.treated.append(pair.inTreatmentArm)
                score.y.append(y)
                let twin = ComparisonSamples.values(pair.twin ?? e)[m]
                score.truth.append(pair.inTreatmentArm ? (y ? 1 : 0) - twin : nil)
                score.cost.append(Double(e.costCents) / 100)
                score.lost.append(Double(e.unsubscribes))
            }
        }
        let least = Self.upliftMinimumUsers
        for (treated, y) in [(fit.treated, fit.y), (score.treated, score.y)] {
            let t = treated.count { $0 }
            guard t >= least, treated.count - t >= least, y.contains(true), y.contains(false) else { return nil }
        }
        let featureNames = Self.upliftFeatureNames(context)
        var learners: [UpliftResults.Learner] = []
        for kind in [UpliftLearner.Kind.tLearner, .xLearner] {
            // A light ridge keeps the fit finite when a small segment's outcomes are all alike.
            let learner: UpliftLearner
            do {
                learner =
                    kind == .tLearner
                    ? try .tLearner(
                        features: fit.x, treated: fit.treated, outcomes: fit.y, names: featureNames, ridge: 1)
                    : try .xLearner(
                        features: fit.x, treated: fit.treated, outcomes: fit.y, names: featureNames, ridge: 1)
            } catch ExperimentError.insufficientData {
                return nil
            }
            let scores = score.x.map(learner.uplift)
            let evaluation = try UpliftEvaluation(
                scores: scores, treated: score.treated, outcomes: score.y, trueEffects: score.truth,
                shares: Self.targetingShares)
            let treatedRows = score.treated.indices.filter { score.treated[$0] }
            let targeting = try Self.targetingShares.map { k in
                try TargetingComparison(
                    scores: treatedRows.map { scores[$0] }, trueEffects: treatedRows.map { score.truth[$0]! },
                    costs: treatedRows.map { score.cost[$0] }, unsubscribes: treatedRows.map { score.lost[$0] },
                    share: k, valuePerOutcome: valuePerRetainedUser)
            }
            let dropped = Set(learner.droppedTreatedFeatures + learner.droppedControlFeatures)
            learners.append(
                UpliftResults.Learner(
                    kind: kind, droppedFeatures: featureNames.filter(dropped.contains), evaluation: evaluation,
                    targeting: targeting))
        }
        return UpliftResults(
            metric: names[m].0, features: featureNames, fittingUsers: fit.x.count, scoringUsers: score.x.count,
            valuePerOutcome: valuePerRetainedUser, learners: learners)
    }
}
