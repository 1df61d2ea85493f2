import Stats
import Testing

@Suite("Pearson chi-square goodness of fit")
struct GoodnessOfFitTests {
    /// A die thrown 60 times (the "fairness of dice" example of Wikipedia's "Pearson's chi-squared test"):
    /// χ² = 13.4 on 5 df; scipy.stats.chisquare([5, 8, 9, 8, 10, 20]) (SciPy 1.17.1) gives p = 0.01990522033477438.
    @Test func fairDieExample() throws {
        let observed = [5, 8, 9, 8, 10, 20]
        let test = try GoodnessOfFit.chiSquare(
            observed: observed, expectedProbabilities: Array(repeating: 1.0 / 6.0, count: 6))
        #expect(isClose(test.statistic, 13.4, relative: 1e-12))
        #expect(test.degreesOfFreedom == 5 && test.pooledBins == 6)
        #expect(isClose(test.pValue, 0.01990522033477438, relative: 1e-10))

        let direct = try GoodnessOfFit.chiSquare(observed: observed, expected: Array(repeating: 10, count: 6))
        #expect(isClose(direct.statistic, 13.4, relative: 1e-12) && isClose(direct.pValue, test.pValue))
    }

    @Test func givenExpectedCounts() throws {
        // scipy.stats.chisquare([30, 14, 34, 45, 57, 20], [20, 20, 30, 40, 60, 30]) (SciPy 1.17.1)
        let test = try GoodnessOfFit.chiSquare(observed: [30, 14, 34, 45, 57, 20], expected: [20, 20, 30, 40, 60, 30])
        #expect(isClose(test.statistic, 11.441666666666666, relative: 1e-12))
        #expect(isClose(test.pValue, 0.04329313031580497, relative: 1e-10))
        // A sample-ratio check, 520 vs 480 on a planned 50/50 split: scipy.stats.chisquare([520, 480]) → p = 0.2059…
        let ratio = try GoodnessOfFit.chiSquare(observed: [520, 480], expected: [500, 500])
        #expect(isClose(ratio.statistic, 1.6) && isClose(ratio.pValue, 0.20590321073206466, relative: 1e-10))
    }

    @Test func sparseBinsArePooledLeftToRight() throws {
        // Expected counts 2, 2, 2, 10, 3, 1 (total 20): pooling closes [2+2+2] = 6 and [10], then [3] and [1] stay
        // below 5 and join the last closed bin: bins (6, 14) with observed (1+2+3, 9+4+1).
        let observed = [1, 2, 3, 9, 4, 1]
        let probabilities = [2.0, 2, 2, 10, 3, 1].map { $0 / 20 }
        let test = try GoodnessOfFit.chiSquare(observed: observed, expectedProbabilities: probabilities)
        #expect(test.pooledBins == 2 && test.degreesOfFreedom == 1)
        // (6 − 6)²/6 + (14 − 14)²/14 = 0
        #expect(test.statistic == 0 && test.pValue == 1)

        // Zero-probability bins never form a bin of their own.
        let zeros = try GoodnessOfFit.chiSquare(
            observed: [0, 50, 0, 50], expectedProbabilities: [0, 0.5, 0, 0.5], minimumExpected: 0)
        #expect(zeros.pooledBins == 2 && zeros.statistic == 0)
    }

    @Test func invalidInputThrows() {
        let attempts: [(String, () throws -> ChiSquareTest)] = [
            ("length mismatch", { try GoodnessOfFit.chiSquare(observed: [1, 2], expectedProbabilities: [1]) }),
            ("negative count", { try GoodnessOfFit.chiSquare(observed: [-1, 2], expectedProbabilities: [0.5, 0.5]) }),
            ("no observations", { try GoodnessOfFit.chiSquare(observed: [0, 0], expectedProbabilities: [0.5, 0.5]) }),
            ("sum not 1", { try GoodnessOfFit.chiSquare(observed: [5, 5], expectedProbabilities: [0.5, 0.4]) }),
            ("negative p", { try GoodnessOfFit.chiSquare(observed: [5, 5], expectedProbabilities: [1.5, -0.5]) }),
            ("one bin left", { try GoodnessOfFit.chiSquare(observed: [3, 4], expectedProbabilities: [0.5, 0.5]) }),
            ("expected sum", { try GoodnessOfFit.chiSquare(observed: [5, 5], expected: [5, 6]) }),
            ("zero expected", { try GoodnessOfFit.chiSquare(observed: [5, 5], expected: [10, 0]) }),
            ("single bin", { try GoodnessOfFit.chiSquare(observed: [5], expected: [5]) }),
        ]
        for (label, attempt) in attempts {
            let error = #expect(throws: GSLError.self, "\(label)") { _ = try attempt() }
            #expect(error?.code == GSLError.domain, "\(label)")
        }
    }

    /// Proof that the sampler checks can fail: Poisson(10) draws tested against Poisson(11) are rejected.
    @Test func rejectsAWrongDistribution() throws {
        var g = SplitMix64(seed: 2024)
        let draws = (0..<drawCount).map { _ in FastSampler.poisson(mean: 10, using: &g) }
        let wrong = try countFit(draws, Poisson(mean: 11))
        #expect(wrong.pValue < 1e-6, "p = \(wrong.pValue)")
        let right = try countFit(draws, Poisson(mean: 10))
        #expect(right.pValue > minimumPValue, "p = \(right.pValue)")
    }
}
