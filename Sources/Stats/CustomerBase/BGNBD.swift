import CGSL

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The beta-geometric/NBD model of P. S. Fader, B. G. S. Hardie and K. L. Lee, "'Counting Your Customers' the Easy
/// Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 2005, 275–284 (FHL below).
///
/// While alive, a customer buys as a Poisson process with rate λ; right after each purchase they drop out for good
/// with probability p. Across customers λ ~ Gamma(shape r, rate α) and p ~ Beta(a, b), independently. α is a rate
/// in the time unit of the data (weeks for CDNOW); r, a and b have no unit.
///
/// Equation numbers below are FHL's. Every quantity is computed on the log scale where that avoids overflow.
public struct BGNBD: CustomerBaseModel {
    /// Shape of the gamma distribution of purchase rates.
    public let r: Double
    /// Rate (inverse scale) of the gamma distribution of purchase rates, per unit of time.
    public let alpha: Double
    /// First shape of the beta distribution of dropout probabilities.
    public let a: Double
    /// Second shape of the beta distribution of dropout probabilities.
    public let b: Double

    public typealias Fit = CustomerBaseFit<BGNBD>

    public static let parameterNames = ["r", "alpha", "a", "b"]

    public var parameters: [Double] { [r, alpha, a, b] }

    /// - Throws: ``GSLError`` (`GSL_EDOM`) unless every parameter is positive and finite.
    public init(r: Double, alpha: Double, a: Double, b: Double) throws {
        try self.init(parameters: [r, alpha, a, b])
    }

    /// Parameters in the order r, α, a, b. - Throws: as ``init(r:alpha:a:b:)``.
    public init(parameters: [Double]) throws {
        let checked = try Self.validated(parameters, function: "BGNBD(parameters:)")
        r = checked[0]
        alpha = checked[1]
        a = checked[2]
        b = checked[3]
    }

    // MARK: - Likelihood

    /// The log of FHL equation (6):
    ///
    /// L = B(a, b + x)/B(a, b) · Γ(r + x) αʳ / (Γ(r) (α + T)^(r+x))
    ///     + δ(x > 0) · B(a + 1, b + x − 1)/B(a, b) · Γ(r + x) αʳ / (Γ(r) (α + tx)^(r+x)),
    ///
    /// evaluated as A₁ + A₂ + log(e^A₃ + δ e^A₄) with A₁ = log Γ(r + x) − log Γ(r) + r log α,
    /// A₂ = log Γ(a + b) + log Γ(b + x) − log Γ(b) − log Γ(a + b + x), A₃ = −(r + x) log(α + T) and
    /// A₄ = log a − log(b + x − 1) − (r + x) log(α + tx) (the spreadsheet form of FHL section 7).
    public func logLikelihood(_ customer: CustomerSummary) -> Double {
        let terms = logTerms(customer)
        return terms.common + SpecialFunctions.logAddExp(terms.alive, terms.dropped)
    }

    /// A₁ + A₂, A₃ (alive at T) and A₄ (dropped out after the last purchase; −∞ when x = 0).
    private func logTerms(_ customer: CustomerSummary) -> (common: Double, alive: Double, dropped: Double) {
        let x = customer.x
        let rx = r + x
        let common =
            gsl_sf_lngamma(rx) - gsl_sf_lngamma(r) + r * log(alpha) + gsl_sf_lngamma(a + b) + gsl_sf_lngamma(b + x)
            - gsl_sf_lngamma(b) - gsl_sf_lngamma(a + b + x)
        let alive = -rx * log(alpha + customer.T)
        guard x > 0 else { return (common, alive, -.infinity) }
        let dropped = log(a) - log(b + x - 1) - rx * log(alpha + customer.tx)
        return (common, alive, dropped)
    }

