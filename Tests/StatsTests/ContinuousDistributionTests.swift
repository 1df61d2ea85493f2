import Stats
import Testing

// Reference values: SciPy 1.17.1 (scipy.stats), computed independently of GSL, as cited on each line.
// CDFs and densities are held to a relative 1e-10. Quantiles are held to 1e-9: GSL's Pinv iterations stop at a
// relative step of about 1e-10, and the bisection fallback resolves x to a few ulps of the CDF's accuracy.

@Suite("Continuous distributions against SciPy")
struct ContinuousDistributionTests {
    @Test func gammaMatchesSciPy() throws {
        let d = try Gamma(shape: 2.3, scale: 1.7)
        #expect(isClose(d.pdf(3), 0.18065893912666064))  // scipy.stats.gamma.pdf(3, 2.3, scale=1.7)
        #expect(isClose(d.cdf(3), 0.4368816391311228))  // scipy.stats.gamma.cdf(3, 2.3, scale=1.7)
        #expect(isClose(d.survival(3), 0.5631183608688772))  // scipy.stats.gamma.sf(3, 2.3, scale=1.7)
        #expect(isClose(d.survival(30), 8.337723539296117e-07))  // scipy.stats.gamma.sf(30, 2.3, scale=1.7)
        #expect(isClose(try d.quantile(0.05), 0.8194132590408552, relative: 1e-9))  // gamma.ppf(0.05, 2.3, scale=1.7)
        #expect(isClose(try d.quantile(0.95), 8.879102861319145, relative: 1e-9))  // gamma.ppf(0.95, 2.3, scale=1.7)
        #expect(isClose(d.mean, 2.3 * 1.7) && isClose(d.variance, 2.3 * 1.7 * 1.7))
    }

    /// Small shapes, where GSL's gsl_cdf_gamma_Pinv returns NaN and Stats bisects on GSL's P/Q instead.
    @Test(arguments: [
        (0.5, 1e-6, 7.853981633978593e-13),  // scipy.stats.gamma.ppf(1e-6, 0.5)
        (0.1, 0.01, 6.073048362407912e-21),  // scipy.stats.gamma.ppf(0.01, 0.1)
        (0.001, 0.5, 5.244206408274974e-302),  // scipy.stats.gamma.ppf(0.5, 0.001)
    ])
    func gammaQuantileForSmallShapes(shape: Double, p: Double, expected: Double) throws {
        let x = try Gamma(shape: shape, scale: 1).quantile(p)
        #expect(isClose(x, expected, relative: 1e-9), "\(x) vs \(expected)")
    }

    @Test func gammaBoundaries() throws {
        let d = try Gamma(shape: 0.5, scale: 1)
        #expect(d.pdf(0) == .infinity && d.pdf(-1) == 0 && d.cdf(0) == 0 && d.survival(0) == 1)
        #expect(d.cdf(.infinity) == 1 && d.survival(.infinity) == 0 && d.cdf(.nan).isNaN)
        #expect(try d.quantile(0) == 0 && d.quantile(1) == .infinity)
        #expect(try Gamma(shape: 1, scale: 2).pdf(0) == 0.5)
    }

    @Test func betaMatchesSciPy() throws {
        let d = try Beta(a: 2, b: 5)
        #expect(isClose(d.pdf(0.2), 2.4576))  // scipy.stats.beta.pdf(0.2, 2, 5); exactly 30·0.2·0.8⁴
        #expect(isClose(d.cdf(0.2), 0.3446400000000002))  // scipy.stats.beta.cdf(0.2, 2, 5)
        #expect(isClose(d.survival(0.2), 0.6553599999999999))  // scipy.stats.beta.sf(0.2, 2, 5)
        #expect(isClose(try d.quantile(0.9), 0.5103163065514917, relative: 1e-9))  // scipy.stats.beta.ppf(0.9, 2, 5)
        #expect(isClose(d.mean, 2.0 / 7.0) && isClose(d.variance, 10.0 / (49.0 * 8.0)))
        // scipy.stats.beta.ppf(0.5, 0.3, 0.4)
        #expect(isClose(try Beta(a: 0.3, b: 0.4).quantile(0.5), 0.3431703984215374, relative: 1e-9))
        // scipy.stats.beta.ppf(0.3, 0.05, 0.5): GSL's Pinv fails here; bisection fallback.
        #expect(isClose(try Beta(a: 0.05, b: 0.5).quantile(0.3), 1.2917722717721902e-10, relative: 1e-9))
    }

    @Test func betaBoundaries() throws {
        let d = try Beta(a: 0.5, b: 1)
        #expect(d.pdf(0) == .infinity && d.pdf(1) == 0.5 && d.pdf(1.5) == 0)
        #expect(d.cdf(0) == 0 && d.cdf(1) == 1 && d.survival(0) == 1 && d.survival(1) == 0)
        #expect(try d.quantile(0) == 0 && d.quantile(1) == 1)
    }

