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
