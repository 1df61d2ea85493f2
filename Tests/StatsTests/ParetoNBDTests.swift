import Testing

@testable import Stats

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#endif

/// Draws Pareto/NBD customers: λ ~ Gamma(r, α) and μ ~ Gamma(s, β); an exponential lifetime at rate μ from the first
/// purchase at 0, and exponential gaps at rate λ while alive and inside (0, T]. Observation lengths are uniform on
/// [27, 39] weeks, like the CDNOW cohort's.
func simulateParetoNBD(_ model: ParetoNBD, customers count: Int, seed: UInt64) throws -> [CustomerSummary] {
    var generator = SplitMix64(seed: seed)
    var customers: [CustomerSummary] = []
    customers.reserveCapacity(count)
    for _ in 0..<count {
        let T = 27 + 12 * FastSampler.uniform(using: &generator)
        let lambda = FastSampler.gamma(shape: model.r, using: &generator) / model.alpha
        let mu = FastSampler.gamma(shape: model.s, using: &generator) / model.beta
        let death = -log(FastSampler.uniformPositive(using: &generator)) / mu
        let end = min(death, T)
        var time = 0.0
        var x = 0
        var tx = 0.0
        while true {
            time += -log(FastSampler.uniformPositive(using: &generator)) / lambda
            guard time <= end else { break }
            x += 1
            tx = time
        }
        customers.append(try CustomerSummary(x: x, tx: tx, T: T))
    }
    return customers
}

@Suite("Pareto/NBD: likelihood, predictions and maximum likelihood")
struct ParetoNBDTests {
    /// Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science 24(2), section 7, fit
    /// the Pareto/NBD to the same CDNOW calibration data for comparison: r = 0.553, α = 10.578, s = 0.606,
    /// β = 11.669, log-likelihood −9595.0. Each estimate here must round to the published figure.
    @Test func cdnowFitReproducesThePublishedEstimates() throws {
        let fit = try CDNOW.paretoNBD.get()
        #expect(fit.customerCount == 2357)
        for (estimate, published) in zip(fit.parameters, [0.553, 10.578, 0.606, 11.669]) {
            #expect(roundsTo(estimate, published, decimals: 3), "\(fit.parameters)")
        }
        #expect(roundsTo(fit.logLikelihood, -9595.0, decimals: 1), "\(fit.logLikelihood)")
        // The BG/NBD fits these data slightly better (FHL: −9582.4 against −9595.0).
        #expect(try CDNOW.bgnbd.get().logLikelihood > fit.logLikelihood)
    }

