import Testing

@testable import Stats

/// Each pure-Swift sampler is checked against GSL's PMF/CDF with a Pearson chi-square test on 200,000 draws from a
/// fixed seed (see `drawCount`): deterministic, and a correct sampler fails a given seed with probability 1e-4.
@Suite("FastSampler against GSL distributions")
struct FastSamplerTests {
    @Test(arguments: [0.3, 2.5, 9.9, 10, 37.5, 250])
    func poisson(mean: Double) throws {
        var g = SplitMix64(seed: StreamKey.derive(1, 1, UInt64(mean * 10), 0))
        let draws = (0..<drawCount).map { _ in FastSampler.poisson(mean: mean, using: &g) }
        let test = try countFit(draws, Poisson(mean: mean))
        #expect(test.pValue > minimumPValue, "mean \(mean): χ² = \(test.statistic), p = \(test.pValue)")
    }

    @Test func poissonDegenerateMeans() {
        var g = SplitMix64(seed: 3)
        #expect(FastSampler.poisson(mean: 0, using: &g) == 0)
        #expect(FastSampler.poisson(mean: -1, using: &g) == 0)
        #expect(FastSampler.poisson(mean: .nan, using: &g) == 0)
        #expect(FastSampler.poisson(mean: .infinity, using: &g) == Int.max)
        // Far beyond any simulation, still finite and near the mean.
        let huge = FastSampler.poisson(mean: 1e15, using: &g)
        #expect(abs(Double(huge) - 1e15) < 1e9)
    }

    @Test(arguments: [(1.6, 0.8), (12.0, 3.0)])
    func negativeBinomial(mean: Double, dispersion: Double) throws {
        var g = SplitMix64(seed: StreamKey.derive(1, 2, UInt64(mean * 10), UInt64(dispersion * 10)))
        let draws = (0..<drawCount).map { _ in
            FastSampler.negativeBinomial(mean: mean, dispersion: dispersion, using: &g)
        }
        let test = try countFit(draws, NegativeBinomial.meanDispersion(mean: mean, dispersion: dispersion))
        #expect(test.pValue > minimumPValue, "mean \(mean), dispersion \(dispersion): p = \(test.pValue)")
    }

    @Test(arguments: [0.05, 0.5, 2.3])
    func gamma(shape: Double) throws {
        var g = SplitMix64(seed: StreamKey.derive(1, 3, UInt64(shape * 100), 0))
        let draws = (0..<drawCount).map { _ in FastSampler.gamma(shape: shape, using: &g) }
        let test = try continuousFit(draws, Gamma(shape: shape, scale: 1))
        #expect(test.pValue > minimumPValue, "shape \(shape): p = \(test.pValue)")
    }

    @Test func normal() throws {
        var g = SplitMix64(seed: StreamKey.derive(1, 4, 0, 0))
        let draws = (0..<drawCount).map { _ in FastSampler.normal(using: &g) }
        let test = try continuousFit(draws, Normal(mean: 0, sd: 1))
        #expect(test.pValue > minimumPValue, "p = \(test.pValue)")
    }

    @Test func lognormal() throws {
        var g = SplitMix64(seed: StreamKey.derive(1, 5, 0, 0))
        let draws = (0..<drawCount).map { _ in FastSampler.lognormal(mu: 0.3, sigma: 0.8, using: &g) }
        let test = try continuousFit(draws, Lognormal(zeta: 0.3, sigma: 0.8))
        #expect(test.pValue > minimumPValue, "p = \(test.pValue)")
    }

    /// Covers both methods and the reflection for p > 1/2. Inversion (n·min(p, 1−p) < 10): (10, 0.3),
    /// (2000, 0.004), (40, 0.85) and (7, 0.999). BTRS: (500, 0.02) — n·p is exactly 10, the switch-over —,
    /// (1000, 0.5), (20000, 0.1) and (100, 0.8).
    @Test(arguments: [
        (10, 0.3), (2000, 0.004), (40, 0.85), (7, 0.999), (500, 0.02), (1000, 0.5), (20_000, 0.1), (100, 0.8),
    ])
    func binomial(trials: Int, p: Double) throws {
        var g = SplitMix64(seed: StreamKey.derive(1, 6, UInt64(trials), UInt64(p * 1000)))
        let draws = (0..<drawCount).map { _ in FastSampler.binomial(trials: trials, p: p, using: &g) }
        let test = try countFit(draws, Binomial(p: p, trials: trials))
        #expect(test.pValue > minimumPValue, "n \(trials), p \(p): p-value \(test.pValue)")
    }

    @Test func binomialDegenerateArguments() {
        var g = SplitMix64(seed: 4)
        #expect(FastSampler.binomial(trials: 0, p: 0.5, using: &g) == 0)
        #expect(FastSampler.binomial(trials: 10, p: 0, using: &g) == 0)
        #expect(FastSampler.binomial(trials: 10, p: 1, using: &g) == 10)
        #expect(FastSampler.binomial(trials: -3, p: 0.5, using: &g) == 0)
    }

