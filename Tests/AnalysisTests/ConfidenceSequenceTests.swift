import Analysis
import Foundation
import Stats
import Testing

// Reference values: GrowthBook gbstats 0.8.0 (PyPI), `SequentialTwoSidedTTest` with an absolute difference, and a
// direct transcription of Waudby-Smith et al. (2024), arXiv:2103.06476v7 equations (9) and (161), under Python 3.11
// with SciPy 1.17.1. Both agree with each other to 1e-14 relative on every case below. The script:
//
//     import math
//     from gbstats.models.statistics import SampleMeanStatistic
//     from gbstats.frequentist.tests import SequentialTwoSidedTTest, SequentialConfig
//     def stat(n, mean, var):
//         return SampleMeanStatistic(n=n, sum=n * mean, sum_squares=(n - 1) * var + n * mean * mean)
//     def gb(t, c, alpha, nstar):  # gbstats' stat_a is the control, stat_b the treatment
//         test = SequentialTwoSidedTTest(stat(*c), stat(*t), SequentialConfig(
//             difference_type="absolute", alpha=alpha, sequential_tuning_parameter=nstar))
//         return test.confidence_interval, test.rho
//     def paper(t, c, alpha, nstar):
//         N = t[0] + c[0]
//         s2 = N * (t[2] / t[0] + c[2] / c[0])
//         rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / nstar
//         half = math.sqrt(s2) * math.sqrt(
//             2 * (N * rho2 + 1) / (N * N * rho2) * math.log(math.sqrt(N * rho2 + 1) / alpha))
//         return [t[1] - c[1] - half, t[1] - c[1] + half], math.sqrt(rho2)
//     def prop(x, n):  # a rate as the 0/1 values' count, mean and sample variance
//         return (n, x / n, x * (n - x) / (n * (n - 1)))
//
// gbstats' own `ProportionStatistic` uses the variance p(1 − p) (divisor n); the cases below give it 0/1 data through
// `SampleMeanStatistic` (sum = sum of squares = x), whose divisor n − 1 is the one ``ArmSummary`` uses.

