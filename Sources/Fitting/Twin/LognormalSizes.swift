import Stats

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Sizes of groups (users per account) summarised as a lognormal, a scenario's `team_size`: the median e^μ and the
/// log-scale σ, μ and σ being the mean and the standard deviation (divisor n − 1) of the log sizes, and the largest
/// size.
///
/// The summary is rough: sizes are whole numbers, many accounts hold one user (log size 0), and the simulator rounds
/// its lognormal draws. Standard errors: the median's by the delta method, e^μ · σ / √n; σ's as for normal data,
/// σ / √(2(n − 1)).
public struct LognormalSizes: Sendable, Hashable {
    public let median: Double
    public let sigma: Double
    public let largest: Int
    /// Groups summarised.
    public let count: Int
    /// NaN with a single group.
    public let medianStandardError: Double
    public let sigmaStandardError: Double

    /// - Parameter sizes: Each group's size, ≥ 1.
    /// - Returns: nil for no group.
    public init?(sizes: [Int]) {
        guard let largest = sizes.max() else { return nil }
        let logs = Summary(sizes.map { log(Double($0)) })
        let n = Double(sizes.count)
        median = exp(logs.mean)
        sigma = sizes.count > 1 ? logs.standardDeviation : 0
        self.largest = largest
        count = sizes.count
        medianStandardError = median * logs.standardDeviation / n.squareRoot()
        sigmaStandardError = logs.standardDeviation / (2 * (n - 1)).squareRoot()
    }
}
