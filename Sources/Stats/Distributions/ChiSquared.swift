import CGSL

/// Chi-squared distribution (a Gamma with shape ν/2 and scale 2); the reference law of goodness-of-fit statistics.
public struct ChiSquared: ContinuousDistribution, Hashable {
    /// ν; real-valued in GSL, usually a whole number.
    public let degreesOfFreedom: Double

    /// - Parameter degreesOfFreedom: ν > 0, finite.
    public init(degreesOfFreedom: Double) throws {
        GSL.ensureInitialized()
        try Check.positive(degreesOfFreedom, "degreesOfFreedom", in: "ChiSquared(degreesOfFreedom:)")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// Convenience for whole-number degrees of freedom, as counted by tests (e.g. ``ChiSquareTest``).
    public init(degreesOfFreedom: Int) throws {
        try self.init(degreesOfFreedom: Double(degreesOfFreedom))
    }

    public var mean: Double { degreesOfFreedom }
    public var variance: Double { 2 * degreesOfFreedom }

    /// At x = 0 the density is +∞ for ν < 2 and 1/2 for ν = 2.
    public func pdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0 || x == .infinity { return 0 }
        if x == 0 {
            if degreesOfFreedom < 2 { return .infinity }
            return degreesOfFreedom == 2 ? 0.5 : 0
        }
        return gsl_ran_chisq_pdf(x, degreesOfFreedom)
    }

    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x == .infinity { return 1 }
        return gsl_cdf_chisq_P(x, degreesOfFreedom)
    }

    /// Upper tail P[X > x] (`gsl_cdf_chisq_Q`): the p-value of a chi-square statistic x.
    public func survival(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        if x == .infinity { return 0 }
        return gsl_cdf_chisq_Q(x, degreesOfFreedom)
    }

    /// `gsl_cdf_chisq_Pinv`, checked and solved by bisection where GSL fails (very small ν, extreme p).
    public func quantile(_ p: Double) throws -> Double {
        try Inversion.quantile(
            p, function: "ChiSquared.quantile",
            gsl: { gsl_cdf_chisq_Pinv($0, degreesOfFreedom) },
            cdf: cdf, survival: survival,
            toX: { exp($0) }, tRange: -745...710
        )
    }

    /// One draw from `gsl_ran_chisq`.
    public func sample(using random: GSLRandom) -> Double {
        gsl_ran_chisq(random.pointer, degreesOfFreedom)
    }
}
