import Analysis
import Foundation
import Testing

// Reference values: NumPy 1.26.4 and SciPy 1.17.1 (Python 3.11), by this script, every number printed with repr:
//
//     import numpy as np, scipy.stats as st
//     t = np.array([12.5, 0.0, 31.0, 7.25, 18.0, 0.0, 22.5, 9.75, 14.0, 40.0, 5.5, 0.0, 310.0, 11.0])
//     c = np.array([3.0, 0.0, 11.5, 6.25, 0.0, 8.0, 2.5, 0.0, 13.0, 4.75, 9.0, 95.0])
//     pooled = np.concatenate([t, c])
//     for method, p in [("linear", 0.9), ("linear", 0.95), ("inverted_cdf", 0.9), ("inverted_cdf", 0.95)]:
//         cap = np.quantile(pooled, p, method=method)
//         ct, cc = np.minimum(t, cap), np.minimum(c, cap)
//         r = st.ttest_ind(ct, cc, equal_var=False); ci = r.confidence_interval(0.95)
//         print(method, p, cap, (t > cap).sum(), (c > cap).sum(),
//               ct.mean(), np.var(ct, ddof=1), cc.mean(), np.var(cc, ddof=1))
//         print(r.statistic, r.pvalue, r.df, ci.low, ci.high)

@Suite("Experiments: winsorized means")
struct WinsorizationTests {
    /// Revenue per user with one extreme user in each arm.
    static let treatment = [12.5, 0.0, 31.0, 7.25, 18.0, 0.0, 22.5, 9.75, 14.0, 40.0, 5.5, 0.0, 310.0, 11.0]
    static let control = [3.0, 0.0, 11.5, 6.25, 0.0, 8.0, 2.5, 0.0, 13.0, 4.75, 9.0, 95.0]

    struct Case: Sendable, CustomStringConvertible {
        let definition: QuantileDefinition
        let level: Double
        let cap: Double
        let capped: (treatment: Int, control: Int)
        let means: (treatment: Double, control: Double)
        let variances: (treatment: Double, control: Double)
        let t: Double
        let pValue: Double
        let df: Double
        let interval: (lower: Double, upper: Double)
        var description: String { "\(definition) \(level)" }
    }

    /// The script's output, one case per line pair.
    static let cases = [
        Case(
            definition: .linear, level: 0.9, cap: 35.5, capped: (2, 1),
            means: (14.464285714285714, 7.791666666666667), variances: (156.45054945054943, 95.89583333333331),
            t: 1.524145840140191, pValue: 0.14063166710448374, df: 23.835538187292038,
            interval: (-2.3663053801315863, 15.71154347536968)),
        Case(
            definition: .linear, level: 0.95, cap: 81.25, capped: (1, 1),
            means: (18.053571428571427, 11.604166666666666), variances: (467.7613324175824, 500.8006628787878),
            t: 0.7439947019595917, pValue: 0.4643736248992687, df: 23.1229578477954,
            interval: (-11.47771978342089, 24.376529307230413)),
        Case(
            definition: .invertedCDF, level: 0.9, cap: 40.0, capped: (1, 1),
            means: (15.107142857142858, 8.166666666666666), variances: (188.24725274725276, 120.2537878787879),
            t: 1.4327055838069154, pValue: 0.16489037051824648, df: 23.905611852040632,
            interval: (-3.059786653587315, 16.940739034539696)),
        Case(
            definition: .invertedCDF, level: 0.95, cap: 95.0, capped: (1, 0),
            means: (19.035714285714285, 12.75), variances: (614.9505494505495, 690.6704545454545),
            t: 0.6239682031608252, pValue: 0.5388132217304608, df: 22.907235734404317,
            interval: (-14.558144310601502, 27.12957288203007)),
    ]

    @Test(arguments: cases) func matchesNumPyAndSciPy(_ expected: Case) throws {
        let result = try WinsorizedComparison(
            treatment: Self.treatment, control: Self.control, level: expected.level, definition: expected.definition)
        #expect(isNear(result.cap, expected.cap))
        #expect(result.treatment.capped == expected.capped.treatment)
        #expect(result.control.capped == expected.capped.control)
        #expect(isNear(result.welch.treatment.mean, expected.means.treatment))
        #expect(isNear(result.welch.control.mean, expected.means.control))
        #expect(isNear(result.welch.treatment.variance, expected.variances.treatment))
        #expect(isNear(result.welch.control.variance, expected.variances.control))
        #expect(isNear(result.welch.difference, expected.means.treatment - expected.means.control))
        #expect(isNear(result.welch.t, expected.t))
        #expect(isNear(result.welch.pValue, expected.pValue))
        #expect(isNear(result.welch.degreesOfFreedom, expected.df))
        #expect(isNear(result.welch.interval?.lowerBound, expected.interval.lower))
        #expect(isNear(result.welch.interval?.upperBound, expected.interval.upper))
        // The raw means are kept beside the capped ones: repr(numpy.mean(t)), repr(numpy.mean(c)).
        #expect(isNear(result.treatment.rawMean, 34.392857142857146))
        #expect(isNear(result.control.rawMean, 12.75))
    }

