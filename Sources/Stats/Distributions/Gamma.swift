import CGSL

/// Gamma distribution with density x^(shape−1) e^(−x/scale) / (Γ(shape) scale^shape) on x > 0.
public struct Gamma: ContinuousDistribution, Hashable {
    public let shape: Double
    public let scale: Double

    /// - Parameters:
    ///   - shape: k > 0, finite.
    ///   - scale: θ > 0, finite (rate = 1/θ).
    public init(shape: Double, scale: Double) throws {
        GSL.ensureInitialized()
        try Check.positive(shape, "shape", in: "Gamma(shape:scale:)")
        try Check.positive(scale, "scale", in: "Gamma(shape:scale:)")
        self.shape = shape
        self.scale = scale
    }

    public var mean: Double { shape * scale }
    public var variance: Double { shape * scale * scale }

    /// At x = 0 the density is +∞ for shape < 1 and 1/scale for shape = 1 (GSL returns 0 for shape < 1).
    public func pdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 || x == .infinity { return 0 }
        if x == 0 {
            if shape < 1 { return .infinity }
            return shape == 1 ? 1 / scale : 0
        }
        return gsl_ran_gamma_pdf(x, shape, scale)
    }

    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x == .infinity { return 1 }
        return gsl_cdf_gamma_P(x, shape, scale)
    }

    public func survival(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        if x == .infinity { return 0 }
        return gsl_cdf_gamma_Q(x, shape, scale)
    }

    /// `gsl_cdf_gamma_Pinv`, checked and, where GSL fails (small shapes, extreme p), solved by bisection.
    public func quantile(_ p: Double) throws -> Double {
        try Inversion.quantile(
            p, function: "Gamma.quantile",
            gsl: { gsl_cdf_gamma_Pinv($0, shape, scale) },
            cdf: cdf, survival: survival,
            toX: { exp($0) }, tRange: -745...710
        )
    }

    /// One draw from `gsl_ran_gamma` (Marsaglia–Tsang).
    public func sample(using random: GSLRandom) -> Double {
        gsl_ran_gamma(random.pointer, shape, scale)
    }
}
