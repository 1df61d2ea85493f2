import Stats
import Testing

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#endif

/// mtcars (R `datasets`, from Henderson & Velleman 1981): transmission `am` (1 = manual), gross horsepower `hp`
/// and weight `wt` (1000 lb) for the 32 cars in R's row order.
private let mtcars: [(am: Bool, hp: Double, wt: Double)] = [
    (true, 110, 2.620), (true, 110, 2.875), (true, 93, 2.320), (false, 110, 3.215),  // Mazda RX4 … Hornet 4 Drive
    (false, 175, 3.440), (false, 105, 3.460), (false, 245, 3.570), (false, 62, 3.190),  // … Merc 240D
    (false, 95, 3.150), (false, 123, 3.440), (false, 123, 3.440), (false, 180, 4.070),  // Merc 230 … 450SE
    (false, 180, 3.730), (false, 180, 3.780), (false, 205, 5.250), (false, 215, 5.424),  // … Lincoln Continental
    (false, 230, 5.345), (true, 66, 2.200), (true, 52, 1.615), (true, 65, 1.835),  // Chrysler Imperial … Corolla
    (false, 97, 2.465), (false, 150, 3.520), (false, 150, 3.435), (false, 245, 3.840),  // Toyota Corona … Camaro
    (false, 175, 3.845), (true, 66, 1.935), (true, 91, 2.140), (true, 113, 1.513),  // Firebird … Lotus Europa
    (true, 264, 3.170), (true, 175, 2.770), (true, 335, 3.570), (true, 109, 2.780),  // Pantera … Volvo 142E
]

@Suite("Logistic regression by IRLS through GSL Cholesky")
struct LogisticRegressionTests {
    /// R: `summary(glm(am ~ hp + wt, data = mtcars, family = binomial))` prints estimates 18.86630, 0.03626,
    /// −8.08348, standard errors 7.44356, 0.01773, 3.06868 and residual deviance 10.059 on 29 df (a standard
    /// textbook and tutorial example). The full-precision values come from an independent Newton–Raphson in
    /// NumPy 2.4.6 on the same 32 rows: β += np.linalg.solve(XᵀWX, Xᵀ(y − p)) until steps fall below 1e-14,
    /// standard errors from np.linalg.inv(XᵀWX).
    @Test func mtcarsMatchesRGlmAndNumPy() throws {
        let fit = try LogisticRegression.fit(
            features: mtcars.map { [$0.hp, $0.wt] }, outcomes: mtcars.map(\.am), names: ["hp", "wt"])
        #expect(fit.converged && fit.iterations < 15)
        #expect(fit.names == ["(Intercept)", "hp", "wt"])

        let rCoefficients = [18.86630, 0.03626, -8.08348]
        let rStandardErrors = [7.44356, 0.01773, 3.06868]
        for j in 0..<3 {
            // R prints 5 decimals: relative 1e-4, but 3e-4 for hp, whose 0.03626 and 0.01773 keep 4 digits.
            let printed = j == 1 ? 3e-4 : 1e-4
            #expect(isClose(fit.coefficients[j], rCoefficients[j], relative: printed))
            #expect(isClose(fit.standardErrors[j], rStandardErrors[j], relative: printed))
        }
        #expect(isClose(fit.deviance, 10.059, relative: 1e-4))

        let numpyCoefficients = [18.866298717204153, 0.03625559608221661, -8.083475182444648]
        let numpyStandardErrors = [7.443558427982146, 0.017734154331947596, 3.0686752753907705]
        let numpyZ = [2.5345805906864585, 2.044393851749849, -2.6341904753722383]
        // Two-sided normal p-values for those z: erfc(|z|/√2) in Python's math module.
        let numpyP = [0.011258202740767586, 0.04091465421039065, 0.008433816061294928]
        for j in 0..<3 {
            #expect(isClose(fit.coefficients[j], numpyCoefficients[j], relative: 1e-9), "\(fit.coefficients)")
            #expect(isClose(fit.standardErrors[j], numpyStandardErrors[j], relative: 1e-9), "\(fit.standardErrors)")
            #expect(isClose(fit.zScores[j], numpyZ[j], relative: 1e-9))
            #expect(isClose(fit.pValues[j], numpyP[j], relative: 1e-8))
        }
        #expect(isClose(fit.logLikelihood, -5.0295552361334925, relative: 1e-10))  // NumPy, same fit

        for car in mtcars {
            let p = fit.probability([car.hp, car.wt])
            #expect(p > 0 && p < 1)
        }
    }

    /// One binary feature: the maximum-likelihood fit reproduces the 2×2 table exactly, so the intercept is the
    /// log-odds at x = 0, the slope the log odds ratio, and their standard errors Woolf's √(Σ 1/cell).
    @Test func binaryFeatureGivesTableLogOdds() throws {
        // x = 0: 3 true, 7 false; x = 1: 8 true, 2 false.
        let x: [[Double]] = Array(repeating: [0], count: 10) + Array(repeating: [1], count: 10)
        let y =
            (0..<3).map { _ in true } + (0..<7).map { _ in false } + (0..<8).map { _ in true }
            + (0..<2).map { _ in false }
        let fit = try LogisticRegression.fit(features: x, outcomes: y)
        #expect(isClose(fit.coefficients[0], log(3.0 / 7), relative: 1e-10))
        #expect(isClose(fit.coefficients[1], log(8.0 / 2) - log(3.0 / 7), relative: 1e-10))
        #expect(isClose(fit.standardErrors[0], (1.0 / 3 + 1.0 / 7).squareRoot(), relative: 1e-9))
        #expect(isClose(fit.standardErrors[1], (1.0 / 3 + 1.0 / 7 + 1.0 / 8 + 1.0 / 2).squareRoot(), relative: 1e-9))
        #expect(isClose(fit.probability([0]), 0.3, relative: 1e-10))
        #expect(isClose(fit.probability([1]), 0.8, relative: 1e-10))
        #expect(fit.names == ["(Intercept)", "x1"])
    }