    /// The gradient of ``logLikelihood(_:)`` with respect to (log r, log α, log a, log b), in closed form.
    ///
    /// With w = e^A₃ / (e^A₃ + δ e^A₄) — which is P(alive) — and ψ the digamma function:
    /// ∂/∂r = ψ(r + x) − ψ(r) + log α − w log(α + T) − (1 − w) log(α + tx);
    /// ∂/∂α = r/α − (r + x) [w/(α + T) + (1 − w)/(α + tx)];
    /// ∂/∂a = ψ(a + b) − ψ(a + b + x) + (1 − w)/a;
    /// ∂/∂b = ψ(a + b) + ψ(b + x) − ψ(b) − ψ(a + b + x) − (1 − w)/(b + x − 1);
    /// each times its parameter for the log scale.
    func logScaleGradient(_ customer: CustomerSummary) -> [Double] {
        let x = customer.x
        let rx = r + x
        let terms = logTerms(customer)
        // w and 1 − w, each computed directly so that neither loses digits when the other is tiny.
        let dropped = x > 0 ? 1 / (1 + exp(terms.alive - terms.dropped)) : 0
        let alive = x > 0 ? 1 / (1 + exp(terms.dropped - terms.alive)) : 1
        let logAlphaT = log(alpha + customer.T)
        let logAlphaTx = log(alpha + customer.tx)
        let dR = gsl_sf_psi(rx) - gsl_sf_psi(r) + log(alpha) - alive * logAlphaT - dropped * logAlphaTx
        let dAlpha = r / alpha - rx * (alive / (alpha + customer.T) + dropped / (alpha + customer.tx))
        let psiAB = gsl_sf_psi(a + b)
        let psiABX = gsl_sf_psi(a + b + x)
        var dA = psiAB - psiABX
        var dB = psiAB + gsl_sf_psi(b + x) - gsl_sf_psi(b) - psiABX
        if x > 0 {
            dA += dropped / a
            dB -= dropped / (b + x - 1)
        }
        return [r * dR, alpha * dAlpha, a * dA, b * dB]
    }

    // MARK: - Predictions

    /// P(alive | x, tx, T) = 1 / (1 + δ(x > 0) · a/(b + x − 1) · ((α + T)/(α + tx))^(r+x)): the "alive" term of
    /// equation (6) over the whole likelihood (FHL appendix, equation (A2), mixed over λ and p), and the reciprocal
    /// of the denominator of equation (10). A customer without repeat purchases cannot have dropped out (dropout
    /// follows a purchase), so it is 1 for x = 0.
    public func probabilityAlive(_ customer: CustomerSummary) -> Double {
        guard customer.x > 0 else { return 1 }
        let logOdds =
            log(a) - log(b + customer.x - 1)
            + (r + customer.x) * log1p((customer.T - customer.tx) / (alpha + customer.tx))
        return 1 / (1 + exp(logOdds))
    }

    /// FHL equation (10), the expected number of transactions in (T, T + τ]:
    ///
    /// E[Y(τ) | x, tx, T] = P(alive) · (a + b + x − 1)/(a − 1)
    ///                       · [1 − ((α + T)/(α + T + τ))^(r+x) ₂F₁(r + x, b + x; a + b + x − 1; τ/(α + T + τ))],
    ///
    /// with ₂F₁ from GSL. The factor 1/(a − 1) makes the formula 0/0 at a = 1; within 1e-4 of it, and wherever GSL's
    /// ₂F₁ fails, the expectation given alive is computed instead as the integral it comes from: the customer is
    /// alive at T with λ ~ Gamma(r + x, α + T) and p ~ Beta(a, b + x) a posteriori, expects (1 − e^(−λpτ))/p
    /// purchases, and averaging over λ gives ∫₀¹ [1 − ((α + T)/(α + T + pτ))^(r+x)]/p · Beta(p; a, b + x) dp
    /// (GSL adaptive quadrature; for a < 1 after p = u^(1/a) removes the p^(a−1) singularity).
    ///
    /// - Precondition: `horizon` τ ≥ 0 and finite.
    public func expectedTransactions(_ customer: CustomerSummary, horizon: Double) -> Double {
        Self.validated(horizon: horizon, in: "BGNBD.expectedTransactions")
        guard horizon > 0 else { return 0 }
        return probabilityAlive(customer) * expectedTransactionsIfAlive(customer, horizon: horizon)
    }

    /// E[Y(τ) | alive at T, x, T] by the closed form of ``expectedTransactions(_:horizon:)`` when |a − 1| ≥ 1e-4 and
    /// GSL's ₂F₁ succeeds, else by quadrature. `useQuadrature` forces the quadrature.
    func expectedTransactionsIfAlive(
        _ customer: CustomerSummary, horizon: Double, useQuadrature: Bool = false
    ) -> Double {
        let x = customer.x
        let rx = r + x
        let scale = alpha + customer.T
        if !useQuadrature, abs(a - 1) >= 1e-4,
            let hypergeometric = SpecialFunctions.hypergeometric2F1(
                rx, b + x, a + b + x - 1, horizon / (scale + horizon))
        {
            let survival = exp(-rx * log1p(horizon / scale))
            let value = (a + b + x - 1) / (a - 1) * (1 - survival * hypergeometric)
            if value.isFinite, value >= 0 { return value }
        }
        return expectedTransactionsIfAliveByQuadrature(customer, horizon: horizon)
    }