    @Test func lognormalMatchesSciPy() throws {
        // SciPy's lognorm(s=sigma, scale=exp(zeta)).
        let d = try Lognormal(zeta: 0.3, sigma: 0.8)
        #expect(isClose(d.pdf(2), 0.2209771804481137))  // scipy.stats.lognorm.pdf(2, 0.8, scale=exp(0.3))
        #expect(isClose(d.cdf(2), 0.6884402305450066))  // scipy.stats.lognorm.cdf(2, 0.8, scale=exp(0.3))
        #expect(isClose(d.survival(2), 0.3115597694549934))  // scipy.stats.lognorm.sf(2, 0.8, scale=exp(0.3))
        #expect(isClose(try d.quantile(0.99), 8.680492782452028, relative: 1e-9))  // lognorm.ppf(0.99, ...)
        #expect(isClose(d.mean, 1.8589280418463423))  // scipy.stats.lognorm.mean(0.8, scale=exp(0.3))
        #expect(isClose(d.variance, 3.097891397428475))  // scipy.stats.lognorm.var(0.8, scale=exp(0.3))
        #expect(d.pdf(0) == 0 && d.cdf(-1) == 0 && d.survival(-1) == 1 && d.survival(.infinity) == 0)
    }

    @Test func normalMatchesSciPy() throws {
        let d = try Normal(mean: 1, sd: 2)
        #expect(isClose(d.pdf(2), 0.17603266338214976))  // scipy.stats.norm.pdf(2, 1, 2)
        #expect(isClose(d.cdf(2), 0.6914624612740131))  // scipy.stats.norm.cdf(2, 1, 2)
        #expect(isClose(d.survival(2), 0.3085375387259869))  // scipy.stats.norm.sf(2, 1, 2)
        #expect(isClose(d.survival(21), 7.61985302416047e-24))  // scipy.stats.norm.sf(21, 1, 2): 10 sd out
        #expect(isClose(try d.quantile(0.975), 4.919927969080108, relative: 1e-9))  // scipy.stats.norm.ppf(0.975, 1, 2)
        #expect(try d.quantile(0) == -.infinity && d.quantile(1) == .infinity)
        #expect(d.mean == 1 && d.variance == 4)
    }

    @Test func chiSquaredMatchesTablesAndSciPy() throws {
        // 95% critical value for 1 df: 3.841 in the NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.4;
        // full precision from scipy.stats.chi2.ppf(0.95, 1).
        #expect(isClose(try ChiSquared(degreesOfFreedom: 1).quantile(0.95), 3.841458820694124, relative: 1e-9))
        let d = try ChiSquared(degreesOfFreedom: 3)
        #expect(isClose(d.pdf(2.5), 0.1807223926681813))  // scipy.stats.chi2.pdf(2.5, 3)
        #expect(isClose(d.cdf(2.5), 0.5247089166569795))  // scipy.stats.chi2.cdf(2.5, 3)
        #expect(isClose(d.survival(2.5), 0.4752910833430205))  // scipy.stats.chi2.sf(2.5, 3)
        #expect(isClose(try d.quantile(0.5), 2.3659738843753377, relative: 1e-9))  // scipy.stats.chi2.ppf(0.5, 3)
        #expect(d.mean == 3 && d.variance == 6)
        // scipy.stats.chi2.sf(40, 10): the upper tail comes from GSL's Q, not 1 − P.
        #expect(isClose(try ChiSquared(degreesOfFreedom: 10).survival(40), 1.694474393006737e-05))
        #expect(try ChiSquared(degreesOfFreedom: 2).pdf(0) == 0.5)
    }

    @Test func quantileInvertsCDF() throws {
        let distributions: [any ContinuousDistribution] = [
            try Gamma(shape: 0.3, scale: 2), try Beta(a: 0.2, b: 3), try Lognormal(zeta: -1, sigma: 2),
            try Normal(mean: -3, sd: 0.5), try ChiSquared(degreesOfFreedom: 0.4),
        ]
        for distribution in distributions {
            for p in [1e-12, 1e-6, 0.01, 0.25, 0.5, 0.75, 0.99] {
                let x = try distribution.quantile(p)
                #expect(isClose(distribution.cdf(x), p, relative: 1e-7), "\(distribution) p=\(p) x=\(x)")
            }
            for p in [1 - 1e-12, 1 - 1e-6] {
                let x = try distribution.quantile(p)
                // 1 − p is exact here (Sterbenz), so the upper tail is checked at full relative precision.
                #expect(isClose(distribution.survival(x), 1 - p, relative: 1e-6), "\(distribution) p=\(p) x=\(x)")
            }
        }
    }
}
