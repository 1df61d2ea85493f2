import Stats

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Sizes of groups (users per account) summarised as a lognormal, a scenario's `team_size`: the median e^μ and the
/// log-scale σ, μ and σ being the weighted mean and standard deviation of the log sizes, and the largest size.
///
/// The summary is rough: sizes are whole numbers, many accounts hold one user (log size 0), and the simulator rounds
/// its lognormal draws. Each group may count with a weight (its probability of belonging to a persona); with n the
/// effective number of groups (Σw)²/Σw², the variance's divisor is Σw − Σw²/Σw (n − 1 for equal weights), and the
/// standard errors are the median's by the delta method, e^μ · σ / √n, and σ's as for normal data, σ / √(2(n − 1)).
public struct LognormalSizes: Sendable, Hashable {
    public let median: Double
    public let sigma: Double
    public let largest: Int
    /// Groups summarised: the sum of their weights.
    public let count: Double
    /// NaN with a single group.
    public let medianStandardError: Double
    public let sigmaStandardError: Double

    /// - Parameters:
    ///   - sizes: Each group's size, ≥ 1.
    ///   - weights: Each group's weight, ≥ 0; all 1 when nil.
    /// - Returns: nil when no group has a positive weight.
    public init?(sizes: [Int], weights: [Double]? = nil) {
        let weights = weights ?? Array(repeating: 1, count: sizes.count)
        precondition(weights.count == sizes.count, "one weight per size")
        let total = weights.reduce(0, +)
        guard total > 0, let largest = zip(sizes, weights).filter({ $0.1 > 0 }).map(\.0).max() else { return nil }
        let squares = weights.reduce(0) { $0 + $1 * $1 }
        let mean = zip(sizes, weights).reduce(0) { $0 + $1.1 * log(Double($1.0)) } / total
        let deviations = zip(sizes, weights).reduce(0) { $0 + $1.1 * pow(log(Double($1.0)) - mean, 2) }
        let divisor = total - squares / total
        // One group (or all weight on one): no spread to estimate, sigma 0 and no standard errors.
        let sd = divisor > 0 ? (deviations / divisor).squareRoot() : .nan
        let n = total * total / squares
        median = exp(mean)
        sigma = divisor > 0 ? sd : 0
        self.largest = largest
        count = total
        medianStandardError = median * sd / n.squareRoot()
        sigmaStandardError = n > 1 ? sd / (2 * (n - 1)).squareRoot() : .nan
    }
}
