import Analysis
import Foundation
import Testing

// Reference values: statsmodels 0.15.0 with NumPy 1.26.4 (Python 3.11), every number printed with repr. The
// design is the one the type builds: intercept, treatment indicator, the kept covariates centred at their mean over
// all users, and their products with the treatment indicator.

@Suite("Experiments: regression adjustment with several covariates")
struct RegressionAdjustmentTests {
    /// Active days after the index day, 16 treatment users then 14 control users.
    static let outcomes: [Double] = [
        9, 14, 3, 0, 21, 7, 12, 5, 17, 2, 11, 8, 6, 19, 4, 10,
        6, 11, 1, 0, 15, 5, 9, 3, 13, 4, 2, 7, 8, 12,
    ]
    static let treated = Array(repeating: true, count: 16) + Array(repeating: false, count: 14)
    /// active_days_28, sessions_28, their sum (collinear) and a plan flag every user shares (constant); `nil` for
    /// users with no pre-period history, three per arm.
    static let names = ["active_days_28", "sessions_28", "days_plus_sessions", "paid_plan"]
    static let covariates: [[Double]?] = [
        [6, 14, 20, 1], [10, 31, 41, 1], [2, 3, 5, 1], [0, 1, 1, 1], [15, 52, 67, 1], nil, [9, 20, 29, 1],
        [3, 9, 12, 1], [12, 40, 52, 1], nil, [8, 17, 25, 1], [5, 16, 21, 1], nil, [14, 38, 52, 1], [1, 2, 3, 1],
        [7, 25, 32, 1],
        [5, 13, 18, 1], [9, 24, 33, 1], [1, 1, 2, 1], nil, [13, 35, 48, 1], [4, 15, 19, 1], nil, [2, 7, 9, 1],
        [11, 33, 44, 1], [4, 8, 12, 1], [2, 2, 4, 1], [6, 21, 27, 1], nil, [10, 26, 36, 1],
    ]

