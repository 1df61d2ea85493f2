import CGSL

/// Poisson distribution: counts of independent events at a constant rate.
public struct Poisson: CountDistribution, Hashable {
    /// The rate λ, which is both mean and variance.
    public let mean: Double

    /// The largest accepted mean. GSL returns draws as 32-bit `unsigned int`, so means must stay far below 2³².
    public static let maximumMean: Double = 1e9

    /// - Parameter mean: λ, finite, in `0...maximumMean`. A mean of 0 is the point mass at 0.
    public init(mean: Double) throws {
        GSL.ensureInitialized()
        guard mean.isFinite, mean >= 0, mean <= Self.maximumMean else {
            throw GSL.domainError("Poisson(mean:)", "mean must be finite and in [0, \(Self.maximumMean)] (got \(mean))")
        }
        self.mean = mean
    }

    public var variance: Double { mean }

    public func pmf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        // GSL computes log(0) * 0 = NaN for λ = 0; the point mass is answered here.
        if mean == 0 { return k == 0 ? 1 : 0 }
        guard k <= CountArgument.maximum else { return 0 }
        return gsl_ran_poisson_pdf(UInt32(k), mean)
    }

    public func cdf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        if mean == 0 || k >= CountArgument.maximum { return 1 }
        return gsl_cdf_poisson_P(UInt32(k), mean)
    }

    public func survival(_ k: Int) -> Double {
        guard k >= 0 else { return 1 }
        if mean == 0 || k >= CountArgument.maximum { return 0 }
        return gsl_cdf_poisson_Q(UInt32(k), mean)
    }

    /// One draw from `gsl_ran_poisson`.
    public func sample(using random: GSLRandom) -> Int {
        if mean == 0 { return 0 }
        return Int(gsl_ran_poisson(random.pointer, mean))
    }
}
