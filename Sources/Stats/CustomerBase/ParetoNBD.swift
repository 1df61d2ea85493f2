import CGSL

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The Pareto/NBD model of D. C. Schmittlein, D. G. Morrison and R. Colombo, "Counting Your Customers: Who Are They
/// and What Will They Do Next?", Management Science 33(1), 1987, 1–24, with the likelihood and related expressions
/// as derived by P. S. Fader and B. G. S. Hardie, "A Note on Deriving the Pareto/NBD Model and Related Expressions",
/// 2005 (the note, below).
///
/// While alive, a customer buys as a Poisson process with rate λ; they die at an unobserved time that is exponential
/// with rate μ. Across customers λ ~ Gamma(shape r, rate α) and μ ~ Gamma(shape s, rate β), independently. α and β
/// are rates in the time unit of the data (weeks for CDNOW); r and s have no unit.
public struct ParetoNBD: CustomerBaseModel {
    /// Shape of the gamma distribution of purchase rates.
    public let r: Double
    /// Rate of the gamma distribution of purchase rates, per unit of time.
    public let alpha: Double
    /// Shape of the gamma distribution of death rates.
    public let s: Double
    /// Rate of the gamma distribution of death rates, per unit of time.
    public let beta: Double

    public typealias Fit = CustomerBaseFit<ParetoNBD>

    public static let parameterNames = ["r", "alpha", "s", "beta"]

    public var parameters: [Double] { [r, alpha, s, beta] }

    /// - Throws: ``GSLError`` (`GSL_EDOM`) unless every parameter is positive and finite.
    public init(r: Double, alpha: Double, s: Double, beta: Double) throws {
        try self.init(parameters: [r, alpha, s, beta])
    }

    /// Parameters in the order r, α, s, β. - Throws: as ``init(r:alpha:s:beta:)``.
    public init(parameters: [Double]) throws {
        let checked = try Self.validated(parameters, function: "ParetoNBD(parameters:)")
        r = checked[0]
        alpha = checked[1]
        s = checked[2]
        beta = checked[3]
    }

    // MARK: - Likelihood

    /// The log of the note's likelihood,
    ///
    /// L = Γ(r + x) αʳ βˢ / Γ(r) · { 1 / ((α + T)^(r+x) (β + T)ˢ) + s/(r + s + x) · A₀ },
    ///
    /// where, with ₂F₁ the Gauss hypergeometric function, for α ≥ β
    ///
    /// A₀ = ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+tx)) / (α+tx)^(r+s+x) − ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+T)) / (α+T)^(r+s+x)
    ///
    /// and for α < β
    ///
    /// A₀ = ₂F₁(r+s+x, r+x; r+s+x+1; (β−α)/(β+tx)) / (β+tx)^(r+s+x) − ₂F₁(r+s+x, r+x; r+s+x+1; (β−α)/(β+T)) / (β+T)^(r+s+x).
    ///
    /// Choosing the case by the larger of α and β keeps the argument of ₂F₁ in [0, 1), where its series converges
    /// (the note's reason for the two forms). The two terms of the braces are the customer alive at T and the customer
    /// dead in (tx, T]; they are added on the log scale, and A₀ is formed as the first ₂F₁ term times
    /// 1 − (second / first) with `expm1`, so that nothing overflows. Where GSL's ₂F₁ fails the second term is
    /// computed from the integral it solves (see ``logDied(from:to:x:)``).
    public func logLikelihood(_ customer: CustomerSummary) -> Double {
        let x = customer.x
        let common = gsl_sf_lngamma(r + x) - gsl_sf_lngamma(r) + r * log(alpha) + s * log(beta)
        return common + SpecialFunctions.logAddExp(logAlive(customer), logDied(from: customer.tx, to: customer.T, x: x))
    }

    /// −(r + x) log(α + T) − s log(β + T): the customer alive at T, bar the common factor.
    private func logAlive(_ customer: CustomerSummary) -> Double {
        -(r + customer.x) * log(alpha + customer.T) - s * log(beta + customer.T)
    }