    /// In Python, with `y`, `T` and `X` the arrays above (`None` for a user with no history):
    ///
    ///     import numpy as np, statsmodels.api as sm
    ///     y, T = np.array(y, float), np.array(T, float)
    ///     missing = np.array([x is None for x in X], float)
    ///     cov = np.array([x if x is not None else [0, 0, 0, 0] for x in X], float)
    ///     Z = np.column_stack([cov[:, 0], cov[:, 1], missing])   # the kept columns
    ///     Zc = Z - Z.mean(axis=0)
    ///     design = np.column_stack([np.ones_like(y), T, Zc, T[:, None] * Zc])
    ///     r = sm.OLS(y, design).fit(cov_type="HC2")   # and again with cov_type="HC1"
    ///     print(r.params, r.bse, r.tvalues[1], r.pvalues[1], r.conf_int(0.05)[1])
    ///     u = sm.OLS(y, np.column_stack([np.ones_like(y), T])).fit(cov_type="HC2")
    ///     print(u.params[1], u.bse[1], 1 - r.bse[1]**2 / u.bse[1]**2)   # r: the HC2 fit
    @Test func matchesStatsmodels() throws {
        let fit = try RegressionAdjustment(
            outcomes: Self.outcomes, treated: Self.treated, covariates: Self.covariates, covariateNames: Self.names)
        #expect(fit.treatmentUsers == 16 && fit.controlUsers == 14)
        #expect(fit.covariates == ["active_days_28", "sessions_28", RegressionAdjustment.noHistoryName])
        #expect(fit.droppedCovariates == ["days_plus_sessions", "paid_plan"])
        #expect(isNear(fit.covariateMeans[0], 5.3) && isNear(fit.covariateMeans[1], 15.1))
        #expect(isNear(fit.covariateMeans[2], 0.2))  // Z.mean(axis=0)

        let params = [
            7.413604535181748, 1.2855859637919105, 0.9824552100299244, 0.0699140184083924, 5.64472052826282,
            0.14002715689242895, -0.012739632286435487, -1.753096433067348,
        ]
        let hc2 = [
            0.5767946128404161, 0.6748361927361998, 0.13193251175605716, 0.04352988244774205, 2.8551138087090004,
            0.18111743219530507, 0.051150115439405855, 3.292605217178987,
        ]
        let hc1 = [
            0.5505742290487048, 0.6471678646945608, 0.12949894516257263, 0.042632374693008374, 2.722967566668577,
            0.17954675562339253, 0.050405508323959895, 3.1471663715648557,
        ]
        #expect(fit.coefficients.count == 8)
        for (j, coefficient) in fit.coefficients.enumerated() {
            #expect(isNear(coefficient.estimate, params[j]), "\(coefficient.name)")
            #expect(isNear(coefficient.hc2StandardError, hc2[j]), "\(coefficient.name)")
            #expect(isNear(coefficient.hc1StandardError, hc1[j]), "\(coefficient.name)")
        }
        #expect(fit.coefficients.map(\.name).prefix(3) == ["intercept", "treatment", "active_days_28"])
        #expect(fit.coefficients[7].name == "treatment × \(RegressionAdjustment.noHistoryName)")

        #expect(isNear(fit.difference, 1.2855859637919105))
        #expect(isNear(fit.hc2StandardError, 0.6748361927361998))
        #expect(isNear(fit.hc1StandardError, 0.6471678646945608))
        #expect(isNear(fit.zStatistic, 1.905034106987292))  // HC2 r.tvalues[1]
        #expect(isNear(fit.pValue, 0.05677563770750666))
        #expect(isNear(fit.interval?.lowerBound, -0.0370686694351714))
        #expect(isNear(fit.interval?.upperBound, 2.6082405970189924))
        #expect(isNear(fit.hc1Interval?.lowerBound, 0.017160257038880466))  // HC1 r.conf_int(0.05)[1]
        #expect(isNear(fit.hc1Interval?.upperBound, 2.5540116705449405))
        #expect(isNear(fit.unadjustedDifference, 2.392857142857144))
        #expect(isNear(fit.unadjustedStandardError, 1.9830175775105625))  // u.bse[1]: HC2 without covariates
        #expect(isNear(fit.varianceReduction, 0.8841906549486256))
    }

    /// The covariates' order decides which of a collinear set is kept: listing the sum first keeps it and drops
    /// sessions_28 instead, and the fit (the same column space) is unchanged.
    @Test func collinearSetKeepsTheFirstListed() throws {
        let reordered = Self.covariates.map { $0.map { [$0[2], $0[0], $0[1], $0[3]] } }
        let names = ["days_plus_sessions", "active_days_28", "sessions_28", "paid_plan"]
        let fit = try RegressionAdjustment(
            outcomes: Self.outcomes, treated: Self.treated, covariates: reordered, covariateNames: names)
        #expect(fit.droppedCovariates == ["sessions_28", "paid_plan"])
        #expect(isNear(fit.difference, 1.2855859637919105))
        #expect(isNear(fit.hc2StandardError, 0.6748361927361998))
        #expect(isNear(fit.hc1StandardError, 0.6471678646945608))
    }

    /// With no covariate left, τ̂ is ȳ₁ − ȳ₀ and its HC2 standard error is Welch's √(s₁²/n₁ + s₀²/n₀) exactly (the
    /// leverages are 1/nₐ, so Σe²/(1 − 1/nₐ)/nₐ² = s²/nₐ). A covariate that varies only in control cannot have a
    /// slope in treatment, so it is dropped too.
    @Test func noUsableCovariateIsWelch() throws {
        let outcomes: [Double] = [5, 9, 2, 14, 7, 3, 8, 1, 10]
        let treated = [true, true, true, true, true, false, false, false, false]
        let covariates: [[Double]?] = [[2], [2], [2], [2], [2], [1], [4], [0], [3]]
        let fit = try RegressionAdjustment(
            outcomes: outcomes, treated: treated, covariates: covariates, covariateNames: ["x"])
        #expect(fit.droppedCovariates == ["x"] && fit.covariates.isEmpty && fit.coefficients.count == 2)
        let welch = try WelchTest(treatment: [5, 9, 2, 14, 7], control: [3, 8, 1, 10])
        #expect(isNear(fit.difference, welch.difference, relative: 1e-12))
        #expect(isNear(fit.hc2StandardError, welch.standardError, relative: 1e-12))
        #expect(isNear(fit.unadjustedStandardError, welch.standardError, relative: 1e-12))
        #expect(abs(fit.varianceReduction ?? 1) < 1e-12)
    }

