import Analysis
import Testing

// Hand-worked examples of the two figures only a simulator can compute. Every value is a sum of a few numbers with
// at most two decimals, exact or within a few ulps in binary, hence the tolerance 1e-12.
@Suite("Uplift: true-effect curve and targeting policies")
struct UpliftTruthTests {
    /// Eight users, five treated (N/N₁ = 8/5 = 1.6); users 2 and 5 tie at the top score 0.5, with user 1 (control).
    static let treated = [true, false, true, true, false, true, true, false]
    static let scores = [0.30, 0.50, 0.50, 0.10, 0.20, 0.50, 0.40, 0.05]
    static let effects: [Double?] = [1, nil, 0, -1, nil, 1, 0, nil]

    /// Treated users by score: {5 (+1), 2 (0)} tied, 6 (0), 0 (+1), 3 (−1). Cumulative effects after each group:
    /// S = 1 at j = 2, 1 at 3, 2 at 4, 1 at 5; × 1.6: points (0, 0), (3.2, 1.6), (4.8, 1.6), (6.4, 3.2), (8, 1.6).
    /// Area: 3.2·0.8 + 1.6·1.6 + 1.6·2.4 + 1.6·2.4 = 2.56 + 2.56 + 3.84 + 3.84 = 12.8.
    /// By true effect: {0, 5} (+1) at j = 2, S = 2; {2, 6} (0) at 4, S = 2; 3 (−1) at 5, S = 1: points (0, 0),
    /// (3.2, 3.2), (6.4, 3.2), (8, 1.6), area 5.12 + 10.24 + 3.84 = 19.2. Random line to (8, 1.6): area 6.4.
    /// Normalised: (12.8 − 6.4) / (19.2 − 6.4) = 0.5. Splitting the tie {5, 2} would add the point (1.6, 1.6) and
    /// raise the area to 14.08.
    @Test func trueEffectCurveMatchesHandWorkedValues() throws {
        let curve = try TrueEffectCurve(scores: Self.scores, treated: Self.treated, trueEffects: Self.effects)
        #expect(curve.users == 8 && curve.treatedUsers == 5 && curve.totalEffect == 1)
        let expected: [(Double, Double)] = [(0, 0), (3.2, 1.6), (4.8, 1.6), (6.4, 3.2), (8, 1.6)]
        #expect(curve.curve.points.count == expected.count)
        for (point, (users, value)) in zip(curve.curve.points, expected) {
            #expect(close(point.users, users) && close(point.value, value), "\(point)")
        }
        let perfect: [(Double, Double)] = [(0, 0), (3.2, 3.2), (6.4, 3.2), (8, 1.6)]
        #expect(curve.perfectCurve.points.count == perfect.count)
        for (point, (users, value)) in zip(curve.perfectCurve.points, perfect) {
            #expect(close(point.users, users) && close(point.value, value), "\(point)")
        }
        #expect(close(curve.area, 12.8) && close(curve.perfectArea, 19.2) && close(curve.randomArea, 6.4))
        #expect(close(curve.normalisedArea, 0.5))
    }

    @Test func evaluationCarriesTheTrueEffectCurve() throws {
        let outcomes = [true, false, true, false, true, true, false, false]
        let evaluation = try UpliftEvaluation(
            scores: Self.scores, treated: Self.treated, outcomes: outcomes, trueEffects: Self.effects)
        #expect(close(evaluation.trueEffect?.normalisedArea, 0.5))
    }

    @Test func trueEffectCurveNeedsEveryTreatedUsersEffect() {
        var missing = Self.effects
        missing[6] = nil
        #expect(throws: ExperimentError.self) {
            try TrueEffectCurve(scores: Self.scores, treated: Self.treated, trueEffects: missing)
        }
    }

    /// Eight treated users a…h: score, true effect, contact cost, unsubscribe probability.
    static let policyScores = [0.30, 0.50, 0.10, 0.50, 0.40, 0.20, 0.05, 0.45]
    static let policyEffects: [Double] = [1, 0, -1, 1, 0, 1, 0, -1]
    static let costs = [0.5, 0.5, 2.0, 0.5, 1.0, 1.0, 0.5, 1.0]
    static let unsubscribes = [0.02, 0.10, 0.00, 0.05, 0.20, 0.01, 0.30, 0.00]

    /// At k = 50 % (4 users) and 10 per extra outcome:
    /// - everyone: Σ effect 1, cost 7.0, unsubscribes 0.68, net 10 − 7 = 3;
    /// - model, by score d (0.5, later of the tie), b (0.5), h (0.45), e (0.40): effect 1 + 0 − 1 + 0 = 0, cost 3.0,
    ///   unsubscribes 0.35, net −3;
    /// - oracle, by effect with later users first among equals: f, d, a (+1), then g (0, over e and b): effect 3,
    ///   cost 2.5, unsubscribes 0.38, net 27.5.
    @Test func policiesAtHalfMatchHandWorkedValues() throws {
        let comparison = try TargetingComparison(
            scores: Self.policyScores, trueEffects: Self.policyEffects, costs: Self.costs,
            unsubscribes: Self.unsubscribes, share: 0.5, valuePerOutcome: 10)
        let expected: [(TargetingComparison.Policy, Int, Double, Double, Double, Double)] = [
            (comparison.everyone, 8, 1, 7.0, 0.68, 3),
            (comparison.model, 4, 0, 3.0, 0.35, -3),
            (comparison.oracle, 4, 3, 2.5, 0.38, 27.5),
        ]
        for (policy, users, effect, cost, unsubscribes, net) in expected {
            #expect(policy.users == users, "\(policy.name)")
            #expect(close(policy.incrementalOutcomes, effect), "\(policy.name)")
            #expect(close(policy.cost, cost), "\(policy.name)")
            #expect(close(policy.unsubscribes, unsubscribes), "\(policy.name)")
            #expect(close(policy.netValue, net), "\(policy.name)")
        }
        #expect(comparison.model.name == "uplift model top 50 %")
    }

    /// At k = 1/8 the single user is the tie's later member: d for the model (cost 0.5, unsubscribes 0.05), f for
    /// the oracle (cost 1.0, unsubscribes 0.01).
    @Test func topOneBreaksTiesTowardsTheLaterUser() throws {
        let comparison = try TargetingComparison(
            scores: Self.policyScores, trueEffects: Self.policyEffects, costs: Self.costs,
            unsubscribes: Self.unsubscribes, share: 0.125, valuePerOutcome: 10)
        #expect(comparison.model.users == 1 && close(comparison.model.unsubscribes, 0.05))
        #expect(close(comparison.model.cost, 0.5) && close(comparison.model.netValue, 9.5))
        #expect(comparison.oracle.users == 1 && close(comparison.oracle.unsubscribes, 0.01))
        #expect(close(comparison.oracle.netValue, 9))
    }

    @Test func rejectsBadPolicyInput() {
        #expect(throws: ExperimentError.self) {
            try TargetingComparison(
                scores: Self.policyScores, trueEffects: Self.policyEffects, costs: Self.costs,
                unsubscribes: Self.unsubscribes, share: 0, valuePerOutcome: 10)
        }
        #expect(throws: ExperimentError.self) {
            try TargetingComparison(
                scores: Self.policyScores, trueEffects: Self.policyEffects, costs: Self.costs.map { -$0 },
                unsubscribes: Self.unsubscribes, share: 0.5, valuePerOutcome: 10)
        }
    }
}
