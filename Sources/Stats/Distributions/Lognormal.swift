import CGSL

/// Lognormal distribution: X = exp(Y) with Y ~ Normal(zeta, sigma); e.g. session lengths or spend.
public struct Lognormal: ContinuousDistribution, Hashable {
    /// Location on the log scale (the mean of log X); the median of X is exp(zeta).
    public let zeta: Double
    /// Standard deviation on the log scale.
    public let sigma: Double

    /// - Parameters:
    ///   - zeta: Finite.
    ///   - sigma: Positive and finite.
    public init(zeta: Double, sigma: Double) throws {
        GSL.ensureInitialized()
        try Check.finite(zeta, "zeta", in: "Lognormal(zeta:sigma:)")
        try Check.positive(sigma, "sigma", in: "Lognormal(zeta:sigma:)")
        self.zeta = zeta
        self.sigma = sigma
    }

    public var mean: Double { exp(zeta + sigma * sigma / 2) }
    public var variance: Double { expm1(sigma * sigma) * exp(2 * zeta + sigma * sigma) }

    public func pdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 || x == .infinity { return 0 }
        return gsl_ran_lognormal_pdf(x, zeta, sigma)
    }

    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x == .infinity { return 1 }
        return gsl_cdf_lognormal_P(x, zeta, sigma)
    }

    public func survival(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        if x == .infinity { return 0 }
        return gsl_cdf_lognormal_Q(x, zeta, sigma)
    }

    /// `gsl_cdf_lognormal_Pinv` (exp of the normal quantile), checked like the other quantiles.
    public func quantile(_ p: Double) throws -> Double {
        try Inversion.quantile(
            p, function: "Lognormal.quantile",
            gsl: { gsl_cdf_lognormal_Pinv($0, zeta, sigma) },
            cdf: cdf, survival: survival,
            toX: { exp($0) }, tRange: -745...710
        )
    }

    /// One draw from `gsl_ran_lognormal`.
    public func sample(using random: GSLRandom) -> Double {
        gsl_ran_lognormal(random.pointer, zeta, sigma)
    }
}