@Suite("Experiments: anytime-valid confidence sequences")
struct ConfidenceSequenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let treatment: (count: Int, mean: Double, variance: Double)
        let control: (count: Int, mean: Double, variance: Double)
        let alpha: Double
        let planned: Int
        /// gb(t, c, alpha, nstar): interval and rho.
        let lower: Double
        let upper: Double
        let rho: Double

        var testDescription: String { "n = \(treatment.count)/\(control.count), α = \(alpha), n* = \(planned)" }
    }

    static let cases: [Case] = [
        Case(
            treatment: (1200, 10.4, 30.25), control: (1180, 9.9, 28.0), alpha: 0.05, planned: 5000,
            lower: -0.1838250200540541, upper: 1.183825020054054, rho: 0.03984006677137368),
        Case(
            treatment: (1200, 10.4, 30.25), control: (1180, 9.9, 28.0), alpha: 0.1, planned: 2000,
            lower: -0.11165827228548875, upper: 1.1116582722854886, rho: 0.05625326481768074),
        // prop(130, 1000) against prop(100, 1000).
        Case(
            treatment: (1000, 0.13, 0.11321321321321322), control: (1000, 0.1, 0.09009009009009009), alpha: 0.05,
            planned: 10000, lower: -0.017963813961593342, upper: 0.07796381396159334, rho: 0.02817118137696317),
        Case(
            treatment: (1000, 0.13, 0.11321321321321322), control: (1000, 0.1, 0.09009009009009009), alpha: 0.1,
            planned: 2000, lower: -0.00940947091659243, upper: 0.06940947091659243, rho: 0.05625326481768074),
        Case(
            treatment: (25, 12.3, 9.7), control: (31, 10.1, 4.2), alpha: 0.1, planned: 100,
            lower: 0.1734259239536664, upper: 4.226574076046336, rho: 0.2515722481772629),
        // n* = 1: the smallest planned size, the boundary tuned for the first user.
        Case(
            treatment: (25, 12.3, 9.7), control: (31, 10.1, 4.2), alpha: 0.05, planned: 1,
            lower: -0.3186145367022539, upper: 4.7186145367022565, rho: 2.817118137696317),
        Case(
            treatment: (50000, 0.52, 2.5), control: (50000, 0.5, 2.4), alpha: 0.05, planned: 100000,
            lower: -0.010047036031787901, upper: 0.050047036031787936, rho: 0.00890850975289221),
    ]

    @Test(arguments: cases) func matchesGbstatsAndThePaper(_ c: Case) throws {
        let sequence = try ConfidenceSequence(
            treatment: ArmSummary(count: c.treatment.count, mean: c.treatment.mean, variance: c.treatment.variance),
            control: ArmSummary(count: c.control.count, mean: c.control.mean, variance: c.control.variance),
            alpha: c.alpha, plannedSampleSize: c.planned)
        #expect(isNear(sequence.lower, c.lower))
        #expect(isNear(sequence.upper, c.upper))
        #expect(isNear(sequence.rho, c.rho))
        #expect(isNear(sequence.difference, c.treatment.mean - c.control.mean, relative: 1e-12))
        #expect(isNear(sequence.halfWidth, (c.upper - c.lower) / 2))
        #expect(sequence.excludesZero == (c.lower > 0 || c.upper < 0))
    }

    /// A rate's summary is the summary of its 0/1 values.
    @Test func proportionIsTheMeanOfZerosAndOnes() throws {
        let rate = try ArmSummary.proportion(successes: 13, trials: 40)
        let values = try ArmSummary(Array(repeating: 1.0, count: 13) + Array(repeating: 0.0, count: 27))
        #expect(rate.count == values.count)
        #expect(isNear(rate.mean, values.mean, relative: 1e-14))
        #expect(isNear(rate.variance, values.variance, relative: 1e-12))
    }

    /// Cumulative summaries after each of six days; α = 0.05 and n* = 2400.
    static let looks: [(treatment: ArmSummary, control: ArmSummary)] = [
        ((210, 5.31, 9.8), (190, 4.95, 9.1)),
        ((405, 5.12, 9.5), (398, 4.71, 9.6)),
        ((611, 5.20, 9.9), (590, 4.80, 9.4)),
        ((820, 5.18, 10.1), (790, 4.77, 9.3)),
        ((1015, 5.22, 10.0), (987, 4.74, 9.5)),
        ((1230, 5.19, 9.9), (1181, 4.76, 9.6)),
    ].map { t, c in
        (
            try! ArmSummary(count: t.0, mean: t.1, variance: t.2),
            try! ArmSummary(count: c.0, mean: c.1, variance: c.2)
        )
    }

    /// gb(t, c, 0.05, 2400) at each look, and the running max of the lower and min of the upper ends:
    ///
    ///     lo, hi = -math.inf, math.inf
    ///     for t, c in looks:
    ///         (l, u), _ = gb(t, c, 0.05, 2400)
    ///         lo, hi = max(lo, l), min(hi, u)
    @Test func stoppingLookAndIntersection() throws {
        let expected: [(Double, Double)] = [
            (-0.7052877859076503, 1.4252877859076492),
            (-0.2808734466829734, 1.1008734466829737),
            (-0.15274703262024203, 0.9527470326202427),
            (-0.06351177846551942, 0.8835117784655198),
            (0.055906960373754755, 0.9040930396262443),
            (0.04395227674783636, 0.8160477232521648),
        ]
        let sequence = try ConfidenceSequence.sequence(looks: Self.looks, alpha: 0.05, plannedSampleSize: 2400)
        for (interval, (lower, upper)) in zip(sequence, expected) {
            #expect(isNear(interval.lower, lower) && isNear(interval.upper, upper))
        }
        // The fifth look (index 4) is the first to exclude 0.
        #expect(try ConfidenceSequence.stoppingLook(looks: Self.looks, plannedSampleSize: 2400) == 4)
        #expect(try ConfidenceSequence.stoppingLook(looks: Array(Self.looks.prefix(4)), plannedSampleSize: 2400) == nil)
        // The intersection takes its lower end from the fifth look and its upper end from the sixth.
        let both = try #require(ConfidenceSequence.intersection(of: sequence))
        #expect(isNear(both.lowerBound, 0.055906960373754755) && isNear(both.upperBound, 0.8160477232521648))
        #expect(ConfidenceSequence.intersection(of: []) == nil)
    }

    /// The tuning makes the boundary tightest near the planned size: at N = n*, ρ beats 20 % more or less.
    @Test func tuningIsTightestNearThePlannedSize() throws {
        let arm = try ArmSummary(count: 1000, mean: 0, variance: 1)
        let chosen = try ConfidenceSequence(treatment: arm, control: arm, plannedSampleSize: 2000)
        for factor in [0.8, 1.25] {
            // A different ρ is the one another planned size gives: ρ ∝ 1/√n*.
            let planned = Int((2000 / (factor * factor)).rounded())
            let other = try ConfidenceSequence(treatment: arm, control: arm, plannedSampleSize: planned)
            #expect(chosen.halfWidth < other.halfWidth)
        }
    }

    @Test func invalidInputThrows() throws {
        let arm = try ArmSummary(count: 10, mean: 1, variance: 1)
        for alpha in [0, 1, -0.1, 1.5, .nan] {
            #expect(throws: ExperimentError.self) {
                try ConfidenceSequence(treatment: arm, control: arm, alpha: alpha, plannedSampleSize: 100)
            }
        }
        #expect(throws: ExperimentError.self) {
            try ConfidenceSequence(treatment: arm, control: arm, plannedSampleSize: 0)
        }
        #expect(throws: ExperimentError.self) { try ArmSummary(count: 1, mean: 1, variance: 0) }
        #expect(throws: ExperimentError.self) { try ArmSummary(count: 5, mean: .infinity, variance: 1) }
        #expect(throws: ExperimentError.self) { try ArmSummary.proportion(successes: 1, trials: 1) }
        #expect(throws: ExperimentError.self) { try ArmSummary.proportion(successes: 5, trials: 4) }
    }

    /// Encoded as the results file encodes (snake-case keys), and decoded back unchanged.
    @Test func encodesWithSnakeCaseKeys() throws {
        let sequence = try ConfidenceSequence(
            treatment: Self.looks[4].treatment, control: Self.looks[4].control, plannedSampleSize: 2400)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(sequence)
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys
        #expect(Set(keys).isSuperset(of: ["half_width", "excludes_zero", "planned_sample_size", "treatment_count"]))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(ConfidenceSequence.self, from: data) == sequence)
    }

    /// Under no difference, 400 simulated experiments with ten looks of 100 users per arm each (N(0, 1) values,
    /// α = 0.05, n* = 2000, GSL's MT19937 seeded, so the count is the same on every run). The sequence may stop
    /// wrongly in at most α of them up to sampling error: the bound is α + 3 √(α(1 − α)/400) = 0.083. Repeated
    /// 95 % Wald intervals at the same ten looks stop wrongly about 19 % of the time (Armitage, McPherson and Rowe
    /// 1969, "Repeated significance tests on accumulating data": 0.193 for ten equally spaced looks); requiring at least
    /// 0.193 − 3 √(0.193 × 0.807/400) = 0.134 shows the simulation is able to see what peeking does.
    @Test func peekingKeepsTheLevel() throws {
        let random = GSLRandom(seed: 20_240_601)
        let (replicates, looks, perLook) = (400, 10, 100)
        let z = try Normal(mean: 0, sd: 1).quantile(0.975)
        var (sequentialStops, naiveStops) = (0, 0)
        for _ in 0..<replicates {
            var sums = [0.0, 0.0]
            var squares = [0.0, 0.0]
            var (sequentialStopped, naiveStopped) = (false, false)
            for look in 1...looks {
                for arm in 0..<2 {
                    for _ in 0..<perLook {
                        let value = random.gaussian(sigma: 1)
                        sums[arm] += value
                        squares[arm] += value * value
                    }
                }
                let n = look * perLook
                let arms = try (0..<2).map { arm in
                    let mean = sums[arm] / Double(n)
                    return try ArmSummary(
                        count: n, mean: mean, variance: (squares[arm] - Double(n) * mean * mean) / Double(n - 1))
                }
                let interval = try ConfidenceSequence(treatment: arms[0], control: arms[1], plannedSampleSize: 2000)
                sequentialStopped = sequentialStopped || interval.excludesZero
                naiveStopped = naiveStopped || abs(interval.difference) > z * interval.standardError
            }
            sequentialStops += sequentialStopped ? 1 : 0
            naiveStops += naiveStopped ? 1 : 0
        }
        let (alpha, n) = (0.05, Double(replicates))
        #expect(Double(sequentialStops) / n <= alpha + 3 * (alpha * (1 - alpha) / n).squareRoot())
        #expect(Double(naiveStops) / n >= 0.193 - 3 * (0.193 * 0.807 / n).squareRoot())
    }
}