    /// The optimum to many digits, found as for the BG/NBD (``BGNBDTests``): mpmath 1.3.0 Newton–Raphson at 30 digits
    /// on the likelihood of Fader & Hardie's note with mpmath's ₂F₁, differences of step 1e-9, gradient below 1e-18.
    /// Here the gradient is itself a central difference, so the estimates are good to about 1e-7 and the standard
    /// errors (from Richardson-extrapolated second differences) to about 1e-6; s and β are 0.97 correlated, which
    /// makes their direction the least precise.
    @Test func cdnowFitMatchesAHighPrecisionOptimum() throws {
        let fit = try CDNOW.paretoNBD.get()
        #expect(fit.converged && fit.gradientNorm <= 1e-9, "\(fit.gradientNorm)")
        #expect(fit.startsReachingOptimum == 3 && fit.startCount == 3)
        #expect(fit.names == ["r", "alpha", "s", "beta"])
        let estimates = [0.553277046726488, 10.577683457702, 0.606239994029202, 11.6687354243435]
        let logErrors = [0.0860833216591, 0.0796698574715, 0.308922782651, 0.532286789156]
        let errors = [0.04762792598, 0.842722533454, 0.18728134591, 6.21111371253]
        for j in 0..<4 {
            #expect(isClose(fit.parameters[j], estimates[j], relative: 1e-6), "\(fit.parameters)")
            #expect(
                isClose(fit.logScaleStandardErrors[j], logErrors[j], relative: 1e-5), "\(fit.logScaleStandardErrors)")
            #expect(isClose(fit.standardErrors[j], errors[j], relative: 1e-5), "\(fit.standardErrors)")
        }
        #expect(isClose(fit.logLikelihood, -9594.9761785320535, relative: 1e-13))
        let correlation = { (i: Int, j: Int) in
            fit.logScaleCovariance[i, j] / (fit.logScaleStandardErrors[i] * fit.logScaleStandardErrors[j])
        }
        #expect(isClose(correlation(0, 1), 0.821762, relative: 1e-4))
        #expect(isClose(correlation(2, 3), 0.971571, relative: 1e-4))
    }

    /// Per-customer values at the published estimates (0.553, 10.578, 0.606, 11.669), horizon 39 weeks, from mpmath
    /// at 50 digits: the log-likelihood with mpmath's ₂F₁; P(alive) with the "died in (tx, T]" term by quadrature of
    /// ∫ s (α+u)^−(r+x) (β+u)^−(s+1) du (so not through ₂F₁ at all); E[Y(39)] as P(alive) · (r+x)/(α+T) ·
    /// ∫₀³⁹ ((β+T)/(β+T+u))ˢ du by quadrature; and P(no purchase in 39 weeks) as the likelihood ratio
    /// L(x, tx, T + 39) / L(x, tx, T), the same with ₂F₁ and with quadrature to 25 digits.
    ///
    /// The simpler 1 − P(alive) + P(alive) ((α+T)/(α+T+τ))^(r+x), which treats an alive customer as buying at rate λ
    /// for the whole window, gives 0.3277, 0.9188, 0.0038, 1.0000 and 0.4028 for these customers: too low, because a
    /// Pareto/NBD customer may die early in the window and stop buying.
    @Test func predictionsMatchHighPrecisionValues() throws {
        let model = try ParetoNBD(r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669)
        let expected: [(id: Int, logLikelihood: Double, alive: Double, transactions: Double, none: Double)] = [
            (1, -9.5541228209090361, 0.86918614393320628, 1.4552261094144407, 0.40804092992149246),
            (3, -0.52103685688206721, 0.29530337342726932, 0.10709283325231859, 0.93070873679898069),
            (157, -45.05612416293367, 0.99618848020315067, 19.596998398621112, 0.023410980136861428),
            (1901, -17.808646736338672, 2.407371010818039e-8, 4.0802961115544429e-7, 0.99999997656830841),
            (59, -6.2151633961210409, 1.0, 1.0260427625707505, 0.48255672770718884),
        ]
        let naive = [0.327717, 0.918782, 0.00381155, 1.0, 0.40284]
        for (row, simpler) in zip(expected, naive) {
            let customer = CDNOW.customer(row.id)
            #expect(isClose(model.logLikelihood(customer), row.logLikelihood, relative: 1e-12), "\(row.id)")
            #expect(isClose(model.probabilityAlive(customer), row.alive, relative: 1e-11), "\(row.id)")
            #expect(
                isClose(model.expectedTransactions(customer, horizon: 39), row.transactions, relative: 1e-11),
                "\(row.id)")
            let none = model.probabilityOfNoTransactions(customer, horizon: 39)
            #expect(isClose(none, row.none, relative: 1e-11), "\(row.id): \(none)")
            #expect(none >= simpler - 1e-6)
            #expect(model.expectedTransactions(customer, horizon: 0) == 0)
            #expect(model.probabilityOfNoTransactions(customer, horizon: 0) == 1)
        }
    }

    /// The likelihood and P(alive) where ₂F₁ is hardest: α far below or above β (arguments of ₂F₁ near 1), α = β
    /// (argument 0), a purchase on the last day (tx = T: no "died" term), a gap of 0.001 (A₀ a near-cancellation),
    /// 150 purchases (₂F₁ parameters above 150, terms near 1e-272). References: mpmath at 50 digits, ₂F₁ form, which
    /// agrees to 1e-20 with the quadrature form of the "died" term; P(alive) from the quadrature form.
    @Test func likelihoodMatchesHighPrecisionValuesInHardRegimes() throws {
        let customers = try [
            (0, 0, 39), (2, 30.43, 38.86), (29, 37.71, 38), (21, 4.71, 29.29), (1, 38.43, 38.43), (5, 20, 20.001),
            (150, 50, 52),
        ].map { try CustomerSummary(x: Double($0.0), tx: $0.1, T: $0.2) }
        let references: [(parameters: [Double], values: [(logLikelihood: Double, alive: Double)])] = [
            (
                [0.553, 10.578, 0.606, 11.669],
                [
                    (-0.52150741887657735, 0.29446703101458643),
                    (-9.5542832451504058, 0.86916755915301119),
                    (-45.056061486855095, 0.99612604497230845),
                    (-17.80246408027463, 2.3868441127463308e-8),
                    (-6.2152259654408177, 1.0),
                    (-14.724990379123502, 0.99998086331554623),
                    (-19.743313824667994, 0.65354880051813496),
                ]
            ),
            (
                [2.0, 0.5, 0.3, 40.0],
                [
                    (-5.6081808048070732, 0.035618667177529077),
                    (-14.43315034408274, 0.945517162907373),
                    (-40.097553174794555, 0.99874166299702666),
                    (2.6363780159871761, 2.1307742098928538e-15),
                    (-11.88044078136023, 1.0),
                    (-16.071998338785584, 0.99999499920044847),
                    (6.6998024952139848, 0.71021631537443108),
                ]
            ),
            (
                [0.8, 60.0, 1.5, 0.2],
                [
                    (-0.0046670075059741955, 0.00024527630394546493),
                    (-16.725123350633444, 0.6643565339537283),
                    (-70.794245116532227, 0.98812196765885706),
                    (-48.693447109096375, 0.00014640724641344118),
                    (-13.103690679358981, 1.0),
                    (-24.765152588032585, 0.9999257444775664),
                    (-112.47859136843465, 0.75808690537938355),
                ]
            ),
            (
                [1.3, 7.0, 0.9, 7.0],
                [
                    (-0.87112382478594693, 0.037972809320829682),
                    (-10.437638432498272, 0.77601950998444916),
                    (-42.098375519346374, 0.99359412298245925),
                    (-9.6399525831440724, 1.034445890952745e-10),
                    (-7.6683859828790179, 1.0),
                    (-14.033738733300306, 0.99996666395058971),
                    (-8.936199844541941, 0.47178691331044392),
                ]
            ),
            (
                [0.05, 0.01, 5.0, 300.0],
                [
                    (-0.38513993130136506, 0.5276101381127731),
                    (-11.129606544023224, 0.85208112291114809),
                    (-41.412886520616915, 0.99520629701133071),
                    (0.98289605173013616, 3.5946522713449333e-15),
                    (-7.6602183043042798, 1.0),
                    (-15.39941967542708, 0.99998437317475585),
                    (4.3624242244461439, 0.36278874667001261),
                ]
            ),
        ]
        for reference in references {
            let model = try ParetoNBD(parameters: reference.parameters)
            for (customer, expected) in zip(customers, reference.values) {
                let logLikelihood = model.logLikelihood(customer)
                #expect(
                    isClose(logLikelihood, expected.logLikelihood, relative: 1e-12, absolute: 1e-13),
                    "\(reference.parameters) \(customer): \(logLikelihood)")
                let alive = model.probabilityAlive(customer)
                #expect(
                    isClose(alive, expected.alive, relative: 1e-10), "\(reference.parameters) \(customer): \(alive)")
                // GSL's adaptive quadrature of the same term agrees with the ₂F₁ form.
                let closed = model.logDied(from: customer.tx, to: customer.T, x: customer.x)
                let quadrature = model.logDiedByQuadrature(from: customer.tx, to: customer.T, x: customer.x)
                if customer.T > customer.tx {
                    #expect(isClose(quadrature, closed, relative: 1e-11), "\(reference.parameters) \(customer)")
                } else {
                    #expect(closed == -.infinity)
                }
            }
        }
    }

    /// P(no purchase in (T, T + τ]) equals L(x, tx, T + τ) / L(x, tx, T) for every CDNOW customer and several horizons,
    /// and never falls below the value for a customer who could not die during the window.
    @Test func probabilityOfNoTransactionsIsALikelihoodRatio() throws {
        let model = try CDNOW.paretoNBD.get().model
        for customer in CDNOW.customers {
            let alive = model.probabilityAlive(customer)
            for horizon in [0.5, 13, 39, 520] {
                let longer = try CustomerSummary(x: customer.x, tx: customer.tx, T: customer.T + horizon)
                let ratio = exp(model.logLikelihood(longer) - model.logLikelihood(customer))
                let none = model.probabilityOfNoTransactions(customer, horizon: horizon)
                #expect(isClose(none, ratio, relative: 1e-11), "\(customer), \(horizon)")
                let immortal =
                    1 - alive + alive
                    * pow((model.alpha + customer.T) / (model.alpha + customer.T + horizon), model.r + customer.x)
                #expect(none >= immortal * (1 - 1e-12))
            }
        }
    }

    /// The expectation's factor [1 − ((β+T)/(β+T+τ))^(s−1)] / (s − 1) has the limit log((β+T+τ)/(β+T)) at s = 1.
    @Test func expectationIsContinuousAtSEqualsOne() throws {
        let customer = CDNOW.customer(1)
        let at = { (s: Double) in try ParetoNBD(r: 0.553, alpha: 10.578, s: s, beta: 11.669) }
        let middle = try at(1).expectedTransactions(customer, horizon: 39)
        let below = try at(1 - 1e-9).expectedTransactions(customer, horizon: 39)
        let above = try at(1 + 1e-9).expectedTransactions(customer, horizon: 39)
        #expect(isClose(middle, below, relative: 1e-8) && isClose(middle, above, relative: 1e-8))
        let model = try at(1)
        let direct =
            model.probabilityAlive(customer) * (model.r + customer.x) / (model.alpha + customer.T)
            * (model.beta + customer.T) * log((model.beta + customer.T + 39) / (model.beta + customer.T))
        #expect(isClose(middle, direct, relative: 1e-14))
    }

    /// 4 000 customers drawn with SplitMix64 from the CDNOW estimates (0.553, 10.578, 0.606, 11.669), fitted from one
    /// start away from the truth: every log-parameter within 3.29 standard errors of the truth (99.9 % each).
    @Test func simulatedCustomersRecoverTheParameters() throws {
        let truth = try ParetoNBD(r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669)
        let customers = try simulateParetoNBD(truth, customers: 4000, seed: 19_870_101)
        let fit = try ParetoNBD.fit(customers, starts: [ParetoNBD(r: 1, alpha: 5, s: 1, beta: 30)])
        #expect(fit.converged)
        for j in 0..<4 {
            let z = (log(fit.parameters[j]) - log(truth.parameters[j])) / fit.logScaleStandardErrors[j]
            #expect(abs(z) < 3.29, "\(fit.names[j]): estimate \(fit.parameters[j]), z = \(z)")
        }
    }

    @Test func badInputThrowsClearErrors() throws {
        let idle = try CustomerSummary(x: 0, tx: 0, T: 10)
        let cases: [(String, () throws -> Void)] = [
            ("no customers", { _ = try ParetoNBD.fit([]) }),
            ("no customer has a repeat transaction", { _ = try ParetoNBD.fit([idle]) }),
            ("s must be positive", { _ = try ParetoNBD(r: 1, alpha: 1, s: -1, beta: 1) }),
            ("expected 4 parameters", { _ = try ParetoNBD(parameters: [1, 1, 1, 1, 1]) }),
        ]
        for (phrase, attempt) in cases {
            let error = #expect(throws: GSLError.self, "\(phrase)") { try attempt() }
            #expect(error?.reason.contains(phrase) == true, "\(phrase): \(error?.reason ?? "no error")")
        }
    }
}