    /// The definitions themselves, on a small sample with a tie and on 1…100 where n·p is not exact in binary:
    ///
    ///     v = np.array([5.0, 1.0, 3.0, 3.0, 9.0, 2.0, 7.0])
    ///     [np.quantile(v, p, method=m) for p in [0.01, 0.25, 0.5, 0.6, 0.99]]  # m = "linear", "inverted_cdf"
    ///     w = np.arange(1.0, 101.0)
    ///     [np.quantile(w, p, method=m) for p in [0.07, 0.29, 0.57, 0.99]]
    ///
    /// 100 × 0.07 is 7.000000000000001 in double precision, so NumPy's inverted CDF takes the 8th value, as here.
    @Test func quantileDefinitionsMatchNumPy() {
        let v = [5.0, 1.0, 3.0, 3.0, 9.0, 2.0, 7.0].sorted()
        let levels = [0.01, 0.25, 0.5, 0.6, 0.99]
        let linear = [1.06, 2.5, 3.0, 4.199999999999999, 8.879999999999999]
        let inverted = [1.0, 2.0, 3.0, 5.0, 9.0]
        for (p, (l, i)) in zip(levels, zip(linear, inverted)) {
            #expect(isNear(QuantileDefinition.linear.quantile(sorted: v, level: p), l))
            #expect(QuantileDefinition.invertedCDF.quantile(sorted: v, level: p) == i)
        }
        let w = (1...100).map(Double.init)
        let wLevels = [0.07, 0.29, 0.57, 0.99]
        let wLinear = [7.930000000000001, 29.709999999999997, 57.42999999999999, 99.01]
        let wInverted = [8.0, 29.0, 57.0, 99.0]
        for (p, (l, i)) in zip(wLevels, zip(wLinear, wInverted)) {
            #expect(isNear(QuantileDefinition.linear.quantile(sorted: w, level: p), l))
            #expect(QuantileDefinition.invertedCDF.quantile(sorted: w, level: p) == i)
        }
    }

    /// When the two largest values tie, the linear quantile below level 1 is that value and nothing is capped: the
    /// result is Welch's test on the raw values, bit for bit.
    @Test func tiedMaximumCapsNothing() throws {
        let result = try WinsorizedComparison(treatment: [1, 2, 3, 9], control: [2, 9, 5], level: 0.99)
        #expect(result.cap == 9 && result.treatment.capped == 0 && result.control.capped == 0)
        let raw = try WelchTest(treatment: [1, 2, 3, 9], control: [2, 9, 5])
        #expect(result.welch == raw)
        #expect(result.treatment.rawMean == result.welch.treatment.mean)
    }

    /// A result survives JSON unchanged.
    @Test func codableRoundTrip() throws {
        let result = try WinsorizedComparison(treatment: Self.treatment, control: Self.control, level: 0.9)
        let decoded = try JSONDecoder().decode(WinsorizedComparison.self, from: JSONEncoder().encode(result))
        #expect(decoded == result)
    }

    @Test func invalidInputThrows() {
        let (t, c) = (Self.treatment, Self.control)
        for level in [0.0, 1.0, -0.1, 1.5, .nan] {
            #expect(throws: ExperimentError.self) { try WinsorizedComparison(treatment: t, control: c, level: level) }
        }
        #expect(throws: ExperimentError.self) { try WinsorizedComparison(treatment: [], control: c, level: 0.9) }
        #expect(throws: ExperimentError.self) { try WinsorizedComparison(treatment: [1], control: c, level: 0.9) }
        #expect(throws: ExperimentError.self) {
            try WinsorizedComparison(treatment: t, control: [1, .nan], level: 0.9)
        }
        #expect(throws: ExperimentError.self) {
            try WinsorizedComparison(treatment: t, control: [1, .infinity], level: 0.9)
        }
        #expect(throws: ExperimentError.self) {
            try WinsorizedComparison(treatment: t, control: c, level: 0.9, confidence: 1.5)
        }
    }
}
