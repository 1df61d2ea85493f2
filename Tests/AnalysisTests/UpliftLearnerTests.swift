import Analysis
import Testing

// Reference values: statsmodels 0.15.0 and NumPy 2.4.6 (Python 3.11), every number printed with repr. The data
// were drawn once with `numpy.random.default_rng(7)` and are pasted here; the reference fits are
//
//     import numpy as np, statsmodels.api as sm
//     X, T, Y = np.array(X, float), np.array(T), np.array(Y)
//     def logit(rows):   # unpenalised maximum likelihood, without the constant third column
//         return sm.Logit(Y[rows].astype(float), sm.add_constant(X[rows][:, :2])).fit(
//             disp=0, method="newton", tol=1e-12, maxiter=100)
//     m1, m0 = logit(T), logit(~T)
//     mu = lambda m, R: m.predict(sm.add_constant(R[:, :2], has_constant="add"))
//     D1 = Y[T] - mu(m0, X[T]);  D0 = mu(m1, X[~T]) - Y[~T]
//     b1 = np.linalg.lstsq(np.column_stack([np.ones(T.sum()), X[T][:, :2]]), D1, rcond=None)[0]
//     b0 = np.linalg.lstsq(np.column_stack([np.ones((~T).sum()), X[~T][:, :2]]), D0, rcond=None)[0]
//     g = T.mean()                                  # 2/3
//     # at the rows `new`: mu1, mu0, t1 = [1, x] @ b1, t0 = [1, x] @ b0,
//     # T-learner mu1 - mu0, X-learner g * t0 + (1 - g) * t1
//
// Tolerance 1e-8: both sides compute the same unique maximum-likelihood and least-squares fits, ours by Newton
// steps until the decrement is below 1e-10 (quadratic convergence leaves the coefficients far closer than that)
// and statsmodels to a parameter change below 1e-12; here they agree to better than 1e-11. A wrong model
// (arms swapped, the constant column kept, the X-learner's weights exchanged) moves the scores by more than 1e-3.
@Suite("Uplift: T-learner and X-learner")
struct UpliftLearnerTests {
    static let names = ["active_days_28", "sessions_7", "paid_plan"]
    /// Two usage features and a plan flag every user shares, which each arm's models must drop.
    static let features: [[Double]] = [
        [14, 8, 1], [9, 6, 1], [10, 1, 1], [13, 7, 1], [8, 3, 1], [11, 3, 1], [12, 12, 1], [3, 6, 1], [0, 7, 1],
        [4, 7, 1], [4, 1, 1], [13, 7, 1], [13, 23, 1], [0, 2, 1], [7, 10, 1], [12, 11, 1], [1, 11, 1], [11, 4, 1],
        [1, 5, 1], [7, 2, 1], [12, 6, 1], [4, 15, 1], [5, 3, 1], [4, 1, 1], [10, 6, 1], [3, 11, 1], [14, 5, 1],
        [6, 18, 1], [7, 5, 1], [7, 6, 1], [8, 2, 1], [8, 5, 1], [7, 11, 1], [14, 11, 1], [12, 14, 1], [11, 10, 1],
        [10, 9, 1], [9, 1, 1], [5, 3, 1], [14, 26, 1], [6, 4, 1], [3, 10, 1], [12, 6, 1], [2, 10, 1], [12, 6, 1],
        [9, 3, 1], [1, 3, 1], [0, 8, 1],
    ]
    /// Users 0, 3, 6, … are control, the others treated: g = 32/48.
    static let treated = (0..<48).map { $0 % 3 != 0 }
    static let outcomes = [
        true, true, false, true, true, true, true, true, false, false, true, true, false, true, false, true, true,
        false, false, true, true, false, true, false, true, true, true, false, true, false, false, false, true, false,
        true, true, true, true, true, true, false, true, true, true, true, false, true, false,
    ]
    static let new: [[Double]] = [[0, 0, 1], [3, 12, 1], [7, 5, 1], [14, 2, 1], [10, 20, 1]]

    static let mu1 = [0.514844106481778, 0.776886973396668, 0.7173615167147984, 0.7581171840100726, 0.914317190138031]
    static let mu0 = [
        0.005103788835689543, 0.00970735243662358, 0.176148002426851, 0.9506951816302973, 0.23423123875612728,
    ]
    static let t1 = [
        0.6940872812224695, 0.7507457371040982, 0.386177945923406, -0.07481396294882744, 0.5002423668949731,
    ]
    static let t0 = [
        0.7679293846361515, 0.8196340315169501, 0.381548724119136, -0.18118840129256206, 0.4993870453354406,
    ]
    static let tLearner = [
        0.5097403176460885, 0.7671796209600444, 0.5412135142879474, -0.19257799762022476, 0.6800859513819038,
    ]
    static let xLearner = [
        0.7433153501649241, 0.7966712667126662, 0.3830917980538927, -0.14573025517798385, 0.4996721525219514,
    ]

    @Test func tLearnerMatchesStatsmodels() throws {
        let model = try UpliftLearner.tLearner(
            features: Self.features, treated: Self.treated, outcomes: Self.outcomes, names: Self.names)
        #expect(model.kind == .tLearner)
        #expect(model.treatedUsers == 32 && model.controlUsers == 16)
        #expect(model.droppedTreatedFeatures == ["paid_plan"] && model.droppedControlFeatures == ["paid_plan"])
        for (i, row) in Self.new.enumerated() {
            #expect(close(model.treatedOutcomeProbability(row), Self.mu1[i], tolerance: 1e-8), "row \(i)")
            #expect(close(model.controlOutcomeProbability(row), Self.mu0[i], tolerance: 1e-8), "row \(i)")
            #expect(close(model.uplift(row), Self.tLearner[i], tolerance: 1e-8), "row \(i)")
            #expect(model.treatedEffect(row) == nil && model.controlEffect(row) == nil)
        }
    }

    @Test func xLearnerMatchesStatsmodelsAndNumPy() throws {
        let model = try UpliftLearner.xLearner(
            features: Self.features, treated: Self.treated, outcomes: Self.outcomes, names: Self.names)
        #expect(model.kind == .xLearner)
        #expect(close(model.propensity, 2.0 / 3, tolerance: 1e-15))
        for (i, row) in Self.new.enumerated() {
            #expect(close(model.treatedEffect(row), Self.t1[i], tolerance: 1e-8), "row \(i)")
            #expect(close(model.controlEffect(row), Self.t0[i], tolerance: 1e-8), "row \(i)")
            #expect(close(model.uplift(row), Self.xLearner[i], tolerance: 1e-8), "row \(i)")
        }
    }

    @Test func rejectsAnArmWithOneOutcomeAndRaggedInput() {
        let allRetained = Self.outcomes.indices.map { Self.treated[$0] ? Self.outcomes[$0] : true }
        #expect(throws: ExperimentError.self) {
            try UpliftLearner.tLearner(features: Self.features, treated: Self.treated, outcomes: allRetained)
        }
        #expect(throws: ExperimentError.self) {
            try UpliftLearner.xLearner(
                features: Self.features, treated: Self.treated, outcomes: Array(Self.outcomes.dropLast()))
        }
    }
}
