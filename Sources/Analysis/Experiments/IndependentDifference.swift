import Stats

/// The difference of two estimates made on independent samples, such as the lift of one run's campaign
/// arm minus the lift of the same arm in another run with other users or another seed.
///
/// Independence is what makes the variances add: Var(b − a) = se_a² + se_b², with no covariance term.
/// Two runs of the same scenario with different seeds draw independent users, so this holds; two
/// analyses of the same users (the same run twice, or overlapping arms) are positively correlated and
/// the interval is then too wide. The interval and test are normal (Wald): each lift is a difference
/// of means over hundreds of users or more, where its sampling distribution is close to normal.
public struct IndependentDifference: Sendable, Hashable, Codable {
    /// `second − first`.
    public let estimate: Double
    /// √(se₁² + se₂²).
    public let standardError: Double
    /// Level of the interval, e.g. 0.95.
    public let confidence: Double
    /// estimate ± z(1 − α/2) × standardError; `nil`, like ``pValue``, when the standard error is 0.
    public let lower: Double?
    public let upper: Double?
    /// Two-sided, of estimate / standardError against the standard normal.
    public let pValue: Double?

    /// - Parameters:
    ///   - first: The estimate subtracted (run A's).
    ///   - firstStandardError: Its standard error, ≥ 0.
    ///   - second: The other estimate (run B's).
    ///   - secondStandardError: Its standard error, ≥ 0.
    ///   - confidence: Level of the interval, in (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a non-finite estimate, a negative or
    ///   non-finite standard error, or a level outside (0, 1).
    public init(
        first: Double, firstStandardError: Double, second: Double, secondStandardError: Double,
        confidence: Double = 0.95
    ) throws {
        guard first.isFinite, second.isFinite else {
            throw ExperimentError.invalidArgument("estimates must be finite (got \(first) and \(second))")
        }
        for se in [firstStandardError, secondStandardError] where !(se.isFinite && se >= 0) {
            throw ExperimentError.invalidArgument("standard errors must be finite and non-negative (got \(se))")
        }
        let z = try ExperimentError.normalCritical(confidence)
        self.confidence = confidence
        estimate = second - first
        standardError = (firstStandardError * firstStandardError + secondStandardError * secondStandardError)
            .squareRoot()
        guard standardError > 0 else {
            (lower, upper, pValue) = (nil, nil, nil)
            return
        }
        lower = estimate - z * standardError
        upper = estimate + z * standardError
        pValue = min(1, 2 * (try Normal(mean: 0, sd: 1).survival(abs(estimate / standardError))))
    }
}

extension ExperimentResults.Lift {
    /// The standard error behind the lift's interval, recomputed from the two groups: the unpooled Wald
    /// √(p̂₁q̂₁/n₁ + p̂₀q̂₀/n₀) for proportions, Welch's √(s₁²/n₁ + s₀²/n₀) for means. `nil` when the lift
    /// has no interval (an arm too small).
    public var standardError: Double? {
        let (t, c) = (treatment, control)
        guard lower != nil, upper != nil, t.users > 0, c.users > 0 else { return nil }
        let (n1, n0) = (Double(t.users), Double(c.users))
        if kind == "proportion" {
            let p1 = Double(t.successes ?? 0) / n1
            let p0 = Double(c.successes ?? 0) / n0
            return (p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0).squareRoot()
        }
        guard let s1 = t.standardDeviation, let s0 = c.standardDeviation else { return nil }
        return (s1 * s1 / n1 + s0 * s0 / n0).squareRoot()
    }
}