    private func expectedTransactionsIfAliveByQuadrature(_ customer: CustomerSummary, horizon: Double) -> Double {
        let rx = r + customer.x
        let bx = b + customer.x
        let scale = alpha + customer.T
        let a = self.a
        // [1 − (1 + pτ/(α+T))^−(r+x)] / p, which tends to (r + x) τ/(α + T) as p → 0.
        let perDropout = { (p: Double) in p > 0 ? -expm1(-rx * log1p(p * horizon / scale)) / p : rx * horizon / scale }
        let integral: Double?
        if a < 1 {
            // p = u^(1/a) turns p^(a−1) dp into du/a.
            let logNormalizer = log(a) + gsl_sf_lnbeta(a, bx)
            integral = SpecialFunctions.integrate(from: 0, to: 1, singularAtEnds: true) { u in
                let p = pow(u, 1 / a)
                return perDropout(p) * exp((bx - 1) * log1p(-p) - logNormalizer)
            }
        } else {
            // The density is bounded at 0; substituting would crowd its mass towards u = 0.
            let logNormalizer = gsl_sf_lnbeta(a, bx)
            integral = SpecialFunctions.integrate(from: 0, to: 1, singularAtEnds: true) { p in
                guard p > 0 else { return a == 1 ? perDropout(0) * exp(-logNormalizer) : 0 }
                return perDropout(p) * exp((a - 1) * log(p) + (bx - 1) * log1p(-p) - logNormalizer)
            }
        }
        return integral ?? .nan
    }

    /// P(no transaction in (T, T + τ] | x, tx, T) = 1 − P(alive) + P(alive) · ((α + T)/(α + T + τ))^(r+x).
    ///
    /// A customer who dropped out buys nothing. One who is alive at T has, a posteriori, λ ~ Gamma(r + x, α + T)
    /// independent of p (the data weigh λ by λˣ e^(−λT)); they can only drop out right after a purchase, so they buy
    /// nothing in the window exactly when their next purchase would come after T + τ, which has probability e^(−λτ);
    /// averaging over λ gives the power. This equals L(x, tx, T + τ) / L(x, tx, T) with L of equation (6): the
    /// likelihood with a longer silent tail.
    ///
    /// - Precondition: `horizon` τ ≥ 0 and finite.
    public func probabilityOfNoTransactions(_ customer: CustomerSummary, horizon: Double) -> Double {
        Self.validated(horizon: horizon, in: "BGNBD.probabilityOfNoTransactions")
        let alive = probabilityAlive(customer)
        let silentIfAlive = exp(-(r + customer.x) * log1p(horizon / (alpha + customer.T)))
        return (1 - alive) + alive * silentIfAlive
    }

    // MARK: - Fitting

    /// Maximum-likelihood estimates of (r, α, a, b) from customer summaries, with standard errors.
    ///
    /// The log-likelihood (6) is maximized over the log-parameters from every start — the simplex first, then BFGS on
    /// the closed-form gradient (``CustomerBaseFit``) — and the best end point is kept.
    ///
    /// - Parameters:
    ///   - customers: At least one customer must have a repeat transaction.
    ///   - starts: Starting points; by default three, scaled to the data: with ρ = Σx / ΣT the pooled purchase
    ///     rate, (r, α, a, b) = (1, 1/ρ, 1, 1), (0.25, 0.25/ρ, 0.5, 2) and (3, 3/ρ, 2, 6).
    ///   - maxIterations: Iterations allowed for each of the simplex and BFGS stages from each start.
    ///   - gradientTolerance: The fit has ``CustomerBaseFit/converged`` when the Euclidean norm of the gradient of
    ///     the mean log-likelihood per customer with respect to the log-parameters is at most this.
    /// - Throws: ``GSLError``: `GSL_EDOM` for no customers, no repeat transactions or bad settings; `GSL_EFAILED`
    ///   when no start has a finite likelihood.
    public static func fit(
        _ customers: [CustomerSummary], starts: [BGNBD]? = nil, maxIterations: Int = 1000,
        gradientTolerance: Double = 1e-9
    ) throws -> Fit {
        let function = "BGNBD.fit"
        var startingPoints = starts ?? []
        if starts == nil, !customers.isEmpty {
            let rate = CustomerGroups(customers).pooledRate
            if rate > 0 {
                startingPoints = try [(1.0, 1.0, 1.0), (0.25, 0.5, 2), (3, 2, 6)].map { shape, a, b in
                    try BGNBD(r: shape, alpha: shape / rate, a: a, b: b)
                }
            }
        }
        return try Fit.estimate(
            customers, starts: startingPoints, maxIterations: maxIterations, gradientTolerance: gradientTolerance,
            function: function,
            gradient: { customer, parameters in
                // The model is rebuilt per customer only to reach its gradient; parameters are already valid.
                (try? BGNBD(parameters: parameters))?.logScaleGradient(customer)
                    ?? [Double](repeating: .nan, count: 4)
            })
    }
}
