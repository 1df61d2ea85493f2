import Stats
import Testing

// Reference values: SciPy 1.17.1 (scipy.stats.t), computed independently of GSL, as cited on each line.
// CDFs and densities are held to a relative 1e-10, quantiles to 1e-9 (see ContinuousDistributionTests).

@Suite("Student's t against SciPy and tables")
struct StudentTTests {
    /// Whole and non-integer ν (as Welch's test produces), and ν < 1 where the tails are very heavy.
    @Test(arguments: [
        // ν, pdf(1.3), cdf(1.3), sf(1.3), cdf(−2.1): scipy.stats.t.pdf/cdf/sf(x, ν)
        (4.0, 0.15538195452212658, 0.868274201764388, 0.13172579823561206, 0.05182664315880109),
        (13.7, 0.16660356489411143, 0.8924759032288807, 0.10752409677111924, 0.027376888426766652),
        (0.6, 0.09708266950352414, 0.7467684540772209, 0.2532315459227791, 0.1964223464249336),
    ])
    func matchesSciPy(nu: Double, pdf: Double, cdf: Double, sf: Double, lowerTail: Double) throws {
        let d = try StudentT(degreesOfFreedom: nu)
        #expect(isClose(d.pdf(1.3), pdf))
        #expect(isClose(d.cdf(1.3), cdf))
        #expect(isClose(d.survival(1.3), sf))
        #expect(isClose(d.cdf(-2.1), lowerTail))
        #expect(isClose(d.pdf(-1.3), pdf) && isClose(d.survival(-2.1), 1 - lowerTail))
    }

    @Test func upperTailKeepsPrecision() throws {
        // scipy.stats.t.sf(12, 13.7)
        #expect(isClose(try StudentT(degreesOfFreedom: 13.7).survival(12), 5.9313974866252725e-09))
        // scipy.stats.t.sf(40, 4)
        #expect(isClose(try StudentT(degreesOfFreedom: 4).survival(40), 1.1670081613006339e-06))
    }

    @Test func quantilesMatchTablesAndSciPy() throws {
        // Critical values in the NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2 (3 decimals):
        // ν = 10, 4 at 0.975 → 2.228, 2.776; ν = 1 at 0.995 → 63.657. Full precision from scipy.stats.t.ppf.
        #expect(isClose(try StudentT(degreesOfFreedom: 10).quantile(0.975), 2.228138851986274, relative: 1e-9))
        #expect(isClose(try StudentT(degreesOfFreedom: 4).quantile(0.975), 2.7764451051977934, relative: 1e-9))
        #expect(isClose(try StudentT(degreesOfFreedom: 1).quantile(0.995), 63.656741162871526, relative: 1e-9))
        let welch = try StudentT(degreesOfFreedom: 13.7)
        #expect(isClose(try welch.quantile(0.975), 2.149201262229809, relative: 1e-9))  // t.ppf(0.975, 13.7)
        #expect(isClose(try welch.quantile(0.025), -2.1492012622298082, relative: 1e-9))  // t.ppf(0.025, 13.7)
        let heavy = try StudentT(degreesOfFreedom: 0.6)
        #expect(isClose(try heavy.quantile(0.9), 6.70384362387336, relative: 1e-9))  // t.ppf(0.9, 0.6)
        #expect(isClose(try heavy.quantile(1e-6), -1450211713.5942144, relative: 1e-9))  // t.ppf(1e-6, 0.6)
        #expect(isClose(try heavy.quantile(1e-12), -1.4502117135942156e+19, relative: 1e-9))  // t.ppf(1e-12, 0.6)
    }

    @Test func quantileInvertsCDF() throws {
        for nu in [0.3, 1, 2.5, 13.7, 1e6] {
            let d = try StudentT(degreesOfFreedom: nu)
            for p in [1e-12, 1e-6, 0.01, 0.25, 0.5, 0.75, 0.99] {
                let x = try d.quantile(p)
                #expect(isClose(d.cdf(x), p, relative: 1e-7), "ν=\(nu) p=\(p) x=\(x)")
            }
            for p in [1 - 1e-12, 1 - 1e-6] {
                let x = try d.quantile(p)
                #expect(isClose(d.survival(x), 1 - p, relative: 1e-6), "ν=\(nu) p=\(p) x=\(x)")
            }
        }
    }

    @Test func momentsAndBoundaries() throws {
        let d = try StudentT(degreesOfFreedom: 13.7)
        #expect(d.mean == 0 && isClose(d.variance, 1.170940170940171))  // scipy.stats.t.var(13.7)
        #expect(try StudentT(degreesOfFreedom: 1.5).variance == .infinity)
        #expect(try StudentT(degreesOfFreedom: 1).mean.isNaN && StudentT(degreesOfFreedom: 1).variance.isNaN)
        #expect(d.pdf(.infinity) == 0 && d.cdf(-.infinity) == 0 && d.cdf(.infinity) == 1)
        #expect(d.survival(.infinity) == 0 && d.survival(-.infinity) == 1 && d.cdf(.nan).isNaN)
        #expect(d.cdf(0) == 0.5 && d.survival(0) == 0.5)
        #expect(try d.quantile(0) == -.infinity && d.quantile(1) == .infinity && d.quantile(0.5) == 0)
    }

    @Test(arguments: [0.0, -1, .nan, .infinity])
    func invalidDegreesOfFreedomThrow(nu: Double) {
        #expect(throws: GSLError.self) { try StudentT(degreesOfFreedom: nu) }
    }

    @Test func quantileOutsideUnitIntervalThrows() throws {
        let d = try StudentT(degreesOfFreedom: 3)
        #expect(throws: GSLError.self) { try d.quantile(1.5) }
        #expect(throws: GSLError.self) { try d.quantile(-0.1) }
    }

    /// `gsl_ran_tdist` against the distribution's own quantile bins (chi-square, fixed seed, p > 1e-4).
    @Test(arguments: [3.0, 7.4])
    func samplerMatchesDistribution(nu: Double) throws {
        let d = try StudentT(degreesOfFreedom: nu)
        let random = GSLRandom(seed: 105)
        let draws = (0..<drawCount).map { _ in d.sample(using: random) }
        let test = try continuousFit(draws, d)
        #expect(test.pValue > minimumPValue, "p = \(test.pValue)")
    }
}