    /// log ∫ s (α + u)^−(r+x) (β + u)^−(s+1) du over (t₁, t₂] — the customer died in that interval (after buying
    /// nothing since t₁), bar the common factor Γ(r + x) αʳ βˢ / Γ(r). Over (tx, T] this is log(s/(r+s+x) · A₀); since
    /// A₀ is a difference of one function at tx and at T, the same closed form serves any interval. −∞ when t₂ ≤ t₁.
    ///
    /// The integrand is the model's own account of dying at u: λˣ e^(−λu) (x purchases, then silence until u)
    /// averaged over λ is Γ(r + x) αʳ / (Γ(r) (α + u)^(r+x)), and the density μ e^(−μu) of death at u averaged over μ
    /// is s βˢ / (β + u)^(s+1).
    func logDied(from start: Double, to end: Double, x: Double) -> Double {
        guard end > start else { return -.infinity }
        let rsx = r + s + x
        let (larger, second, difference) = alpha >= beta ? (alpha, s + 1, alpha - beta) : (beta, r + x, beta - alpha)
        if let first = SpecialFunctions.hypergeometric2F1(rsx, second, rsx + 1, difference / (larger + start)),
            let last = SpecialFunctions.hypergeometric2F1(rsx, second, rsx + 1, difference / (larger + end)),
            first > 0, last > 0
        {
            // log of (last term / first term) of A₀; negative whenever end > start.
            let logRatio = log(last / first) - rsx * log1p((end - start) / (larger + start))
            if logRatio < 0 {
                let value = log(s) - log(rsx) + log(first) - rsx * log(larger + start) + log(-expm1(logRatio))
                if value.isFinite { return value }
            }
        }
        return logDiedByQuadrature(from: start, to: end, x: x)
    }

    /// ``logDied(from:to:x:)`` by GSL adaptive quadrature, with the integrand scaled to 1 at the start.
    func logDiedByQuadrature(from start: Double, to end: Double, x: Double) -> Double {
        let rx = r + x
        let alphaStart = alpha + start
        let betaStart = beta + start
        let s = self.s
        let base = log(s) - rx * log(alphaStart) - (s + 1) * log(betaStart)
        let integral = SpecialFunctions.integrate(from: 0, to: end - start) { u in
            exp(-rx * log1p(u / alphaStart) - (s + 1) * log1p(u / betaStart))
        }
        guard let integral, integral > 0 else { return .nan }
        return base + log(integral)
    }

    // MARK: - Predictions

    /// P(alive | x, tx, T) = 1 / (1 + s/(r + s + x) · (α + T)^(r+x) (β + T)ˢ · A₀): the "alive at T" term of the
    /// likelihood over the whole (the note; Schmittlein, Morrison & Colombo 1987).
    public func probabilityAlive(_ customer: CustomerSummary) -> Double {
        let logOdds = logDied(from: customer.tx, to: customer.T, x: customer.x) - logAlive(customer)
        return 1 / (1 + exp(logOdds))
    }

    /// E[Y(τ) | x, tx, T] = P(alive) · (r + x)(β + T) / ((α + T)(s − 1)) · [1 − ((β + T)/(β + T + τ))^(s−1)]
    /// (the note's conditional expectation; Schmittlein, Morrison & Colombo 1987).
    ///
    /// Given alive at T, λ ~ Gamma(r + x, α + T) and μ ~ Gamma(s, β + T) independently a posteriori, and the customer
    /// expects λ (1 − e^(−μτ))/μ purchases; the bracket over (s − 1) is E[(1 − e^(−μτ))/μ] · (α+T)/(β+T). It is
    /// computed with `expm1` and tends to log((β + T + τ)/(β + T)) at s = 1, which is used there.
    ///
    /// - Precondition: `horizon` τ ≥ 0 and finite.
    public func expectedTransactions(_ customer: CustomerSummary, horizon: Double) -> Double {
        Self.validated(horizon: horizon, in: "ParetoNBD.expectedTransactions")
        guard horizon > 0 else { return 0 }
        let logShrink = -log1p(horizon / (beta + customer.T))  // log((β + T)/(β + T + τ)) < 0
        let exponent = s - 1
        let lifetime = exponent == 0 ? -logShrink : -expm1(exponent * logShrink) / exponent
        return probabilityAlive(customer) * (r + customer.x) / (alpha + customer.T) * (beta + customer.T) * lifetime
    }

