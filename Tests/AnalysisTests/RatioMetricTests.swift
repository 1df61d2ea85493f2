import Analysis
import Foundation
import Testing

// Reference values: NumPy 1.26.4 and SciPy 1.17.1 from the formulas of Deng, Knoblich and Lu (2018), and
// GrowthBook's gbstats 0.8.0 (PyPI), by this script (Python 3.11):
//
//     import numpy as np, scipy.stats as st
//     from gbstats.models.statistics import RatioStatistic, SampleMeanStatistic
//     from gbstats.frequentist.tests import TwoSidedTTest, FrequentistConfig
//
//     def paper(x, y):  # the ratio of means and its delta-method variance
//         x, y = np.asarray(x, float), np.asarray(y, float); n = len(x)
//         mx, my = x.mean(), y.mean(); c = np.cov(x, y, ddof=1)
//         v = (c[0, 0] / my**2 - 2 * mx * c[0, 1] / my**3 + mx**2 * c[1, 1] / my**4) / n
//         return mx / my, v
//
//     def gb(x, y):
//         x, y = np.asarray(x, float), np.asarray(y, float)
//         return RatioStatistic(n=len(x),
//             m_statistic=SampleMeanStatistic(n=len(x), sum=x.sum(), sum_squares=(x*x).sum()),
//             d_statistic=SampleMeanStatistic(n=len(x), sum=y.sum(), sum_squares=(y*y).sum()),
//             m_d_sum_of_products=(x*y).sum())
//
//     def report(tx, ty, cx, cy, conf=0.95):
//         r1, v1 = paper(tx, ty); r0, v0 = paper(cx, cy); z = st.norm.ppf(1 - (1 - conf) / 2)
//         d = r1 - r0; se = np.sqrt(v1 + v0); lift = r1 / r0 - 1
//         lse = np.sqrt(v1 / r0**2 + r1**2 * v0 / r0**4)
//         print(r1, r0, v1, v0)
//         print("diff", d, se, d / se, 2 * st.norm.sf(abs(d / se)), d - z * se, d + z * se)
//         print("lift", lift, lse, lift - z * lse, lift + z * lse)
//         a, b = gb(cx, cy), gb(tx, ty)
//         print("gb arms", b.mean, a.mean, b.variance / b.n, a.variance / a.n)
//         for kind in ["absolute", "relative"]:
//             t = TwoSidedTTest(a, b, FrequentistConfig(difference_type=kind))
//             print("gb", kind, t.point_estimate, np.sqrt(t.variance), t.critical_value)
//
// (every number printed with repr). gbstats' TwoSidedTTest takes its p-value and interval from Student's t with
// Welch's degrees of freedom, not from the normal distribution of the paper, so only its estimates, variances
// and statistics are compared; the p-values and intervals come from the paper's formulas with scipy.stats.norm.

@Suite("Experiments: ratio metrics by the delta method")
struct RatioMetricTests {
    /// Sessions per active day: numerator sessions, denominator active days, per user.
    static let treatmentSessions: [Double] = [14, 3, 0, 22, 9, 5, 17, 1, 8, 30, 6, 11]
    static let treatmentDays: [Double] = [6, 2, 0, 9, 4, 3, 7, 1, 4, 12, 3, 5]
    static let controlSessions: [Double] = [10, 0, 4, 15, 2, 7, 1, 12, 5, 3]
    static let controlDays: [Double] = [5, 0, 3, 8, 2, 4, 1, 6, 3, 2]

    static func sessionsPerDay(confidence: Double = 0.95) throws -> RatioMetricTest {
        try RatioMetricTest(
            treatmentNumerators: treatmentSessions, treatmentDenominators: treatmentDays,
            controlNumerators: controlSessions, controlDenominators: controlDays, confidence: confidence)
    }