    /// The ExperimentMeanTests CUPED data, where the arms' covariate means differ (6.4 against 6.0) and so do their
    /// slopes (1.049 in treatment, 0.778 in control): Lin's estimate and CUPED's differ.
    ///
    ///     def lin(yt, xt, yc, xc):
    ///         y = np.array(yt + yc, float); T = np.array([1] * len(yt) + [0] * len(yc), float)
    ///         x = np.array(xt + xc, float); xcen = x - x.mean()
    ///         return sm.OLS(y, np.column_stack([np.ones_like(y), T, xcen, T * xcen])).fit(cov_type="HC2")
    ///     r = lin(yt, xt, yc, xc); print(r.params, r.bse[1])
    @Test func oneCovariateAgainstCUPEDWhenTheArmsDiffer() throws {
        let (yt, xt): ([Double], [Double]) = ([5, 9, 2, 14, 7, 11, 0, 6, 12, 8], [4, 10, 1, 12, 6, 9, 0, 7, 10, 5])
        let (yc, xc): ([Double], [Double]) = ([3, 8, 1, 10, 4, 0, 6, 9, 2], [5, 11, 0, 13, 4, 1, 8, 9, 3])
        let fit = try RegressionAdjustment(
            outcomes: yt + yc, treated: yt.map { _ in true } + yc.map { _ in false },
            covariates: (xt + xc).map { [$0] }, covariateNames: ["active_days_before"])
        #expect(isNear(fit.difference, 2.2596918325776985))
        #expect(isNear(fit.hc2StandardError, 0.5460837722794165))
        #expect(isNear(fit.coefficients[2].estimate, 0.7777777777777778))  // control slope
        #expect(isNear(fit.coefficients[3].estimate, 0.2713795255930081))  // treatment slope minus control slope
        let cuped = try CUPED(treatment: yt, treatmentCovariate: xt, control: yc, controlCovariate: xc)
        #expect(isNear(cuped.adjusted.difference, 2.2547161856578883))  // as in ExperimentMeanTests

        // Both are ȳ₁ − ȳ₀ minus a covariate correction: one pooled θ for CUPED, each arm's slope for Lin.
        let (meanX1, meanX0, meanX) = (6.4, 6.0, (64.0 + 54.0) / 19)
        let raw = cuped.unadjusted.difference
        let b0 = fit.coefficients[2].estimate
        let b1 = b0 + fit.coefficients[3].estimate
        #expect(isNear(fit.difference, raw - b1 * (meanX1 - meanX) + b0 * (meanX0 - meanX), relative: 1e-12))
        #expect(isNear(cuped.adjusted.difference, raw - cuped.theta * (meanX1 - meanX0), relative: 1e-12))
    }

