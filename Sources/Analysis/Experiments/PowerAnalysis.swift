import Stats

/// Power and minimum detectable effect of a two-proportion z test (``TwoProportions`` computes both the pooled and
/// the Wald one), by the normal approximation, for planning arm sizes before a campaign runs.
///
/// With p₁ = p₀ + δ, p̄ = (n₁p₁ + n₀p₀)/(n₁ + n₀), the null standard error σ₀ = √(p̄(1 − p̄)(1/n₁ + 1/n₀)) (the
/// pooled one the test divides by) and the true standard error σ₁ = √(p₁(1 − p₁)/n₁ + p₀(1 − p₀)/n₀), the test
/// rejects when |p̂₁ − p̂₀| > z σ₀ with z = Φ⁻¹(1 − α/2), so
///
///     power = Φ((δ − z σ₀)/σ₁) + Φ((−δ − z σ₀)/σ₁)
///
/// (Fleiss, Levin and Paik 2003, chapter 4, with both rejection tails; R's `power.prop.test` for equal arms). The
/// minimum detectable effect is the δ > 0 at which this reaches the wanted power, found by bisection because σ₁
/// and σ₀ depend on δ.
///
/// For the Wald test (``Test/wald``, the unpooled z test the experiment reports beside its Wald interval) the
/// null standard error is the true one, σ₁, in place of σ₀.
public enum PowerAnalysis {
    /// Which two-proportion z test the power is of: they differ in the standard error they divide by.
    public enum Test: Sendable {
        /// The pooled standard error √(p̄(1 − p̄)(1/n₁ + 1/n₀)).
        case pooled
        /// The unpooled standard error √(p̂₁q̂₁/n₁ + p̂₀q̂₀/n₀).
        case wald
    }

    /// Probability that the two-sided pooled z test at level α rejects when the treatment rate is
    /// `baselineRate + difference`.
    /// - Parameters:
    ///   - baselineRate: The control rate p₀, in (0, 1).
    ///   - difference: The true δ = p₁ − p₀, with p₁ in [0, 1]; negative for a decrease.
    ///   - treatmentCount: n₁ > 0.
    ///   - controlCount: n₀ > 0.
    ///   - alpha: Two-sided significance level, in (0, 1).
    ///   - test: The test whose power this is.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for arguments outside these ranges.
    public static func power(
        baselineRate: Double, difference: Double, treatmentCount: Int, controlCount: Int, alpha: Double = 0.05,
        test: Test = .pooled
    ) throws -> Double {
        try validate(baselineRate: baselineRate, treatmentCount: treatmentCount, controlCount: controlCount)
        let treatmentRate = baselineRate + difference
        guard treatmentRate >= 0, treatmentRate <= 1 else {
            throw ExperimentError.invalidArgument(
                "baselineRate + difference must be in [0, 1] (got \(baselineRate) + \(difference))")
        }
        let z = try critical(alpha: alpha)
        return try unchecked(
            p0: baselineRate, delta: difference, n1: treatmentCount, n0: controlCount, z: z, test: test)
    }

    /// The smallest increase δ > 0 over `baselineRate` that the two-sided pooled z test at level α detects with
    /// the wanted power.
    /// - Parameters:
    ///   - baselineRate: The control rate p₀, in (0, 1).
    ///   - treatmentCount: n₁ > 0.
    ///   - controlCount: n₀ > 0; unequal arms are allowed.
    ///   - alpha: Two-sided significance level, in (0, 1).
    ///   - power: Wanted power, in (α, 1).
    ///   - test: The test whose power this is.
    /// - Returns: δ to about 1e-12, or `nil` when even p₁ = 1 would not be detected with that power.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for arguments outside these ranges.
    public static func minimumDetectableEffect(
        baselineRate: Double, treatmentCount: Int, controlCount: Int, alpha: Double = 0.05, power: Double = 0.8,
        test: Test = .pooled
    ) throws -> Double? {
        try validate(baselineRate: baselineRate, treatmentCount: treatmentCount, controlCount: controlCount)
        let z = try critical(alpha: alpha)
        guard power > alpha, power < 1 else {
            throw ExperimentError.invalidArgument("power must be in (alpha, 1) (got \(power), alpha \(alpha))")
        }
        func achieved(_ delta: Double) throws -> Double {
            try unchecked(p0: baselineRate, delta: delta, n1: treatmentCount, n0: controlCount, z: z, test: test)
        }
        var low = 0.0
        var high = 1 - baselineRate
        guard try achieved(high) >= power else { return nil }
        // At δ = 0 the power is α < power; keep power(low) < power ≤ power(high).
        while high - low > 1e-13 {
            let mid = low + (high - low) / 2
            if mid <= low || mid >= high { break }
            if try achieved(mid) < power { low = mid } else { high = mid }
        }
        return high
    }

    private static func unchecked(p0: Double, delta: Double, n1: Int, n0: Int, z: Double, test: Test) throws
        -> Double
    {
        let (m1, m0) = (Double(n1), Double(n0))
        let p1 = p0 + delta
        let pooled = (m1 * p1 + m0 * p0) / (m1 + m0)
        let pooledSE = (pooled * (1 - pooled) * (1 / m1 + 1 / m0)).squareRoot()
        // p₀ is in (0, 1), so the true standard error is positive.
        let trueSE = (p1 * (1 - p1) / m1 + p0 * (1 - p0) / m0).squareRoot()
        let standard = try Normal(mean: 0, sd: 1)
        let nullSE = test == .pooled ? pooledSE : trueSE
        return standard.cdf((delta - z * nullSE) / trueSE) + standard.cdf((-delta - z * nullSE) / trueSE)
    }

    private static func critical(alpha: Double) throws -> Double {
        guard alpha > 0, alpha < 1 else {
            throw ExperimentError.invalidArgument("alpha must be in (0, 1) (got \(alpha))")
        }
        return try Normal(mean: 0, sd: 1).quantile(1 - alpha / 2)
    }

    private static func validate(baselineRate: Double, treatmentCount: Int, controlCount: Int) throws {
        guard baselineRate > 0, baselineRate < 1 else {
            throw ExperimentError.invalidArgument("baselineRate must be in (0, 1) (got \(baselineRate))")
        }
        guard treatmentCount > 0, controlCount > 0 else {
            throw ExperimentError.invalidArgument(
                "arm sizes must be positive (got \(treatmentCount) and \(controlCount))")
        }
    }
}