    /// report(tx, ty, cx, cy) with the arrays above.
    @Test func sessionsPerActiveDayMatchesThePaperAndGrowthBook() throws {
        let test = try Self.sessionsPerDay()
        #expect(isNear(test.treatmentRatio, 2.25))
        #expect(isNear(test.controlRatio, 1.7352941176470589))
        #expect(isNear(test.treatmentRatioVariance, 0.007783511131725374))  // paper; gbstats 0.007783511131725374
        #expect(isNear(test.controlRatioVariance, 0.009561800159374379))  // paper; gbstats 0.009561800159374422
        #expect(isNear(test.difference, 0.5147058823529411))
        #expect(isNear(test.standardError, 0.13170159942498705))  // gbstats absolute: 0.13170159942498721
        #expect(isNear(test.zStatistic, 3.90812172821106))  // gbstats critical_value: 3.908121728211055
        #expect(isNear(test.pValue, 9.301644069465654e-05))
        #expect(isNear(test.interval?.lowerBound, 0.25657549077364544))
        #expect(isNear(test.interval?.upperBound, 0.7728362739322368))
        #expect(isNear(test.relativeLift, 0.2966101694915253))  // gbstats relative: 0.2966101694915254
        #expect(isNear(test.relativeLiftStandardError, 0.08901252294550831))  // gbstats: 0.08901252294550845
        #expect(isNear(test.relativeLiftInterval?.lowerBound, 0.12214883034528384))
        #expect(isNear(test.relativeLiftInterval?.upperBound, 0.47107150863776676))
        // gbstats' relative critical_value, (R̂₁/R̂₀ − 1) over its delta-method standard error.
        #expect(isNear(test.relativeLift! / test.relativeLiftStandardError!, 3.332229664730476))
    }

    /// report(tx, ty, cx, cy, 0.9): only the critical value changes.
    @Test func ninetyPercentIntervals() throws {
        let test = try Self.sessionsPerDay(confidence: 0.9)
        #expect(isNear(test.interval?.lowerBound, 0.29807602886344126))
        #expect(isNear(test.interval?.upperBound, 0.731335735842441))
        #expect(isNear(test.relativeLiftInterval?.lowerBound, 0.15019759828050483))
        #expect(isNear(test.relativeLiftInterval?.upperBound, 0.44302274070254577))
        #expect(isNear(test.pValue, 9.301644069465654e-05))
    }

    /// Revenue per paying user: numerator revenue, denominator 1 when the user paid. In the script:
    ///
    ///     tr = [0, 19.99, 0, 0, 49.5, 9.99, 0, 0, 120.0, 0, 0, 19.99, 0, 5.49]; tp = [1 if v > 0 else 0 for v in tr]
    ///     cr = [0, 0, 9.99, 0, 19.99, 0, 0, 79.0, 0, 0, 4.99]; cp = [1 if v > 0 else 0 for v in cr]
    ///     report(tr, tp, cr, cp)
    @Test func revenuePerPayingUserMatchesThePaperAndGrowthBook() throws {
        let treatment = [0, 19.99, 0, 0, 49.5, 9.99, 0, 0, 120.0, 0, 0, 19.99, 0, 5.49]
        let control = [0, 0, 9.99, 0, 19.99, 0, 0, 79.0, 0, 0, 4.99]
        let paid = { (revenue: [Double]) in revenue.map { $0 > 0 ? 1.0 : 0.0 } }
        let test = try RatioMetricTest(
            treatmentNumerators: treatment, treatmentDenominators: paid(treatment), controlNumerators: control,
            controlDenominators: paid(control))
        #expect(isNear(test.treatmentRatio, 37.49333333333334))
        #expect(isNear(test.controlRatio, 28.492499999999996))
        #expect(isNear(test.treatmentRatioVariance, 279.54799544159556))  // gbstats 279.5479954415954
        #expect(isNear(test.controlRatioVariance, 241.86319265624988))  // gbstats 241.86319265625
        #expect(isNear(test.difference, 9.000833333333343))
        #expect(isNear(test.standardError, 22.834429883354773))  // gbstats 22.834429883354773
        #expect(isNear(test.zStatistic, 0.39417815024558717))  // gbstats 0.39417815024558717
        #expect(isNear(test.pValue, 0.6934495160934318))
        #expect(isNear(test.interval?.lowerBound, -35.75382684554715))
        #expect(isNear(test.interval?.upperBound, 53.755493512213846))
        #expect(isNear(test.relativeLift, 0.3159018455149021))  // gbstats 0.31590184551490197
        #expect(isNear(test.relativeLiftStandardError, 0.9274882514979237))  // gbstats 0.9274882514979238
        #expect(isNear(test.relativeLiftInterval?.lowerBound, -1.5019417235050563))
        #expect(isNear(test.relativeLiftInterval?.upperBound, 2.1337454145348604))
    }

