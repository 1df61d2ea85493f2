import Stats
import Testing

// Reference values: SciPy 1.17.1 (scipy.stats), computed independently of GSL, as cited on each line.

@Suite("Poisson, Binomial and NegativeBinomial against SciPy")
struct CountDistributionTests {
    @Test func poissonMatchesSciPy() throws {
        let d = try Poisson(mean: 2.5)
        #expect(isClose(d.pmf(3), 0.21376301724973648))  // scipy.stats.poisson.pmf(3, 2.5)
        #expect(isClose(d.pmf(0), 0.0820849986238988))  // scipy.stats.poisson.pmf(0, 2.5)
        #expect(isClose(d.cdf(3), 0.7575761331330662))  // scipy.stats.poisson.cdf(3, 2.5)
        #expect(isClose(d.survival(3), 0.2424238668669339))  // scipy.stats.poisson.sf(3, 2.5)
        #expect(isClose(d.survival(20), 4.1185531544820816e-13, relative: 1e-9))  // scipy.stats.poisson.sf(20, 2.5)
        #expect(d.mean == 2.5 && d.variance == 2.5)

        let large = try Poisson(mean: 37.5)
        #expect(isClose(large.pmf(37), 0.06521942436815073))  // scipy.stats.poisson.pmf(37, 37.5)
        #expect(isClose(large.cdf(30), 0.12435321067022458))  // scipy.stats.poisson.cdf(30, 37.5)
        #expect(isClose(large.survival(50), 0.020622259367932907))  // scipy.stats.poisson.sf(50, 37.5)
    }

    @Test func poissonEdgeCases() throws {
        let d = try Poisson(mean: 2.5)
        #expect(d.pmf(-1) == 0 && d.cdf(-1) == 0 && d.survival(-1) == 1)
        #expect(d.cdf(Int.max) == 1 && d.survival(Int.max) == 0 && d.pmf(Int.max) == 0)
        // Mean 0 is the point mass at 0 (GSL itself returns NaN here).
        let zero = try Poisson(mean: 0)
        #expect(zero.pmf(0) == 1 && zero.pmf(1) == 0 && zero.cdf(0) == 1 && zero.survival(0) == 0)
        #expect(zero.sample(using: GSLRandom(seed: 1)) == 0)
    }

    @Test func binomialMatchesSciPy() throws {
        let d = try Binomial(p: 0.3, trials: 10)
        #expect(isClose(d.pmf(3), 0.2668279319999998))  // scipy.stats.binom.pmf(3, 10, 0.3)
        #expect(isClose(d.cdf(3), 0.6496107184000002))  // scipy.stats.binom.cdf(3, 10, 0.3)
        #expect(isClose(d.survival(3), 0.3503892815999998))  // scipy.stats.binom.sf(3, 10, 0.3)
        #expect(isClose(d.mean, 3) && isClose(d.variance, 2.1))

        let sparse = try Binomial(p: 0.02, trials: 500)
        #expect(isClose(sparse.pmf(10), 0.12637979106893046))  // scipy.stats.binom.pmf(10, 500, 0.02)
        #expect(isClose(sparse.cdf(5), 0.0651918671024135))  // scipy.stats.binom.cdf(5, 500, 0.02)
        #expect(isClose(sparse.survival(20), 0.0014077554329474217))  // scipy.stats.binom.sf(20, 500, 0.02)
    }

    @Test func binomialEdgeCases() throws {
        let d = try Binomial(p: 0.3, trials: 10)
        #expect(d.pmf(-1) == 0 && d.pmf(11) == 0)
        #expect(d.cdf(-1) == 0 && d.cdf(10) == 1 && d.survival(10) == 0 && d.survival(-1) == 1)
        let certain = try Binomial(p: 1, trials: 5)
        #expect(certain.pmf(5) == 1 && certain.cdf(4) == 0 && certain.survival(4) == 1)
        let never = try Binomial(p: 0, trials: 5)
        #expect(never.pmf(0) == 1 && never.cdf(0) == 1 && never.survival(0) == 0)
        let noTrials = try Binomial(p: 0.4, trials: 0)
        #expect(noTrials.pmf(0) == 1 && noTrials.sample(using: GSLRandom(seed: 3)) == 0)
    }

    @Test func negativeBinomialMatchesSciPy() throws {
        // GSL and SciPy share the parametrization: failures before the n-th success.
        let d = try NegativeBinomial(p: 0.4, n: 2.5)
        #expect(isClose(d.pmf(3), 0.1434409146652377))  // scipy.stats.nbinom.pmf(3, 2.5, 0.4)
        #expect(isClose(d.cdf(3), 0.5558019215511945))  // scipy.stats.nbinom.cdf(3, 2.5, 0.4)
        #expect(isClose(d.survival(3), 0.44419807844880554))  // scipy.stats.nbinom.sf(3, 2.5, 0.4)
        #expect(isClose(d.mean, 3.75) && isClose(d.variance, 9.375))  // scipy.stats.nbinom.stats(2.5, 0.4)
    }

    @Test func negativeBinomialFromMeanAndDispersion() throws {
        let d = try NegativeBinomial.meanDispersion(mean: 1.6, dispersion: 0.8)
        #expect(isClose(d.n, 0.8) && isClose(d.p, 1.0 / 3.0))
        #expect(isClose(d.mean, 1.6) && isClose(d.variance, 1.6 + 1.6 * 1.6 / 0.8))
        #expect(isClose(d.pmf(0), 0.4152436465385059))  // scipy.stats.nbinom.pmf(0, 0.8, 1/3)
        #expect(isClose(d.cdf(4), 0.9046282771967464))  // scipy.stats.nbinom.cdf(4, 0.8, 1/3)
        #expect(isClose(d.survival(10), 0.007385656982066277))  // scipy.stats.nbinom.sf(10, 0.8, 1/3)

        // Mean 0 is the point mass at 0 (p = 1; GSL's pdf gives NaN there).
        let zero = try NegativeBinomial.meanDispersion(mean: 0, dispersion: 2)
        #expect(zero.pmf(0) == 1 && zero.pmf(2) == 0 && zero.cdf(0) == 1 && zero.survival(0) == 0)
        #expect(zero.sample(using: GSLRandom(seed: 9)) == 0)
    }
}
