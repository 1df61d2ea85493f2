import CGSL

/// Negative binomial distribution in GSL's parametrization: the number of failures before the `n`-th success,
/// with success probability `p`; `n` may be any positive real (a Gamma–Poisson mixture).
///
/// Overdispersed counts are usually described by mean and dispersion instead; see
/// ``meanDispersion(mean:dispersion:)``.
public struct NegativeBinomial: CountDistribution, Hashable {
    /// Success probability, in (0, 1].
    public let p: Double
    /// Number of successes (real, > 0); equals the dispersion in the mean–dispersion form.
    public let n: Double

    /// - Parameters:
    ///   - p: Success probability in (0, 1]; p = 1 is the point mass at 0.
    ///   - n: Positive and finite. The mean n(1 − p)/p must not exceed ``Poisson/maximumMean`` because GSL
    ///     returns draws as 32-bit `unsigned int`.
    public init(p: Double, n: Double) throws {
        GSL.ensureInitialized()
        let function = "NegativeBinomial(p:n:)"
        guard p > 0, p <= 1 else {
            throw GSL.domainError(function, "p must be in (0, 1] (got \(p))")
        }
        try Check.positive(n, "n", in: function)
        let mean = n * (1 - p) / p
        guard mean <= Poisson.maximumMean else {
            throw GSL.domainError(function, "mean n(1-p)/p must not exceed \(Poisson.maximumMean) (got \(mean))")
        }
        self.p = p
        self.n = n
    }

    /// The negative binomial with the given mean and variance `mean + mean²/dispersion`.
    ///
    /// Smaller dispersion means more overdispersion; as dispersion → ∞ this tends to Poisson(mean).
    /// In GSL's terms `n = dispersion` and `p = dispersion / (dispersion + mean)`.
    /// - Parameters:
    ///   - mean: Finite and ≥ 0.
    ///   - dispersion: Positive and finite (often called size or k).
    public static func meanDispersion(mean: Double, dispersion: Double) throws -> NegativeBinomial {
        GSL.ensureInitialized()
        let function = "NegativeBinomial.meanDispersion(mean:dispersion:)"
        guard mean.isFinite, mean >= 0 else {
            throw GSL.domainError(function, "mean must be finite and non-negative (got \(mean))")
        }
        try Check.positive(dispersion, "dispersion", in: function)
        return try NegativeBinomial(p: dispersion / (dispersion + mean), n: dispersion)
    }

    public var mean: Double { n * (1 - p) / p }
    public var variance: Double { n * (1 - p) / (p * p) }

    public func pmf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        // GSL gives NaN at p = 1 (0⁰ in the tail factor); the point mass is answered here.
        if p == 1 { return k == 0 ? 1 : 0 }
        guard k <= CountArgument.maximum else { return 0 }
        return gsl_ran_negative_binomial_pdf(UInt32(k), p, n)
    }

    public func cdf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        if p == 1 || k >= CountArgument.maximum { return 1 }
        return gsl_cdf_negative_binomial_P(UInt32(k), p, n)
    }

    public func survival(_ k: Int) -> Double {
        guard k >= 0 else { return 1 }
        if p == 1 || k >= CountArgument.maximum { return 0 }
        return gsl_cdf_negative_binomial_Q(UInt32(k), p, n)
    }

    /// One draw from `gsl_ran_negative_binomial`.
    public func sample(using random: GSLRandom) -> Int {
        if p == 1 { return 0 }
        return Int(gsl_ran_negative_binomial(random.pointer, p, n))
    }
}
