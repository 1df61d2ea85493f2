import Stats

/// A mean with its two-sided Student t interval: the true effect over one run's treated users, or a figure over
/// a sweep's replicates.
public struct MeanInterval: Codable, Sendable, Equatable {
    public let mean: Double
    /// `nil` below two values or when they do not vary (the interval would be a point that claims too much).
    public let lower: Double?
    public let upper: Double?
    public let count: Int

    /// - Parameters:
    ///   - values: Finite numbers; none gives a mean of 0 (an arm nobody entered), as the experiment's means do.
    ///   - confidence: The interval's level, in (0, 1).
    /// - Throws: ``ExperimentError`` when `confidence` is out of range.
    public init(_ values: [Double], confidence: Double = 0.95) throws {
        count = values.count
        mean = ExperimentStatistics.mean(values)
        guard values.count >= 2 else {
            lower = nil
            upper = nil
            return
        }
        let summary = Summary(values)
        guard summary.standardDeviation > 0 else {
            lower = nil
            upper = nil
            return
        }
        guard confidence > 0, confidence < 1 else { throw ExperimentError.invalidArgument("confidence") }
        let t = try StudentT(degreesOfFreedom: values.count - 1).quantile(1 - (1 - confidence) / 2)
        let half = t * summary.standardDeviation / Double(values.count).squareRoot()
        lower = mean - half
        upper = mean + half
    }

    public init(mean: Double, lower: Double?, upper: Double?, count: Int) {
        self.mean = mean
        self.lower = lower
        self.upper = upper
        self.count = count
    }

    /// The same interval in other units (users from a share of users), its ends kept in order.
    public func scaled(by factor: Double) -> MeanInterval {
        let a = lower.map { $0 * factor }
        let b = upper.map { $0 * factor }
        return MeanInterval(
            mean: mean * factor, lower: factor >= 0 ? a : b, upper: factor >= 0 ? b : a, count: count)
    }
}

/// The settings no other setting beats on both counts: no dearer (cost, unsubscribes) and no worse (users
/// retained), and better on one.
public enum ParetoFrontier {
    /// The indices of the points on the frontier of "less `cost`, more `gain`", by cost, then gain (highest
    /// first), then index. Points that are not finite are left out; equal points are all kept.
    ///
    /// - Complexity: O(*n* log *n*).
    public static func indices(cost: [Double], gain: [Double]) -> [Int] {
        precondition(cost.count == gain.count)
        let order = cost.indices.filter { cost[$0].isFinite && gain[$0].isFinite }.sorted {
            (cost[$0], -gain[$0], $0) < (cost[$1], -gain[$1], $1)
        }
        var frontier: [Int] = []
        var best = -Double.infinity
        var bestCost = -Double.infinity
        for i in order {
            // Cheaper points come first: one is dominated exactly when an earlier point gains at least as much
            // (strictly more, or as much at a lower cost).
            if gain[i] > best || (gain[i] == best && cost[i] == bestCost) {
                frontier.append(i)
                if gain[i] > best {
                    best = gain[i]
                    bestCost = cost[i]
                }
            }
        }
        return frontier
    }
}
