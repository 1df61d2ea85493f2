import Stats
import Testing

/// The GSL-backed `sample(using:)` methods, checked like the fast samplers (chi-square, fixed seeds, p > 1e-4):
/// this catches wrapper mistakes such as a swapped parameter or a forgotten location shift.
@Suite("GSL sample(using:) methods")
struct GSLSamplerTests {
    @Test(arguments: [2.5, 250])
    func poisson(mean: Double) throws {
        let distribution = try Poisson(mean: mean)
        let random = GSLRandom(seed: 101)
        let draws = (0..<drawCount).map { _ in distribution.sample(using: random) }
        let test = try countFit(draws, distribution)
        #expect(test.pValue > minimumPValue, "p = \(test.pValue)")
    }

    @Test func binomialAndNegativeBinomial() throws {
        let random = GSLRandom(seed: 102)
        let binomial = try Binomial(p: 0.3, trials: 40)
        let binomialTest = try countFit((0..<drawCount).map { _ in binomial.sample(using: random) }, binomial)
        #expect(binomialTest.pValue > minimumPValue, "p = \(binomialTest.pValue)")
        let negative = try NegativeBinomial.meanDispersion(mean: 4, dispersion: 1.5)
        let negativeTest = try countFit((0..<drawCount).map { _ in negative.sample(using: random) }, negative)
        #expect(negativeTest.pValue > minimumPValue, "p = \(negativeTest.pValue)")
    }

    @Test func discrete() throws {
        let weights = [3.0, 0, 1, 6, 0.5]
        let distribution = try DiscreteDistribution(weights: weights)
        #expect(distribution.count == 5)
        let total = weights.reduce(0, +)
        for (k, weight) in weights.enumerated() {
            #expect(isClose(distribution.probability(of: k), weight / total, relative: 1e-12, absolute: 1e-15))
        }
        #expect(distribution.probability(of: -1) == 0 && distribution.probability(of: 5) == 0)

        let random = GSLRandom(seed: 103)
        var observed = [Int](repeating: 0, count: weights.count)
        for _ in 0..<drawCount {
            observed[distribution.sample(using: random)] += 1
        }
        #expect(observed[1] == 0)
        let test = try GoodnessOfFit.chiSquare(observed: observed, expectedProbabilities: weights.map { $0 / total })
        #expect(test.pValue > minimumPValue, "p = \(test.pValue)")
    }

    @Test func continuous() throws {
        let random = GSLRandom(seed: 104)
        let distributions: [any ContinuousDistribution] = [
            try Gamma(shape: 2.3, scale: 1.7), try Beta(a: 0.7, b: 2), try Lognormal(zeta: 0.3, sigma: 0.8),
            try Normal(mean: 1, sd: 2), try ChiSquared(degreesOfFreedom: 3),
        ]
        for distribution in distributions {
            let draws = (0..<drawCount).map { _ in distribution.sample(using: random) }
            let test = try continuousFit(draws, distribution)
            #expect(test.pValue > minimumPValue, "\(distribution): p = \(test.pValue)")
        }
    }

    @Test func sameSeedSameSamples() throws {
        let gamma = try Gamma(shape: 0.8, scale: 2)
        let first = GSLRandom(seed: 55)
        let second = GSLRandom(seed: 55)
        #expect((0..<100).map { _ in gamma.sample(using: first) } == (0..<100).map { _ in gamma.sample(using: second) })
    }
}
