import Stats

/// The sample-ratio-mismatch check: are the arm sizes what the assignment weights promise?
///
/// A mismatch means assignment or logging is broken (users lost from one arm, bots in another), and then every
/// lift computed from the arms is suspect however significant it looks. The check is Pearson's chi-square
/// goodness-of-fit test with arms − 1 degrees of freedom; the usual alarm threshold is p < 0.001 because the check
/// runs on every experiment and must rarely cry wolf.
public struct SampleRatioMismatch: Sendable, Hashable {
    /// Users per arm, as given.
    public let observed: [Int]
    /// The weights normalized to sum to 1.
    public let expectedShares: [Double]
    /// Total users × share, per arm.
    public let expectedCounts: [Double]
    /// Σ (observed − expected)² / expected.
    public let statistic: Double
    /// Arms − 1.
    public let degreesOfFreedom: Int
    /// P[χ²(df) > statistic], through GSL's upper tail.
    public let pValue: Double
    /// p-values below this flag a mismatch.
    public let threshold: Double

    /// - Parameters:
    ///   - observed: Users per arm; at least two arms, none negative, at least one user.
    ///   - weights: Planned assignment weights, one per arm, each positive and finite; they need not sum to 1.
    ///   - threshold: Significance level of the alarm, in (0, 1); 0.001 by default.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for mismatched lengths, fewer than two arms, a negative
    ///   count, a weight that is not positive and finite or a threshold outside (0, 1);
    ///   ``ExperimentError/insufficientData(_:)`` when no user was assigned.
    public init(observed: [Int], weights: [Double], threshold: Double = 0.001) throws {
        guard observed.count == weights.count else {
            throw ExperimentError.invalidArgument(
                "one weight per arm is needed (\(observed.count) arms, \(weights.count) weights)")
        }
        guard observed.count >= 2 else {
            throw ExperimentError.invalidArgument("at least two arms are needed (got \(observed.count))")
        }
        if let index = observed.firstIndex(where: { $0 < 0 }) {
            throw ExperimentError.invalidArgument(
                "arm sizes must be non-negative (arm \(index) has \(observed[index]))")
        }
        if let index = weights.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw ExperimentError.invalidArgument(
                "weights must be positive and finite (weight \(index) is \(weights[index]))")
        }
        guard threshold > 0, threshold < 1 else {
            throw ExperimentError.invalidArgument("threshold must be in (0, 1) (got \(threshold))")
        }
        let total = observed.reduce(0, +)
        guard total > 0 else { throw ExperimentError.insufficientData("no users were assigned") }
        let weightSum = weights.reduce(0, +)
        guard weightSum.isFinite else {
            throw ExperimentError.invalidArgument("the sum of the weights must be finite")
        }
        let shares = weights.map { $0 / weightSum }
        let expected = shares.map { $0 * Double(total) }
        let test = try GoodnessOfFit.chiSquare(observed: observed, expected: expected)
        self.observed = observed
        expectedShares = shares
        expectedCounts = expected
        statistic = test.statistic
        degreesOfFreedom = test.degreesOfFreedom
        pValue = test.pValue
        self.threshold = threshold
    }

    /// Whether the arm sizes contradict the weights at ``threshold``: if so, do not trust the lifts.
    public var isMismatch: Bool { pValue < threshold }
}
