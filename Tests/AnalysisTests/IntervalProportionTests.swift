import Analysis
import Testing

/// One row of published or recomputed 95 % intervals.
struct ProportionCase: Sendable, CustomTestStringConvertible {
    let successes: Int
    let trials: Int
    let wilson: ClosedRange<Double>
    let clopperPearson: ClosedRange<Double>
    /// Half a unit in the last published digit.
    let tolerance: Double

    var testDescription: String { "\(successes)/\(trials)" }
}

@Suite("Intervals: proportions")
struct IntervalProportionTests {
    /// 81/263 and 15/148: Newcombe (1998), "Two-sided confidence intervals for the single proportion",
    /// Statistics in Medicine 17:857–872, Table I — Wilson score (method 3) and Clopper–Pearson "exact" (method 5),
    /// 4 decimals. The remaining rows, to 6 decimals, from SciPy 1.17.1: Wilson as
    /// (p̂ + z²/2n ∓ z√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n) with z = `norm.ppf(0.975)`, Clopper–Pearson as
    /// `beta.ppf(0.025, x, n − x + 1)`, `beta.ppf(0.975, x + 1, n − x)`, and 0 / 1 at the edges.
    static let cases: [ProportionCase] = [
        ProportionCase(
            successes: 81, trials: 263, wilson: 0.2553...0.3662, clopperPearson: 0.2527...0.3676, tolerance: 5e-5),
        ProportionCase(
            successes: 15, trials: 148, wilson: 0.0624...0.1605, clopperPearson: 0.0578...0.1617, tolerance: 5e-5),
        ProportionCase(
            successes: 81, trials: 263, wilson: 0.255289...0.366210, clopperPearson: 0.252737...0.367622,
            tolerance: 5e-7),
        ProportionCase(
            successes: 1, trials: 29, wilson: 0.006113...0.171755, clopperPearson: 0.000873...0.177644,
            tolerance: 5e-7),
        ProportionCase(
            successes: 0, trials: 20, wilson: 0...0.161125, clopperPearson: 0...0.168433, tolerance: 5e-7),
        ProportionCase(
            successes: 20, trials: 20, wilson: 0.838875...1, clopperPearson: 0.831567...1, tolerance: 5e-7),
        ProportionCase(
            successes: 10, trials: 10, wilson: 0.722467...1, clopperPearson: 0.691503...1, tolerance: 5e-7),
    ]

    @Test(arguments: cases)
    func matchesReferenceValues(row: ProportionCase) throws {
        let wilson = try #require(
            ProportionInterval.wilson(successes: row.successes, trials: row.trials, confidence: 0.95))
        #expect(abs(wilson.lowerBound - row.wilson.lowerBound) <= row.tolerance)
        #expect(abs(wilson.upperBound - row.wilson.upperBound) <= row.tolerance)
        let exact = try #require(
            ProportionInterval.clopperPearson(successes: row.successes, trials: row.trials, confidence: 0.95))
        #expect(abs(exact.lowerBound - row.clopperPearson.lowerBound) <= row.tolerance)
        #expect(abs(exact.upperBound - row.clopperPearson.upperBound) <= row.tolerance)
    }

    /// A 90 % level, SciPy 1.17.1 as above with z = `norm.ppf(0.95)` and α = 0.1, for 3/10.
    @Test func otherConfidenceLevel() throws {
        let wilson = try #require(ProportionInterval.wilson(successes: 3, trials: 10, confidence: 0.9))
        #expect(abs(wilson.lowerBound - 0.1268765839) < 1e-9 && abs(wilson.upperBound - 0.5583002041) < 1e-9)
        let exact = try #require(ProportionInterval.clopperPearson(successes: 3, trials: 10, confidence: 0.9))
        #expect(abs(exact.lowerBound - 0.0872644339) < 1e-9 && abs(exact.upperBound - 0.6066242161) < 1e-9)
    }

    /// 0/n starts exactly at 0 and n/n ends exactly at 1, for both methods and any n.
    @Test(arguments: [1, 2, 7, 1000])
    func edgesAreExact(trials: Int) throws {
        for interval in [ProportionInterval.wilson, ProportionInterval.clopperPearson] {
            let none = try #require(interval(0, trials, 0.95))
            #expect(none.lowerBound == 0 && none.upperBound > 0 && none.upperBound < 1)
            let all = try #require(interval(trials, trials, 0.95))
            #expect(all.upperBound == 1 && all.lowerBound > 0 && all.lowerBound < 1)
        }
    }

    /// Zero trials leave nothing to estimate; impossible counts and levels are refused the same way.
    @Test(arguments: [(0, 0, 0.95), (-1, 5, 0.95), (6, 5, 0.95), (2, 5, 0), (2, 5, 1), (2, 5, .nan)])
    func undefinedCasesGiveNil(successes: Int, trials: Int, confidence: Double) {
        #expect(ProportionInterval.wilson(successes: successes, trials: trials, confidence: confidence) == nil)
        #expect(ProportionInterval.clopperPearson(successes: successes, trials: trials, confidence: confidence) == nil)
    }
}
