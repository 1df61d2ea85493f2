#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An anytime-valid (asymptotic) confidence sequence for treatment mean minus control mean, at one look: an
/// interval that may be recomputed after every day of an experiment, and acted on as soon as it excludes 0, without
/// the inflation of false positives that repeated looks at a fixed-sample interval cause.
///
/// The construction is the Gaussian-mixture asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy
/// and Ramdas (2024), "Time-uniform central limit theory and asymptotic confidence sequences", Annals of
/// Statistics 52(6), equation (9) of arXiv:2103.06476v7, applied to the difference in means as GrowthBook's `gbstats`
/// does (`SequentialTwoSidedTTest` with an absolute difference). With N = n₁ + n₀ users at the look, the difference
/// Δ̂ = x̄₁ − x̄₀, its variance V̂ = s₁²/n₁ + s₀²/n₀ (sample variances, divisor n − 1) and the per-user variance
/// σ̂² = N V̂, the interval is
///
///     Δ̂ ± σ̂ √( 2(Nρ² + 1) / (N²ρ²) · log( √(Nρ² + 1) / α ) )
///       = Δ̂ ± √V̂ √( 2(Nρ² + 1) / (Nρ²) · log( √(Nρ² + 1) / α ) ),
///
/// the boundary of Robbins' normal mixture with mixing variance ρ². The tuning ρ makes the boundary tightest at the
/// planned total sample size n* (the approximate minimizer the paper gives, equation (161) of arXiv:2103.06476v7;
/// both equation numbers are those of that arXiv version, which gbstats cites):
///
///     ρ² = (−2 log α + log(−2 log α + 1)) / n*.
///
/// The guarantee is asymptotic and time-uniform: the probability that the true difference lies in every interval of
/// the sequence, from some look onward, tends to at least 1 − α as the looks grow. It holds at any stopping time, so
/// looks may be daily, irregular or data-dependent. The running intersection of the intervals (see
/// ``intersection(of:)``) is valid with the same guarantee, since the event "the difference lies in every interval"
/// implies "the difference lies in their intersection". Proportions are handled as means of 0/1 values
/// (``ArmSummary/proportion(successes:trials:)``).
///
/// Compared with a fixed-sample Welch or Wald interval at the same look, the interval is wider by the factor
/// √(2(Nρ²+1)/(Nρ²) · log(√(Nρ²+1)/α)) / z(1 − α/2) — the price of being allowed to peek.
public struct ConfidenceSequence: Sendable, Hashable, Codable {
    /// Users in the treatment and control arm at this look.
    public let treatmentCount: Int
    public let controlCount: Int
    /// 1 − α is the time-uniform coverage.
    public let alpha: Double
    /// n*, the total number of users (both arms) at which the boundary is tightest.
    public let plannedSampleSize: Int
    /// ρ = √((−2 log α + log(−2 log α + 1)) / n*).
    public let rho: Double
    /// Δ̂ = x̄₁ − x̄₀.
    public let difference: Double
    /// √V̂ = √(s₁²/n₁ + s₀²/n₀).
    public let standardError: Double
    /// √V̂ √(2(Nρ²+1)/(Nρ²) · log(√(Nρ²+1)/α)).
    public let halfWidth: Double
    /// Δ̂ − halfWidth.
    public let lower: Double
    /// Δ̂ + halfWidth.
    public let upper: Double
    /// The interval lies entirely above or entirely below 0: the sequential test of "no difference" rejects.
    public let excludesZero: Bool

    /// - Parameters:
    ///   - treatment: The treatment arm's cumulative count, mean and sample variance at this look.
    ///   - control: The control arm's, likewise.
    ///   - alpha: 1 − the time-uniform coverage, in (0, 1).
    ///   - plannedSampleSize: n* ≥ 1, the planned total of both arms.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for α outside (0, 1) or n* < 1. Arms with fewer than two
    ///   users or non-finite summaries are refused by ``ArmSummary`` itself.
    public init(treatment: ArmSummary, control: ArmSummary, alpha: Double = 0.05, plannedSampleSize: Int) throws {
        let rho = try Self.tuning(alpha: alpha, plannedSampleSize: plannedSampleSize)
        treatmentCount = treatment.count
        controlCount = control.count
        self.alpha = alpha
        self.plannedSampleSize = plannedSampleSize
        self.rho = rho
        difference = treatment.mean - control.mean
        standardError = (treatment.variance / Double(treatment.count) + control.variance / Double(control.count))
            .squareRoot()
        let nRho2 = Double(treatment.count + control.count) * rho * rho
        // log(√(Nρ² + 1)/α) written as log1p(Nρ²)/2 − log α.
        let radius = 2 * (nRho2 + 1) / nRho2 * (log1p(nRho2) / 2 - log(alpha))
        halfWidth = standardError * radius.squareRoot()
        lower = difference - halfWidth
        upper = difference + halfWidth
        excludesZero = lower > 0 || upper < 0
    }

