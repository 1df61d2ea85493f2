import Analysis
import Testing

@Suite("Experiments: the difference of two independent estimates")
struct IndependentDifferenceTests {
    /// Reference values from Python's `statistics.NormalDist` (an independent normal CDF and quantile):
    /// SE = hypot(0.03, 0.04) = 0.05, z = 0.06 / 0.05 = 1.2, p = 2 (1 − Φ(1.2)) = 0.23013934044341666,
    /// interval 0.06 ± 1.9599639845400536 × 0.05.
    @Test("a 3-4-5 case at 95 %")
    func pythagorean() throws {
        let d = try IndependentDifference(
            first: 0.10, firstStandardError: 0.03, second: 0.16, secondStandardError: 0.04)
        #expect(close(d.estimate, 0.06, tolerance: 1e-15))
        #expect(close(d.standardError, 0.05, tolerance: 1e-15))
        #expect(close(d.lower, -0.03799819922700269, tolerance: 1e-12))
        #expect(close(d.upper, 0.1579981992270027, tolerance: 1e-12))
        #expect(close(d.pValue, 0.23013934044341666, tolerance: 1e-12))
    }

    /// A negative difference at 90 %: SE = hypot(0.012, 0.02) = 0.0233238075793812, the interval
    /// −0.04 ± z(0.95) SE and p = 2 (1 − Φ(1.7149858514250884)), by the same reference.
    @Test("a negative difference at 90 %")
    func negative() throws {
        let d = try IndependentDifference(
            first: 0.025, firstStandardError: 0.012, second: -0.015, secondStandardError: 0.02, confidence: 0.90)
        #expect(close(d.estimate, -0.04, tolerance: 1e-15))
        #expect(close(d.standardError, 0.0233238075793812, tolerance: 1e-15))
        #expect(close(d.lower, -0.07836424949126339, tolerance: 1e-12))
        #expect(close(d.upper, -0.0016357505087366137, tolerance: 1e-12))
        #expect(close(d.pValue, 0.08634782098366256, tolerance: 1e-12))
    }

    @Test("no standard error: an estimate without interval or p-value")
    func noError() throws {
        let d = try IndependentDifference(first: 0.2, firstStandardError: 0, second: 0.2, secondStandardError: 0)
        #expect(d.estimate == 0 && d.standardError == 0)
        #expect(d.lower == nil && d.upper == nil && d.pValue == nil)
    }

    @Test("bad arguments are refused", arguments: [(Double.nan, 0.1), (0.1, -0.1), (0.1, Double.infinity)])
    func refused(estimate: Double, standardError: Double) {
        #expect(throws: ExperimentError.self) {
            _ = try IndependentDifference(
                first: estimate, firstStandardError: standardError, second: 0, secondStandardError: 0.1)
        }
    }
}
