import CGSL

/// Beta distribution on [0, 1] with density x^(a−1) (1−x)^(b−1) / B(a, b); e.g. for rates and proportions.
public struct Beta: ContinuousDistribution, Hashable {
    public let a: Double
    public let b: Double

    /// - Parameters:
    ///   - a: α > 0, finite.
    ///   - b: β > 0, finite.
    public init(a: Double, b: Double) throws {
        GSL.ensureInitialized()
        try Check.positive(a, "a", in: "Beta(a:b:)")
        try Check.positive(b, "b", in: "Beta(a:b:)")
        self.a = a
        self.b = b
    }

    public var mean: Double { a / (a + b) }
    public var variance: Double { a * b / ((a + b) * (a + b) * (a + b + 1)) }

    /// At the end points the density is +∞ when the matching parameter is below 1.
    public func pdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 || x > 1 { return 0 }
        if x == 0 {
            if a < 1 { return .infinity }
            return a == 1 ? b : 0
        }
        if x == 1 {
            if b < 1 { return .infinity }
            return b == 1 ? a : 0
        }
        return gsl_ran_beta_pdf(x, a, b)
    }

    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        return gsl_cdf_beta_P(x, a, b)
    }

    public func survival(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        return gsl_cdf_beta_Q(x, a, b)
    }

    /// `gsl_cdf_beta_Pinv`, checked and, where GSL fails (a or b small, extreme p), solved by bisection.
    public func quantile(_ p: Double) throws -> Double {
        try Inversion.quantile(
            p, function: "Beta.quantile",
            gsl: { gsl_cdf_beta_Pinv($0, a, b) },
            cdf: cdf, survival: survival,
            // Logistic map: resolves both x near 0 (down to ~1e-323) and x near 1.
            toX: { 1 / (1 + exp(-$0)) }, tRange: -745...40
        )
    }

    /// One draw from `gsl_ran_beta`.
    public func sample(using random: GSLRandom) -> Double {
        gsl_ran_beta(random.pointer, a, b)
    }
}
