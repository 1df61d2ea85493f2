import Stats
import Testing

@Suite("Count samplers by inversion from a known P(0)")
struct InversionSamplerTests {
    /// Draws `count` values and tests them against GSL's pmf with a chi-square goodness of fit.
    /// Fixed seeds make each case deterministic; a correct sampler fails a case with probability 1e-4.
    static func fit(count: Int = 200_000, seed: UInt64, pmf: (Int) -> Double, draw: (inout SplitMix64) -> Int)
        throws -> ChiSquareTest
    {
        var g = SplitMix64(seed: seed)
        var observed: [Int] = []
        for _ in 0..<count {
            let k = draw(&g)
            if k >= observed.count { observed += [Int](repeating: 0, count: k - observed.count + 1) }
            observed[k] += 1
        }
        // Expected probabilities over 0..<max, the upper tail folded into the last bin.
        var probabilities = (0..<observed.count).map(pmf)
        probabilities[probabilities.count - 1] += max(0, 1 - probabilities.reduce(0, +))
        return try GoodnessOfFit.chiSquare(observed: observed, expectedProbabilities: probabilities)
    }

    @Test("Poisson with precomputed e^(-mean) matches GSL's pmf", arguments: [0.05, 0.4, 2.5, 9.9, 24.0])
    func poisson(mean: Double) throws {
        let gsl = try Poisson(mean: mean)
        let p0 = gsl.pmf(0)
        let test = try Self.fit(seed: 11, pmf: gsl.pmf) { g in
            FastSampler.poisson(mean: mean, probabilityOfZero: p0, using: &g)
        }
        #expect(test.pValue > 1e-4, "mean \(mean): chi-square \(test.statistic), df \(test.degreesOfFreedom)")
    }

    @Test(
        "negative binomial by inversion matches GSL's pmf",
        arguments: [(0.4, 0.8), (1.2, 1.5), (2.5, 3.0), (12.0, 2.0), (25.0, 0.5)])
    func negativeBinomial(mean: Double, dispersion: Double) throws {
        let gsl = try NegativeBinomial.meanDispersion(mean: mean, dispersion: dispersion)
        let p0 = FastSampler.negativeBinomialProbabilityOfZero(mean: mean, dispersion: dispersion)
        #expect(abs(p0 - gsl.pmf(0)) < 1e-14)
        let test = try Self.fit(seed: 12, pmf: gsl.pmf) { g in
            FastSampler.negativeBinomial(mean: mean, dispersion: dispersion, probabilityOfZero: p0, using: &g)
        }
        #expect(test.pValue > 1e-4, "mean \(mean), k \(dispersion): chi-square \(test.statistic)")
    }

    @Test("the fit rejects a sampler whose dispersion is wrong")
    func rejectsWrongDispersion() throws {
        // Draws with dispersion 1.5 tested against a pmf with dispersion 3: the check must fail.
        let wrong = try NegativeBinomial.meanDispersion(mean: 2.5, dispersion: 3)
        let p0 = FastSampler.negativeBinomialProbabilityOfZero(mean: 2.5, dispersion: 1.5)
        let test = try Self.fit(seed: 13, pmf: wrong.pmf) { g in
            FastSampler.negativeBinomial(mean: 2.5, dispersion: 1.5, probabilityOfZero: p0, using: &g)
        }
        #expect(test.pValue < 1e-6)
    }
}