    /// P(no transaction in (T, T + τ] | x, tx, T) = L(x, tx, T + τ) / L(x, tx, T).
    ///
    /// The likelihood L(x, tx, T) is the probability (density) of the purchases seen and of none in (tx, T]; with T + τ
    /// in place of T it adds "and none in (T, T + τ]", so the ratio is the conditional probability. Split by state:
    ///
    /// P = 1 − P(alive) + P(alive) · { ((α+T)/(α+T+τ))^(r+x) ((β+T)/(β+T+τ))ˢ
    ///                                 + (α+T)^(r+x) (β+T)ˢ ∫_T^(T+τ) s (α+u)^−(r+x) (β+u)^−(s+1) du },
    ///
    /// the braces being E[(μ + λ e^(−(λ+μ)τ)) / (λ + μ)] over the posterior given alive (λ ~ Gamma(r + x, α + T),
    /// μ ~ Gamma(s, β + T)): the customer survives the window without buying, or dies in it at some ω < τ without
    /// having bought before ω. Unlike the BG/NBD, a Pareto/NBD customer can die between purchases, so the simpler
    /// ((α + T)/(α + T + τ))^(r+x) — no purchase in the whole window at rate λ — would understate this probability.
    /// The integral is the closed form of ``logDied(from:to:x:)`` over (T, T + τ].
    ///
    /// - Precondition: `horizon` τ ≥ 0 and finite.
    public func probabilityOfNoTransactions(_ customer: CustomerSummary, horizon: Double) -> Double {
        Self.validated(horizon: horizon, in: "ParetoNBD.probabilityOfNoTransactions")
        guard horizon > 0 else { return 1 }
        let alive = probabilityAlive(customer)
        let rx = r + customer.x
        let survivesSilent = -rx * log1p(horizon / (alpha + customer.T)) - s * log1p(horizon / (beta + customer.T))
        let diesSilent =
            logDied(from: customer.T, to: customer.T + horizon, x: customer.x) - logAlive(customer)
        let silentIfAlive = exp(SpecialFunctions.logAddExp(survivesSilent, diesSilent))
        return (1 - alive) + alive * min(1, silentIfAlive)
    }

    // MARK: - Fitting

    /// Maximum-likelihood estimates of (r, α, s, β) from customer summaries, with standard errors.
    ///
    /// The log-likelihood is maximized over the log-parameters from every start — the simplex first, then BFGS on a
    /// central-difference gradient (``CustomerBaseFit``) — and the best end point is kept.
    ///
    /// - Parameters:
    ///   - customers: At least one customer must have a repeat transaction.
    ///   - starts: Starting points; by default three, scaled to the data: with ρ = Σx / ΣT the pooled purchase rate
    ///     and T̄ the mean observation length, (r, α, s, β) = (1, 1/ρ, 1, T̄), (0.25, 0.25/ρ, 0.5, T̄/2) and
    ///     (3, 3/ρ, 2, 3T̄).
    ///   - maxIterations: Iterations allowed for each of the simplex and BFGS stages from each start.
    ///   - gradientTolerance: As for ``BGNBD/fit(_:starts:maxIterations:gradientTolerance:)``. The gradient is by
    ///     central differences here, and its rounding noise (about 1e-11 on CDNOW) bounds what can be reached.
    /// - Throws: ``GSLError``: `GSL_EDOM` for no customers, no repeat transactions or bad settings; `GSL_EFAILED`
    ///   when no start has a finite likelihood.
    public static func fit(
        _ customers: [CustomerSummary], starts: [ParetoNBD]? = nil, maxIterations: Int = 1000,
        gradientTolerance: Double = 1e-9
    ) throws -> Fit {
        var startingPoints = starts ?? []
        if starts == nil, !customers.isEmpty {
            let groups = CustomerGroups(customers)
            let rate = groups.pooledRate
            let observation = groups.meanObservation
            if rate > 0 {
                startingPoints = try [(1.0, 1.0, 1.0), (0.25, 0.5, 0.5), (3, 2, 3)].map { shape, s, lifetimes in
                    try ParetoNBD(r: shape, alpha: shape / rate, s: s, beta: lifetimes * observation)
                }
            }
        }
        return try Fit.estimate(
            customers, starts: startingPoints, maxIterations: maxIterations, gradientTolerance: gradientTolerance,
            function: "ParetoNBD.fit")
    }
}
