import Stats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Input an experiment statistic cannot be computed from; the message names the argument and its value.
public enum ExperimentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An argument outside its domain: a negative count, successes above trials, a level outside (0, 1).
    case invalidArgument(String)
    /// Valid input with too little information: an empty arm, a constant covariate, no events.
    case insufficientData(String)

    public var description: String {
        switch self {
        case .invalidArgument(let message): "invalid argument: \(message)"
        case .insufficientData(let message): "insufficient data: \(message)"
        }
    }

    /// Throws unless `confidence` is in the open interval (0, 1).
    static func checkConfidence(_ confidence: Double) throws {
        guard confidence > 0, confidence < 1 else {
            throw ExperimentError.invalidArgument("confidence must be in (0, 1) (got \(confidence))")
        }
    }

    /// The two-sided standard normal critical value z with P[|Z| > z] = 1 − confidence, through GSL.
    static func normalCritical(_ confidence: Double) throws -> Double {
        try checkConfidence(confidence)
        return try Normal(mean: 0, sd: 1).quantile(1 - (1 - confidence) / 2)
    }
}

/// A treatment proportion x₁/n₁ against a control proportion x₀/n₀, e.g. day-30 retention in a campaign arm
/// against the control group.
///
/// Intervals are for treatment minus control (and treatment over control). Estimates that are undefined for the
/// counts at hand — a ratio over a zero control rate, a test with no variation at all — are `nil` rather than
/// NaN or a trap, so reports can print "n/a" without special cases.
public struct TwoProportions: Sendable, Hashable {
    public let treatmentSuccesses: Int
    public let treatmentTrials: Int
    public let controlSuccesses: Int
    public let controlTrials: Int
    /// Level of every interval, e.g. 0.95.
    public let confidence: Double

    /// p̂₁ − p̂₀.
    public let difference: Double
    /// Newcombe's hybrid score interval for the difference (Newcombe 1998, method 10).
    public let newcombeInterval: ClosedRange<Double>
    /// The Wald interval p̂₁ − p̂₀ ± z √(p̂₁q̂₁/n₁ + p̂₀q̂₀/n₀); `nil` when both rates are 0 or 1 and its
    /// standard error vanishes.
    public let waldInterval: ClosedRange<Double>?
    /// p̂₁/p̂₀ − 1; `nil` when the control rate is 0.
    public let relativeLift: Double?
    /// Katz's log risk-ratio interval for the ratio, minus 1; `nil` when either arm has no successes, where
    /// log p̂ and its variance are undefined.
    public let relativeLiftInterval: ClosedRange<Double>?
    /// The pooled two-proportion z statistic (p̂₁ − p̂₀)/√(p̄q̄(1/n₁ + 1/n₀)); `nil` when the pooled rate is 0 or 1.
    public let zStatistic: Double?
    /// Two-sided p-value of ``zStatistic``.
    public let pValue: Double?
    /// The Wald (unpooled) z statistic (p̂₁ − p̂₀)/√(p̂₁q̂₁/n₁ + p̂₀q̂₀/n₀): the test ``waldInterval`` inverts, so
    /// the interval excludes 0 exactly when ``waldPValue`` < 1 − confidence. `nil` when that standard error is 0.
    public let waldZStatistic: Double?
    /// Two-sided p-value of ``waldZStatistic``.
    public let waldPValue: Double?

    /// - Parameters:
    ///   - treatmentSuccesses: x₁, in `0...treatmentTrials`.
    ///   - treatmentTrials: n₁ > 0.
    ///   - controlSuccesses: x₀, in `0...controlTrials`.
    ///   - controlTrials: n₀ > 0.
    ///   - confidence: Level of the intervals, in (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for impossible counts or levels,
    ///   ``ExperimentError/insufficientData(_:)`` when an arm has no trials.
    public init(
        treatmentSuccesses: Int, treatmentTrials: Int, controlSuccesses: Int, controlTrials: Int,
        confidence: Double = 0.95
    ) throws {
        let arms = [("treatment", treatmentSuccesses, treatmentTrials), ("control", controlSuccesses, controlTrials)]
        for (arm, x, n) in arms {
            guard n >= 0, x >= 0, x <= n else {
                throw ExperimentError.invalidArgument("\(arm) needs 0 ≤ successes ≤ trials (got \(x) of \(n))")
            }
            guard n > 0 else { throw ExperimentError.insufficientData("the \(arm) arm has no trials") }
        }
        let z = try ExperimentError.normalCritical(confidence)
        self.treatmentSuccesses = treatmentSuccesses
        self.treatmentTrials = treatmentTrials
        self.controlSuccesses = controlSuccesses
        self.controlTrials = controlTrials
        self.confidence = confidence

        let (x1, n1) = (Double(treatmentSuccesses), Double(treatmentTrials))
        let (x0, n0) = (Double(controlSuccesses), Double(controlTrials))
        let p1 = x1 / n1
        let p0 = x0 / n0
        difference = p1 - p0

        // Newcombe (1998), method 10: combine each arm's distance from its Wilson limits. Validated above, so the
        // Wilson intervals exist.
        guard
            let w1 = ProportionInterval.wilson(
                successes: treatmentSuccesses, trials: treatmentTrials, confidence: confidence),
            let w0 = ProportionInterval.wilson(
                successes: controlSuccesses, trials: controlTrials, confidence: confidence)
        else {
            throw ExperimentError.invalidArgument("no Wilson interval for these counts")
        }
        let below = ((p1 - w1.lowerBound) * (p1 - w1.lowerBound) + (w0.upperBound - p0) * (w0.upperBound - p0))
        let above = ((w1.upperBound - p1) * (w1.upperBound - p1) + (p0 - w0.lowerBound) * (p0 - w0.lowerBound))
        newcombeInterval = max(-1, difference - below.squareRoot())...min(1, difference + above.squareRoot())

        let waldSE = (p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0).squareRoot()
        waldInterval = waldSE > 0 ? (difference - z * waldSE)...(difference + z * waldSE) : nil
        if waldSE > 0 {
            let statistic = difference / waldSE
            waldZStatistic = statistic
            waldPValue = min(1, 2 * (try Normal(mean: 0, sd: 1).survival(abs(statistic))))
        } else {
            (waldZStatistic, waldPValue) = (nil, nil)
        }

        relativeLift = controlSuccesses > 0 ? p1 / p0 - 1 : nil
        if treatmentSuccesses > 0, controlSuccesses > 0 {
            // Katz et al. (1978): log(p̂₁/p̂₀) ± z √(1/x₁ − 1/n₁ + 1/x₀ − 1/n₀).
            let logRatio = log(p1 / p0)
            let se = (1 / x1 - 1 / n1 + 1 / x0 - 1 / n0).squareRoot()
            relativeLiftInterval = expm1(logRatio - z * se)...expm1(logRatio + z * se)
        } else {
            relativeLiftInterval = nil
        }

        let pooled = (x1 + x0) / (n1 + n0)
        let pooledSE = (pooled * (1 - pooled) * (1 / n1 + 1 / n0)).squareRoot()
        if pooledSE > 0 {
            let statistic = difference / pooledSE
            zStatistic = statistic
            pValue = min(1, 2 * (try Normal(mean: 0, sd: 1).survival(abs(statistic))))
        } else {
            zStatistic = nil
            pValue = nil
        }
    }

    /// p̂₁ = x₁/n₁.
    public var treatmentRate: Double { Double(treatmentSuccesses) / Double(treatmentTrials) }
    /// p̂₀ = x₀/n₀.
    public var controlRate: Double { Double(controlSuccesses) / Double(controlTrials) }
}