    /// [lower, upper].
    public var interval: ClosedRange<Double> { lower...upper }

    /// ρ for level α and planned total n*.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for α outside (0, 1) or n* < 1.
    public static func tuning(alpha: Double, plannedSampleSize: Int) throws -> Double {
        guard alpha > 0, alpha < 1 else {
            throw ExperimentError.invalidArgument("alpha must be in (0, 1) (got \(alpha))")
        }
        guard plannedSampleSize >= 1 else {
            throw ExperimentError.invalidArgument(
                "the planned sample size must be at least 1 (got \(plannedSampleSize))")
        }
        let twiceLog = -2 * log(alpha)
        return ((twiceLog + log(twiceLog + 1)) / Double(plannedSampleSize)).squareRoot()
    }

    /// The sequence over a series of looks, each with the arms' cumulative summaries (e.g. one per day).
    /// - Throws: As ``init(treatment:control:alpha:plannedSampleSize:)``.
    public static func sequence(
        looks: [(treatment: ArmSummary, control: ArmSummary)], alpha: Double = 0.05, plannedSampleSize: Int
    ) throws -> [ConfidenceSequence] {
        try looks.map {
            try ConfidenceSequence(
                treatment: $0.treatment, control: $0.control, alpha: alpha, plannedSampleSize: plannedSampleSize)
        }
    }

    /// The index of the first look whose interval excludes 0 — where an experiment monitored with this sequence
    /// stops — or `nil` when none does.
    /// - Throws: As ``init(treatment:control:alpha:plannedSampleSize:)``.
    public static func stoppingLook(
        looks: [(treatment: ArmSummary, control: ArmSummary)], alpha: Double = 0.05, plannedSampleSize: Int
    ) throws -> Int? {
        for (index, look) in looks.enumerated() {
            let interval = try ConfidenceSequence(
                treatment: look.treatment, control: look.control, alpha: alpha, plannedSampleSize: plannedSampleSize)
            if interval.excludesZero { return index }
        }
        return nil
    }

    /// The running intersection [max lowerᵢ, min upperᵢ] over the given looks; `nil` for no looks or when the
    /// intervals do not overlap (which, with the true difference in every interval, cannot happen, so an empty
    /// intersection is itself evidence that the model is wrong, e.g. the effect drifted).
    ///
    /// Valid with the sequence's own time-uniform guarantee: every interval covering the difference implies the
    /// intersection covering it. It is never wider than the last interval, and never grows from look to look.
    public static func intersection(of sequence: [ConfidenceSequence]) -> ClosedRange<Double>? {
        guard let first = sequence.first else { return nil }
        var lower = first.lower
        var upper = first.upper
        for interval in sequence.dropFirst() {
            lower = max(lower, interval.lower)
            upper = min(upper, interval.upper)
        }
        return lower <= upper ? lower...upper : nil
    }
}

extension ArmSummary {
    /// x successes out of n trials as the 0/1 values' count, mean x/n and sample variance x(n − x)/(n(n − 1)) (the
    /// divisor n − 1, as ``init(_:)`` gives for the values themselves). gbstats' `ProportionStatistic` uses p(1 − p),
    /// divisor n, instead; its intervals are narrower by a factor that tends to 1 as the arms grow.
    /// - Throws: ``ExperimentError/insufficientData(_:)`` for n < 2; ``ExperimentError/invalidArgument(_:)`` unless
    ///   0 ≤ x ≤ n.
    public static func proportion(successes: Int, trials: Int) throws -> ArmSummary {
        guard successes >= 0, successes <= trials else {
            throw ExperimentError.invalidArgument("need 0 ≤ successes ≤ trials (got \(successes) of \(trials))")
        }
        guard trials >= 2 else {
            throw ExperimentError.insufficientData("an arm needs at least two trials for a variance (got \(trials))")
        }
        let (x, n) = (Double(successes), Double(trials))
        return try ArmSummary(count: trials, mean: x / n, variance: x * (n - x) / (n * (n - 1)))
    }
}
