import CGSL

/// Student's t distribution with ν degrees of freedom, centred at 0; the reference law of t statistics.
///
/// ν may be any positive real: Welch's test has Welch–Satterthwaite degrees of freedom, which are rarely whole.
public struct StudentT: ContinuousDistribution, Hashable {
    /// ν > 0; real-valued.
    public let degreesOfFreedom: Double

    /// - Parameter degreesOfFreedom: ν > 0, finite.
    public init(degreesOfFreedom: Double) throws {
        GSL.ensureInitialized()
        try Check.positive(degreesOfFreedom, "degreesOfFreedom", in: "StudentT(degreesOfFreedom:)")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// Convenience for whole-number degrees of freedom, as in a one-sample or pooled t test.
    public init(degreesOfFreedom: Int) throws {
        try self.init(degreesOfFreedom: Double(degreesOfFreedom))
    }

    /// 0 for ν > 1; NaN for ν ≤ 1, where the tails are too heavy for a mean to exist.
    public var mean: Double { degreesOfFreedom > 1 ? 0 : .nan }

    /// ν/(ν − 2) for ν > 2; +∞ for 1 < ν ≤ 2; NaN for ν ≤ 1.
    public var variance: Double {
        if degreesOfFreedom > 2 { return degreesOfFreedom / (degreesOfFreedom - 2) }
        return degreesOfFreedom > 1 ? .infinity : .nan
    }

    public func pdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x.isInfinite { return 0 }
        return gsl_ran_tdist_pdf(x, degreesOfFreedom)
    }

    public func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x.isInfinite { return x > 0 ? 1 : 0 }
        return gsl_cdf_tdist_P(x, degreesOfFreedom)
    }

    /// Upper tail P[T > x] (`gsl_cdf_tdist_Q`); a two-sided p-value is `2 * survival(abs(t))`.
    public func survival(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x.isInfinite { return x > 0 ? 0 : 1 }
        return gsl_cdf_tdist_Q(x, degreesOfFreedom)
    }

    /// `gsl_cdf_tdist_Pinv` below the median and `gsl_cdf_tdist_Qinv(1 − p)` above it, checked like the other
    /// quantiles and solved by bisection where GSL fails; −∞ at p = 0 and +∞ at p = 1.
    public func quantile(_ p: Double) throws -> Double {
        let nu = degreesOfFreedom
        return try Inversion.quantile(
            p, function: "StudentT.quantile",
            gsl: { $0 <= 0.5 ? gsl_cdf_tdist_Pinv($0, nu) : gsl_cdf_tdist_Qinv(1 - $0, nu) },
            cdf: cdf, survival: survival,
            // sinh spans both heavy tails (|x| up to ~1e308 for small ν) and resolves x near 0 absolutely.
            toX: { sinh($0) }, tRange: -710...710
        )
    }

    /// One draw from `gsl_ran_tdist`.
    public func sample(using random: GSLRandom) -> Double {
        gsl_ran_tdist(random.pointer, degreesOfFreedom)
    }
}
