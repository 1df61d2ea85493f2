import Stats

/// Count, mean and sample variance of one arm: all Welch's test needs, so arms can be compared from aggregates
/// (e.g. revenue per user exported by a warehouse) as well as from per-user values.
public struct ArmSummary: Sendable, Hashable, Codable {
    public let count: Int
    public let mean: Double
    /// Sample variance, divisor n − 1.
    public let variance: Double

    /// - Throws: ``ExperimentError/insufficientData(_:)`` for fewer than two values, where no variance exists;
    ///   ``ExperimentError/invalidArgument(_:)`` for a non-finite mean or a negative or non-finite variance.
    public init(count: Int, mean: Double, variance: Double) throws {
        guard count >= 2 else {
            throw ExperimentError.insufficientData("an arm needs at least two values for a variance (got \(count))")
        }
        guard mean.isFinite, variance.isFinite, variance >= 0 else {
            throw ExperimentError.invalidArgument(
                "mean must be finite and variance finite and non-negative (got \(mean), \(variance))")
        }
        self.count = count
        self.mean = mean
        self.variance = variance
    }

    /// Summarizes values through GSL (``Summary``).
    /// - Throws: As ``init(count:mean:variance:)``; a NaN or infinite value gives `invalidArgument`.
    public init(_ values: [Double]) throws {
        let summary = Summary(values)
        try self.init(count: summary.count, mean: summary.mean, variance: summary.variance)
    }
}

/// Welch's unequal-variance t test of treatment mean minus control mean.
///
/// Chosen over Student's pooled test because campaign arms differ in size and often in spread (a campaign
/// that works mostly moves its heavy users); Welch keeps its level either way and loses little when the
/// variances happen to be equal.
public struct WelchTest: Sendable, Hashable, Codable {
    public let treatment: ArmSummary
    public let control: ArmSummary
    /// Level of ``interval``.
    public let confidence: Double
    /// Treatment mean minus control mean.
    public let difference: Double
    /// √(s₁²/n₁ + s₀²/n₀).
    public let standardError: Double
    /// Welch–Satterthwaite degrees of freedom (s₁²/n₁ + s₀²/n₀)² / Σ (sᵢ²/nᵢ)²/(nᵢ − 1); generally not whole.
    /// `nil`, like ``t``, ``pValue`` and ``interval``, when both arms are constant and the standard error is 0.
    public let degreesOfFreedom: Double?
    /// difference / standardError.
    public let t: Double?
    /// Two-sided, from Student's t with ``degreesOfFreedom`` through GSL.
    public let pValue: Double?
    /// difference ± t(1 − α/2; df) × standardError.
    public let interval: ClosedRange<Double>?

    /// - Parameter confidence: Level of ``interval``, in (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a level outside (0, 1).
    public init(treatment: ArmSummary, control: ArmSummary, confidence: Double = 0.95) throws {
        try ExperimentError.checkConfidence(confidence)
        self.treatment = treatment
        self.control = control
        self.confidence = confidence
        difference = treatment.mean - control.mean
        let a1 = treatment.variance / Double(treatment.count)
        let a0 = control.variance / Double(control.count)
        standardError = (a1 + a0).squareRoot()
        guard standardError > 0 else {
            (degreesOfFreedom, t, pValue, interval) = (nil, nil, nil, nil)
            return
        }
        let spread = a1 * a1 / Double(treatment.count - 1) + a0 * a0 / Double(control.count - 1)
        let df = (a1 + a0) * (a1 + a0) / spread
        let distribution = try StudentT(degreesOfFreedom: df)
        let statistic = difference / standardError
        let critical = try distribution.quantile(1 - (1 - confidence) / 2)
        degreesOfFreedom = df
        t = statistic
        pValue = min(1, 2 * distribution.survival(abs(statistic)))
        interval = (difference - critical * standardError)...(difference + critical * standardError)
    }

    /// Welch's test on per-user values.
    /// - Throws: As ``ArmSummary/init(_:)`` and ``init(treatment:control:confidence:)``.
    public init(treatment: [Double], control: [Double], confidence: Double = 0.95) throws {
        try self.init(treatment: ArmSummary(treatment), control: ArmSummary(control), confidence: confidence)
    }

    /// Treatment mean over control mean, minus one; `nil` when the control mean is 0.
    public var relativeLift: Double? {
        control.mean == 0 ? nil : treatment.mean / control.mean - 1
    }
}