    @Test func separationThrowsWithoutRidgeAndConvergesWithIt() throws {
        let x: [[Double]] = [[1], [2], [3], [4], [5], [6]]
        let y = [false, false, false, true, true, true]
        let complete = #expect(throws: GSLError.self) { try LogisticRegression.fit(features: x, outcomes: y) }
        #expect(complete?.code == 22 && complete?.reason.contains("separated") == true)
        // Quasi-complete: x = 3 holds both outcomes, every other x predicts its outcome perfectly.
        let quasiX: [[Double]] = [[1], [2], [3], [3], [4], [5]]
        #expect(throws: GSLError.self) { try LogisticRegression.fit(features: quasiX, outcomes: y) }

        // With λ = 0.1 on the slope the optimum is finite. NumPy Newton–Raphson on the same penalized
        // log-likelihood gives (−9.361815703433908, 2.6748044866954026).
        let ridge = try LogisticRegression.fit(features: x, outcomes: y, ridge: 0.1)
        #expect(ridge.converged)
        #expect(isClose(ridge.coefficients[0], -9.361815703433908, relative: 1e-9))
        #expect(isClose(ridge.coefficients[1], 2.6748044866954026, relative: 1e-9))
        for row in x {
            let p = ridge.probability(row)
            #expect(p > 0 && p < 1)
        }
    }

    /// A far-out point fitted as nearly certain (η ≈ 22.7) is not separation when the rest of the data overlap.
    @Test func extremeButNotSeparatedFits() throws {
        let x: [Double] = [-2, -1, -1, 0, 0, 1, 1, 2, 30]
        let y = [false, false, true, false, true, false, true, true, true]
        let fit = try LogisticRegression.fit(features: x.map { [$0] }, outcomes: y)
        // NumPy Newton–Raphson as above: (8.4e-11, 0.7563076146618346); the intercept is 0 up to rounding.
        #expect(fit.converged && abs(fit.coefficients[0]) < 1e-8)
        #expect(isClose(fit.coefficients[1], 0.7563076146618346, relative: 1e-9))
    }

    @Test func noInterceptFit() throws {
        // Without an intercept and one binary feature, only the x = 1 rows inform β = log-odds there (x = 0 rows
        // contribute p = 1/2 whatever β is).
        let fit = try LogisticRegression.fit(
            features: [[1], [1], [1], [1], [0], [0]], outcomes: [true, true, true, false, true, false],
            intercept: false)
        #expect(fit.names == ["x1"] && fit.featureCount == 1)
        #expect(isClose(fit.coefficients[0], log(3.0), relative: 1e-10))
        #expect(isClose(fit.probability([0]), 0.5))
    }

    @Test func badInputThrowsClearErrors() {
        let x: [[Double]] = [[1], [2], [3], [4]]
        let y = [false, true, false, true]
        let cases: [(String, () throws -> LogisticRegression)] = [
            (
                "row 1, feature 0 is nan",
                { try LogisticRegression.fit(features: [[1], [.nan], [3], [4]], outcomes: y) }
            ),
            (
                "row 2, feature 0 is inf",
                { try LogisticRegression.fit(features: [[1], [2], [.infinity], [4]], outcomes: y) }
            ),
            ("outcomes", { try LogisticRegression.fit(features: x, outcomes: [true, false]) }),
            ("has 2 features", { try LogisticRegression.fit(features: [[1], [2, 3], [3], [4]], outcomes: y) }),
            ("names", { try LogisticRegression.fit(features: x, outcomes: y, names: ["a", "b"]) }),
            ("no observations", { try LogisticRegression.fit(features: [], outcomes: []) }),
            ("both outcomes", { try LogisticRegression.fit(features: x, outcomes: [true, true, true, true]) }),
            ("ridge", { try LogisticRegression.fit(features: x, outcomes: y, ridge: -1) }),
            ("tolerance", { try LogisticRegression.fit(features: x, outcomes: y, tolerance: 0) }),
            ("maxIterations", { try LogisticRegression.fit(features: x, outcomes: y, maxIterations: 0) }),
            ("collinear", { try LogisticRegression.fit(features: x.map { [$0[0], 2 * $0[0]] }, outcomes: y) }),
        ]
        for (phrase, attempt) in cases {
            let error = #expect(throws: GSLError.self, "\(phrase)") { _ = try attempt() }
            #expect(error?.reason.contains(phrase) == true, "\(phrase): \(error?.reason ?? "no error")")
        }
    }

    @Test func runningOutOfIterationsIsReported() throws {
        let fit = try LogisticRegression.fit(
            features: mtcars.map { [$0.hp, $0.wt] }, outcomes: mtcars.map(\.am), maxIterations: 2)
        #expect(!fit.converged && fit.iterations == 2)
    }
}