    /// Moments of shards merge into the moments of all users: with whole numbers every sum is exact, so the
    /// merged moments and the test built from them are identical, not merely close.
    @Test func shardsMerge() throws {
        let all = try RatioMoments(numerators: Self.treatmentSessions, denominators: Self.treatmentDays)
        let first = try RatioMoments(
            numerators: Array(Self.treatmentSessions[..<5]), denominators: Array(Self.treatmentDays[..<5]))
        let second = try RatioMoments(
            numerators: Array(Self.treatmentSessions[5...]), denominators: Array(Self.treatmentDays[5...]))
        #expect(first.merged(with: second) == all)
        #expect(RatioMoments().merged(with: all) == all)
        var added = RatioMoments()
        for (x, y) in zip(Self.treatmentSessions, Self.treatmentDays) { try added.add(numerator: x, denominator: y) }
        #expect(added == all)
        #expect(all.count == 12 && all.numeratorSum == 126 && all.denominatorSum == 56)
        #expect(all.numeratorSquares == 2206 && all.denominatorSquares == 390 && all.crossProducts == 924)

        // The same moments as a warehouse would export them.
        let exported = try RatioMoments(
            count: 12, numeratorSum: 126, denominatorSum: 56, numeratorSquares: 2206, denominatorSquares: 390,
            crossProducts: 924)
        let control = try RatioMoments(numerators: Self.controlSessions, denominators: Self.controlDays)
        #expect(try RatioMetricTest(treatment: exported, control: control) == Self.sessionsPerDay())
    }

    /// The delta method's variance is Var(x − R̂y)/(n ȳ²): a numerator exactly proportional to the denominator
    /// has no variance left, so no test, while the ratio itself is still reported.
    @Test func proportionalNumeratorHasNoVariance() throws {
        let test = try RatioMetricTest(
            treatmentNumerators: [2, 4, 6], treatmentDenominators: [1, 2, 3], controlNumerators: [3, 6],
            controlDenominators: [1, 2])
        #expect(test.treatmentRatio == 2 && test.controlRatio == 3 && test.difference == -1)
        #expect(test.standardError == 0 && test.zStatistic == nil && test.pValue == nil && test.interval == nil)
        #expect(isNear(test.relativeLift, -1.0 / 3) && test.relativeLiftInterval == nil)
    }

    /// A result survives JSON unchanged (every Double is written with enough digits to read back exactly).
    @Test func codableRoundTrip() throws {
        let test = try Self.sessionsPerDay()
        let decoded = try JSONDecoder().decode(RatioMetricTest.self, from: JSONEncoder().encode(test))
        #expect(decoded == test)
    }

    @Test func invalidInputThrows() throws {
        let ok = try RatioMoments(numerators: [1, 2, 3], denominators: [1, 1, 2])
        let one = try RatioMoments(numerators: [1], denominators: [1])
        let zeroDenominator = try RatioMoments(numerators: [1, 2], denominators: [0, 0])
        #expect(throws: ExperimentError.self) { try RatioMetricTest(treatment: ok, control: RatioMoments()) }
        #expect(throws: ExperimentError.self) { try RatioMetricTest(treatment: one, control: ok) }
        #expect(throws: ExperimentError.self) { try RatioMetricTest(treatment: ok, control: zeroDenominator) }
        #expect(throws: ExperimentError.self) { try RatioMetricTest(treatment: ok, control: ok, confidence: 1) }
        #expect(throws: ExperimentError.self) { try RatioMoments(numerators: [1, 2], denominators: [1]) }
        #expect(throws: ExperimentError.self) { try RatioMoments(numerators: [1, .nan], denominators: [1, 1]) }
        #expect(throws: ExperimentError.self) { try RatioMoments(numerators: [1, 2], denominators: [1, .infinity]) }
        #expect(throws: ExperimentError.self) {
            try RatioMoments(
                count: -1, numeratorSum: 0, denominatorSum: 0, numeratorSquares: 0, denominatorSquares: 0,
                crossProducts: 0)
        }
        // Σx² < (Σx)²/n: no set of real values has these moments.
        let impossible = try RatioMoments(
            count: 4, numeratorSum: 10, denominatorSum: 4, numeratorSquares: 5, denominatorSquares: 4,
            crossProducts: 10)
        #expect(throws: ExperimentError.self) { try RatioMetricTest(treatment: impossible, control: ok) }
    }
}