    @Test func categorical() throws {
        let probabilities = [0.1, 0.0, 0.25, 0.05, 0.6]
        let table = try FastSampler.cumulativeTable(weights: probabilities.map { $0 * 3 })
        #expect(table.last == 1)
        var g = SplitMix64(seed: StreamKey.derive(1, 7, 0, 0))
        var observed = [Int](repeating: 0, count: probabilities.count)
        table.withUnsafeBufferPointer { cumulative in
            for _ in 0..<drawCount {
                observed[FastSampler.categorical(cumulative: cumulative, using: &g)] += 1
            }
        }
        #expect(observed[1] == 0)
        let test = try GoodnessOfFit.chiSquare(observed: observed, expectedProbabilities: probabilities)
        #expect(test.pValue > minimumPValue, "p = \(test.pValue)")
    }

    @Test func categoricalFallsBackToLastIndexWithMass() {
        // A table whose end fell short of 1 through rounding, with a zero-mass final category.
        let table: [Double] = [0.0, 0.5, 0.9, 0.9]
        var maxGenerator = ConstantGenerator(value: .max)  // u = 1 − 2⁻⁵³, beyond the table
        let index = table.withUnsafeBufferPointer { FastSampler.categorical(cumulative: $0, using: &maxGenerator) }
        #expect(index == 2)
        var zeroGenerator = ConstantGenerator(value: 0)  // u = 0 skips the zero-mass first category
        #expect(table.withUnsafeBufferPointer { FastSampler.categorical(cumulative: $0, using: &zeroGenerator) } == 1)
    }

    @Test func cumulativeTableValidatesWeights() {
        for weights in [[], [0.0, 0.0], [1, -1], [1, .nan]] as [[Double]] {
            #expect(throws: GSLError.self, "\(weights)") { try FastSampler.cumulativeTable(weights: weights) }
        }
    }

    @Test func bernoulliAndUniform() throws {
        var g = SplitMix64(seed: StreamKey.derive(1, 8, 0, 0))
        var heads = 0
        for _ in 0..<drawCount where FastSampler.bernoulli(0.3, using: &g) {
            heads += 1
        }
        let coin = try GoodnessOfFit.chiSquare(
            observed: [heads, drawCount - heads], expectedProbabilities: [0.3, 0.7])
        #expect(coin.pValue > minimumPValue, "p = \(coin.pValue)")
        #expect(!FastSampler.bernoulli(0, using: &g) && FastSampler.bernoulli(1, using: &g))

        var cells = [Int](repeating: 0, count: 20)
        for _ in 0..<drawCount {
            let u = FastSampler.uniform(using: &g)
            let positive = FastSampler.uniformPositive(using: &g)
            #expect(u >= 0 && u < 1 && positive > 0 && positive <= 1)
            cells[Int(u * 20)] += 1
        }
        let flat = try GoodnessOfFit.chiSquare(
            observed: cells, expectedProbabilities: Array(repeating: 0.05, count: 20))
        #expect(flat.pValue > minimumPValue, "p = \(flat.pValue)")
        var zero = ConstantGenerator(value: 0)
        #expect(FastSampler.uniform(&zero) == 0 && FastSampler.uniformPositive(using: &zero) == 0x1p-53)
        var top = ConstantGenerator(value: .max)
        #expect(FastSampler.uniform(using: &top) == 1 - 0x1p-53 && FastSampler.uniformPositive(using: &top) == 1)
    }

    /// The rejection steps of PTRS and BTRS compare against log k!, so it is checked directly: it must match
    /// scipy.special.gammaln(k + 1) (SciPy 1.17.1) for the exact-product range (k < 10) and Stirling's series.
    @Test(arguments: [
        (0.0, 0.0), (1, 0), (5, 4.787491742782046), (9, 12.801827480081469), (10, 15.104412573075516),
        (11, 17.502307845873887), (37, 99.3306124547874), (100, 363.73937555556347), (1000, 5912.128178488164),
        (123_456, 1323904.4924837977),
    ])
    func logFactorial(k: Double, expected: Double) {
        let value = FastSampler.logFactorial(k)
        #expect(isClose(value, expected, relative: 1e-14, absolute: 1e-13), "log \(k)! = \(value) vs \(expected)")
    }

    @Test func samplersAreDeterministicForASeed() {
        func run(_ seed: UInt64) -> [Double] {
            var g = SplitMix64(seed: seed)
            return (0..<1_000).map { i in
                switch i % 4 {
                case 0: Double(FastSampler.poisson(mean: 42, using: &g))
                case 1: FastSampler.gamma(shape: 0.7, using: &g)
                case 2: Double(FastSampler.binomial(trials: 300, p: 0.4, using: &g))
                default: FastSampler.normal(using: &g)
                }
            }
        }
        #expect(run(8) == run(8))
        #expect(run(8) != run(9))
    }
}

/// A generator that always returns the same word, for exercising boundaries.
struct ConstantGenerator: RandomNumberGenerator {
    let value: UInt64
    mutating func next() -> UInt64 { value }
}
