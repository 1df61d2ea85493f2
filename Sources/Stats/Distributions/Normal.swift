import CGSL

/// Normal (Gaussian) distribution. GSL's functions are centred at 0, so the mean is applied here.
public struct Normal: ContinuousDistribution, Hashable {
    public let mean: Double
    /// Standard deviation.
    public let sd: Double

    /// - Parameters:
    ///   - mean: Finite.
    ///   - sd: Positive and finite.
    public init(mean: Double, sd: Double) throws {
        GSL.ensureInitialized()
        try Check.finite(mean, "mean", in: "Normal(mean:sd:)")
        try Check.positive(sd, "sd", in: "Normal(mean:sd:)")
        self.mean = mean
        self.sd = sd
    }

    public var variance: Double { sd * sd }

    public func pdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x.isInfinite { return 0 }
        return gsl_ran_gaussian_pdf(x - mean, sd)
    }

    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x.isInfinite { return x > 0 ? 1 : 0 }
        return gsl_cdf_gaussian_P(x - mean, sd)
    }

    public func survival(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x.isInfinite { return x > 0 ? 0 : 1 }
        return gsl_cdf_gaussian_Q(x - mean, sd)
    }

    /// `mean + gsl_cdf_gaussian_Pinv(p, sd)`; −∞ at p = 0 and +∞ at p = 1.
    public func quantile(_ p: Double) throws -> Double {
        let mean = self.mean
        let sd = self.sd
        return try Inversion.quantile(
            p, function: "Normal.quantile",
            gsl: { mean + gsl_cdf_gaussian_Pinv($0, sd) },
            cdf: cdf, survival: survival,
            // Bisection fallback (never expected to be needed): t in units of sd around the mean.
            toX: { mean + $0 * sd }, tRange: -40...40
        )
    }

    /// One draw: `mean + gsl_ran_gaussian(sd)`.
    public func sample(using random: GSLRandom) -> Double {
        mean + gsl_ran_gaussian(random.pointer, sd)
    }
}
