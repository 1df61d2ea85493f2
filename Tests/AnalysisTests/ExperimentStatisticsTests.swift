import Analysis
import Stats
import Testing

/// Relative closeness for the experiment statistics; `nil` never matches.
///
/// References printed to full double precision are held to a relative 1e-9: GSL's quantiles are accurate to
/// about 1e-10, everything else is arithmetic.
func isNear(_ actual: Double?, _ expected: Double, relative: Double = 1e-9) -> Bool {
    guard let actual else { return false }
    if actual == expected { return true }
    return abs(actual - expected) <= relative * abs(expected)
}

// Reference values: statsmodels 0.15.0 and SciPy 1.17.1, as cited on each line.

@Suite("Experiments: multiple testing")
struct ExperimentMultipleTestingTests {
    /// Raw p-values out of order, with a tie and with Holm products above 1.
    @Test func smallFamily() throws {
        let raw = [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.9]
        // statsmodels multipletests(raw, method='holm')[1]
        let holm = [0.06, 0.16, 0.15, 0.035, 0.4, 0.16, 0.9]
        // statsmodels multipletests(raw, method='fdr_bh')[1]
        let bh = [0.035, 0.056, 0.056, 0.035, 0.23333333333333336, 0.056, 0.9]
        for (actual, expected) in zip(try MultipleTesting.holm(raw), holm) { #expect(isNear(actual, expected)) }
        for (actual, expected) in zip(try MultipleTesting.benjaminiHochberg(raw), bh) {
            #expect(isNear(actual, expected))
        }
    }

    /// The 15 p-values of Benjamini and Hochberg (1995), section 4.2: at q = 0.05 their procedure rejects the
    /// four smallest, while the Bonferroni-type procedures (Holm among them) reject three.
    @Test func benjaminiHochbergPaperExample() throws {
        let raw = [
            0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
            0.7590, 1.000,
        ]
        let bh = try MultipleTesting.benjaminiHochberg(raw)
        let holm = try MultipleTesting.holm(raw)
        #expect(bh.filter { $0 <= 0.05 }.count == 4)
        #expect(holm.filter { $0 <= 0.05 }.count == 3)
        // statsmodels multipletests(raw, method='fdr_bh')[1]
        let expectedBH = [
            0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645,
            0.07650000000000001, 0.48600000000000004, 0.5811818181818182, 0.7148749999999999, 0.7532307692307693,
            0.8132142857142857, 1.0,
        ]
        // statsmodels multipletests(raw, method='holm')[1]
        let expectedHolm = [
            0.0015, 0.0056, 0.0247, 0.11399999999999999, 0.2211, 0.27799999999999997, 0.27799999999999997,
            0.27799999999999997, 0.32130000000000003, 1, 1, 1, 1, 1, 1,
        ]
        for (actual, expected) in zip(bh, expectedBH) { #expect(isNear(actual, expected)) }
        for (actual, expected) in zip(holm, expectedHolm) { #expect(isNear(actual, expected)) }
    }

    /// Adjusted values never fall below the raw ones, never exceed 1, and keep the order of the raw ones.
    @Test func monotoneAndCapped() throws {
        var generator = SplitMix64(seed: 2024)
        // Cubed uniforms crowd near 0, where the adjustments interact most.
        let raw = (0..<200).map { _ in pow3(Double.random(in: 0...1, using: &generator)) }
        for adjusted in [try MultipleTesting.holm(raw), try MultipleTesting.benjaminiHochberg(raw)] {
            #expect(adjusted.count == raw.count)
            for (p, q) in zip(raw, adjusted) { #expect(q >= p && q <= 1) }
            for i in raw.indices { for j in raw.indices where raw[i] < raw[j] { #expect(adjusted[i] <= adjusted[j]) } }
        }
    }

    private func pow3(_ x: Double) -> Double { x * x * x }

    @Test func edgeCases() throws {
        #expect(try MultipleTesting.holm([]).isEmpty && MultipleTesting.benjaminiHochberg([]).isEmpty)
        #expect(try MultipleTesting.holm([0.03]) == [0.03] && MultipleTesting.benjaminiHochberg([0.03]) == [0.03])
        #expect(throws: ExperimentError.self) { try MultipleTesting.holm([0.1, 1.5]) }
        #expect(throws: ExperimentError.self) { try MultipleTesting.benjaminiHochberg([.nan]) }
        #expect(throws: ExperimentError.self) { try MultipleTesting.benjaminiHochberg([-0.01]) }
    }
}

@Suite("Experiments: sample ratio mismatch")
struct ExperimentSampleRatioTests {
    @Test(arguments: [
        // scipy.stats.chisquare([50120, 49600], f_exp=[49860, 49860])
        ([50_120, 49_600], [1.0, 1.0], 2.7115924588848777, 0.099621499530256, false),
        // scipy.stats.chisquare([50600, 49400]): a 1.2 % imbalance on 100 000 users is flagged.
        ([50_600, 49_400], [0.5, 0.5], 14.4, 0.00014780231033445398, true),
        // scipy.stats.chisquare([10321, 10004, 20101], f_exp=[1, 1, 2] / 4 * 40426)
        ([10_321, 10_004, 20_101], [1.0, 1.0, 2.0], 6.212684905753722, 0.04476438412822414, false),
        // scipy.stats.chisquare([821, 1000], f_exp=[0.45, 0.55] * 1821)
        ([821, 1_000], [0.45, 0.55], 0.005330626417941119, 0.9417972535299893, false),
        // scipy.stats.chisquare([0, 30], f_exp=[15, 15]): an empty arm.
        ([0, 30], [1.0, 1.0], 30.0, 4.3204630578274955e-08, true),
    ])
    func matchesSciPy(observed: [Int], weights: [Double], statistic: Double, pValue: Double, mismatch: Bool) throws {
        let check = try SampleRatioMismatch(observed: observed, weights: weights)
        #expect(isNear(check.statistic, statistic))
        #expect(isNear(check.pValue, pValue))
        #expect(check.degreesOfFreedom == observed.count - 1)
        #expect(check.isMismatch == mismatch)
        #expect(isNear(check.expectedShares.reduce(0, +), 1, relative: 1e-15))
    }

    @Test func invalidInputThrows() {
        #expect(throws: ExperimentError.self) { try SampleRatioMismatch(observed: [10, 10], weights: [1]) }
        #expect(throws: ExperimentError.self) { try SampleRatioMismatch(observed: [10], weights: [1]) }
        #expect(throws: ExperimentError.self) { try SampleRatioMismatch(observed: [10, -1], weights: [1, 1]) }
        #expect(throws: ExperimentError.self) { try SampleRatioMismatch(observed: [10, 10], weights: [1, 0]) }
        #expect(throws: ExperimentError.insufficientData("no users were assigned")) {
            try SampleRatioMismatch(observed: [0, 0], weights: [1, 1])
        }
    }
}

@Suite("Experiments: primary metric and families")
struct ExperimentFamilyTests {
    /// 0/1 outcomes with `x` ones out of `n`.
    static func outcomes(_ x: Int, _ n: Int) -> [Double] {
        [Double](repeating: 1, count: x) + [Double](repeating: 0, count: n - x)
    }

    static func comparison(arm: String, retention: (Int, Int, Int, Int), activation: (Int, Int, Int, Int)) throws
        -> ExperimentResults.Comparison
    {
        var samples = ComparisonSamples(metrics: [
            .init(name: "retention_day_30", isProportion: true), .init(name: "activation", isProportion: true),
        ])
        for (m, counts) in [retention, activation].enumerated() {
            samples.metrics[m].treatment = outcomes(counts.0, counts.1)
            samples.metrics[m].control = outcomes(counts.2, counts.3)
        }
        return try ExperimentStatistics.compare(samples, arm: arm, control: "holdout")
    }

    /// Raw p-values: statsmodels 0.15.0 `test_proportions_2indep(x1, n1, x0, n0, method='wald',
    /// correction=False).pvalue`; adjusted: `multipletests(family, method='holm')` and `method='fdr_bh'` within
    /// each family: retention (primary) across the two arms, activation (exploratory) across the two arms.
    @Test func primaryFamilyIsAcrossArms() throws {
        let comparisons = [
            try Self.comparison(arm: "a", retention: (130, 1000, 100, 1000), activation: (300, 1000, 280, 1000)),
            try Self.comparison(arm: "b", retention: (118, 1000, 100, 1000), activation: (330, 1000, 250, 1000)),
        ]
        let raw = comparisons.map { $0.metrics.map(\.pValue) }
        #expect(isNear(raw[0][0], 0.03528532025049282) && isNear(raw[1][0], 0.1963323416565249))
        #expect(isNear(raw[0][1], 0.3242273677910217) && isNear(raw[1][1], 7.56808785201411e-05))
        let adjusted = try ExperimentStatistics.correctForMultipleTesting(comparisons, primary: "retention_day_30")
        #expect(adjusted.allSatisfy { $0.metrics.map(\.role) == ["primary", "exploratory"] })
        #expect(isNear(adjusted[0].metrics[0].pValueHolm, 0.07057064050098565))
        #expect(isNear(adjusted[1].metrics[0].pValueHolm, 0.1963323416565249))
        #expect(isNear(adjusted[0].metrics[0].pValueBenjaminiHochberg, 0.07057064050098565))
        #expect(isNear(adjusted[0].metrics[1].pValueHolm, 0.3242273677910217))
        #expect(isNear(adjusted[1].metrics[1].pValueHolm, 0.0001513617570402822))
        #expect(isNear(adjusted[1].metrics[1].pValueBenjaminiHochberg, 0.0001513617570402822))

        // Declaring activation primary swaps the roles; the families hold the same p-values.
        let swapped = try ExperimentStatistics.correctForMultipleTesting(comparisons, primary: "activation")
        #expect(swapped.allSatisfy { $0.metrics.map(\.role) == ["exploratory", "primary"] })
        #expect(isNear(swapped[1].metrics[1].pValueHolm, 0.0001513617570402822))
        #expect(isNear(swapped[0].metrics[0].pValueHolm, 0.07057064050098565))

        #expect(throws: ExperimentError.self) {
            try ExperimentStatistics.correctForMultipleTesting(comparisons, primary: "retention_day_7")
        }
    }

    /// The reported interval and p-value come from one statistic: the interval excludes 0 exactly when p < 0.05.
    @Test func reportedIntervalAndTestAgree() throws {
        let c = try Self.comparison(arm: "a", retention: (130, 1000, 100, 1000), activation: (300, 1000, 280, 1000))
        for lift in c.metrics {
            let p = try #require(lift.pValue)
            let (lower, upper) = (try #require(lift.lower), try #require(lift.upper))
            #expect((lower > 0 || upper < 0) == (p < 0.05))
        }
        // statsmodels confint_proportions_2indep(130, 1000, 100, 1000, method='wald', alpha=0.05):
        // (0.0020679344393763587, 0.057932065560623636).
        #expect(isNear(c.metrics[0].lower, 0.0020679344393763587))
        #expect(isNear(c.metrics[0].upper, 0.057932065560623636))
    }
}

@Suite("Experiments: Fieller's interval for a ratio")
struct ExperimentFiellerTests {
    /// References: Fieller's (1954) closed form as the Wikipedia article "Fieller's theorem" states it,
    /// θ̂ = a/b, g = z²v_bb/b², ends (θ̂ − g v_ab/v_bb ∓ (z/|b|)√(v_aa − 2θ̂v_ab + θ̂²v_bb − g(v_aa − v_ab²/v_bb)))/(1 − g),
    /// written in Python with z = scipy.stats.norm.ppf(0.975) (SciPy 1.17.1), and cross-checked against the roots
    /// of the quadratic by numpy.roots; the shape follows from g < 1 (bounded) or g > 1 (exclusive), or a negative
    /// radicand (unbounded).
    @Test(arguments: [
        (3.2, 1.6, 0.25, 0.04, 0.03, FiellerInterval.Shape.bounded, 1.39474712082397, 2.764891840884079),
        (3.2, 0.3, 0.25, 0.04, 0.01, .exclusive, -33.32798401343794, 4.37387600230188),
        (-2.0, -4.0, 0.5, 0.6, -0.1, .bounded, 0.14001037513349293, 1.0843882427815064),
        // The example of a ratio of two correlated means in an R script on confidence intervals of ratios (means
        // 0.15 and 0.25, covariance matrix [[0.002, 0.0001], [0.0001, 0.005]]).
        (0.15, 0.25, 0.002, 0.005, 0.0001, .bounded, 0.23062578051100016, 1.4840212182993024),
        // A known spend over an uncertain gain: 93 / (87.3 ± 1.96 × 30).
        (93.0, 87.3, 0.0, 900.0, 0.0, .bounded, 0.6365550155691309, 3.2630341898135105),
    ])
    func matchesClosedForm(
        a: Double, b: Double, vaa: Double, vbb: Double, vab: Double, shape: FiellerInterval.Shape, lower: Double,
        upper: Double
    ) throws {
        let f = try FiellerInterval(
            numerator: a, denominator: b, numeratorVariance: vaa, denominatorVariance: vbb, covariance: vab)
        #expect(f.shape == shape)
        #expect(isNear(f.lower, lower) && isNear(f.upper, upper))
        #expect(isNear(f.estimate, a / b, relative: 1e-15))
        // The estimate is always in the set; a point in the gap (exclusive) or beyond the ends (bounded) is not.
        #expect(f.contains(a / b))
        let outside = shape == .bounded ? upper + 1 : (lower + upper) / 2
        #expect(!f.contains(outside))
    }

    @Test func unboundedAndInvalid() throws {
        // g = 1.96² × 0.04 / 0.01 > 1 and the radicand is negative in the Python reference: every ratio is in the set.
        let f = try FiellerInterval(
            numerator: 0.2, denominator: 0.1, numeratorVariance: 0.25, denominatorVariance: 0.04)
        #expect(f.shape == .unbounded && f.lower == nil && f.upper == nil && f.contains(1e9))
        #expect(throws: ExperimentError.self) {
            try FiellerInterval(numerator: 1, denominator: 1, numeratorVariance: -1, denominatorVariance: 1)
        }
        #expect(throws: ExperimentError.self) {
            try FiellerInterval(
                numerator: 1, denominator: 1, numeratorVariance: 1, denominatorVariance: 1, covariance: 2)
        }
        #expect(throws: ExperimentError.self) {
            try FiellerInterval(numerator: .nan, denominator: 1, numeratorVariance: 1, denominatorVariance: 1)
        }
    }

    /// With a known numerator the set is a / (b ± z√v_bb): bounded exactly when b's own interval excludes 0.
    @Test func knownNumeratorFollowsTheDenominatorsTest() throws {
        let z = 1.959963984540054  // scipy.stats.norm.ppf(0.975)
        for b in stride(from: -3.0, through: 3.0, by: 0.125) {
            let f = try FiellerInterval(numerator: 5, denominator: b, numeratorVariance: 0, denominatorVariance: 1)
            guard abs(abs(b) - z) > 1e-9 else { continue }
            #expect((f.shape == .bounded) == (abs(b) > z), "b = \(b)")
            if f.shape != .unbounded {
                let ends = [5 / (b - z), 5 / (b + z)].sorted()
                #expect(isNear(f.lower, ends[0], relative: 1e-12) && isNear(f.upper, ends[1], relative: 1e-12))
            }
        }
    }
}