    /// Equal covariate means (6 in both arms), equal slopes within the arms (1 in both) and |x − x̄ₐ| = 2 for every
    /// user: the estimates agree exactly and the HC2 variance is CUPED's with nₐ − 2 in place of nₐ − 1, the degree
    /// of freedom each arm's slope costs.
    ///
    ///     r = lin([3, 7, 5, 9, 4, 8], [4, 8, 4, 8, 4, 8], [2, 6, 3, 7], [4, 8, 4, 8])
    ///     print(r.params[1], r.bse[1])   # 1.500000000000003 0.5400617248673216
    @Test func oneCovariateAgainstCUPEDWhenTheyAgree() throws {
        let (yt, xt): ([Double], [Double]) = ([3, 7, 5, 9, 4, 8], [4, 8, 4, 8, 4, 8])
        let (yc, xc): ([Double], [Double]) = ([2, 6, 3, 7], [4, 8, 4, 8])
        let fit = try RegressionAdjustment(
            outcomes: yt + yc, treated: yt.map { _ in true } + yc.map { _ in false },
            covariates: (xt + xc).map { [$0] }, covariateNames: ["x"])
        let cuped = try CUPED(treatment: yt, treatmentCovariate: xt, control: yc, controlCovariate: xc)
        #expect(isNear(fit.difference, 1.5, relative: 1e-12) && isNear(cuped.adjusted.difference, 1.5))
        #expect(isNear(cuped.theta, 1, relative: 1e-12))
        #expect(isNear(fit.hc2StandardError, 0.5400617248673216))
        let (t, c) = (cuped.adjusted.treatment, cuped.adjusted.control)
        let shifted = t.variance * 5 / 4 / 6 + c.variance * 3 / 2 / 4
        #expect(isNear(fit.hc2StandardError * fit.hc2StandardError, shifted, relative: 1e-12))
        #expect(isNear(cuped.adjusted.standardError * cuped.adjusted.standardError, 0.21666666666666667))
    }

    /// A no-history indicator that singles out one user in an arm gives that user leverage 1: its residual is 0 and
    /// HC2 divides 0 by 0.
    @Test func leverageOneThrows() {
        let outcomes: [Double] = [4, 6, 5, 9, 2, 3, 7, 4, 6]
        let treated = [true, true, true, true, false, false, false, false, false]
        let covariates: [[Double]?] = [nil, [1], [2], [3], nil, nil, [1], [4], [2]]
        let error = #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(
                outcomes: outcomes, treated: treated, covariates: covariates, covariateNames: ["x"])
        }
        #expect(error?.description.contains("user 0 has leverage 1") == true)
    }

    /// A result survives JSON unchanged.
    @Test func codableRoundTrip() throws {
        let fit = try RegressionAdjustment(
            outcomes: Self.outcomes, treated: Self.treated, covariates: Self.covariates, covariateNames: Self.names)
        let decoded = try JSONDecoder().decode(RegressionAdjustment.self, from: JSONEncoder().encode(fit))
        #expect(decoded == fit)
    }

    @Test func invalidInputThrows() {
        let y: [Double] = [1, 2, 3, 4]
        let arms = [true, true, false, false]
        let x: [[Double]?] = [[1], [2], [3], [5]]
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(outcomes: y, treated: [true, false], covariates: x, covariateNames: ["x"])
        }
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(
                outcomes: y, treated: arms, covariates: [[1], [2, 3], [3], [5]], covariateNames: ["x"])
        }
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(outcomes: [1, .nan, 3, 4], treated: arms, covariates: x, covariateNames: ["x"])
        }
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(
                outcomes: y, treated: arms, covariates: [[1], [.infinity], [3], [5]], covariateNames: ["x"])
        }
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(
                outcomes: y, treated: [true, false, false, false], covariates: x, covariateNames: ["x"])
        }
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(outcomes: [], treated: [], covariates: [], covariateNames: [])
        }
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(
                outcomes: y, treated: arms, covariates: [[1, 1], [2, 2], [3, 3], [5, 5]], covariateNames: ["x", "x"])
        }
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(outcomes: y, treated: arms, covariates: x, covariateNames: ["x"], confidence: 0)
        }
        // Two users an arm cannot fit an intercept and a slope with a residual left.
        #expect(throws: ExperimentError.self) {
            try RegressionAdjustment(outcomes: y, treated: arms, covariates: x, covariateNames: ["x"])
        }
    }
}
