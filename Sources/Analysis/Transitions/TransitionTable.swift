import Stats
public import UsageModel

/// Transitions between consecutive segment evaluations: counts, row probabilities and a 95 %
/// interval on every cell. With the users' clustered moments the interval respects that one user
/// contributes many transitions (``ProportionInterval/clustered(_:confidence:)``); without them it is the
/// plain Wilson interval, which treats every transition as independent.
public struct TransitionTable: Sendable, Codable {
    public let labels: [String]
    /// `counts[i][j]`: users in state `i` at one evaluation and `j` at the next.
    public let counts: [[Int]]
    /// Row probabilities; `nil` in rows nobody started from.
    public let probabilities: [[Double?]]
    public let lower: [[Double?]]
    public let upper: [[Double?]]
    /// Users behind each row (clusters), and per cell the design effect: the cluster-robust variance of
    /// the rate over the binomial one (at least 1). `nil` for a table built from counts alone.
    public let users: [Int]?
    public let designEffects: [[Double?]]?

    /// - Parameter moments: the users' clustered moments of the same cells; without them the intervals are
    ///   plain Wilson intervals.
    public init(labels: [String], counts: [[Int]], moments: TransitionMoments? = nil) {
        self.labels = labels
        self.counts = counts
        var p: [[Double?]] = []
        var lo: [[Double?]] = []
        var hi: [[Double?]] = []
        var deff: [[Double?]] = []
        for (i, row) in counts.enumerated() {
            let n = row.reduce(0, +)
            p.append(row.map { n == 0 ? nil : Double($0) / Double(n) })
            if let moments {
                let intervals = row.indices.map {
                    ProportionInterval.clustered(moments.cell(from: i, to: $0).pooled, confidence: 0.95)
                }
                lo.append(intervals.map { $0?.interval.lowerBound })
                hi.append(intervals.map { $0?.interval.upperBound })
                deff.append(intervals.map { $0?.designEffect })
            } else {
                let intervals = row.map { ProportionInterval.wilson(successes: $0, trials: n, confidence: 0.95) }
                lo.append(intervals.map { $0?.lowerBound })
                hi.append(intervals.map { $0?.upperBound })
            }
        }
        probabilities = p
        lower = lo
        upper = hi
        users = moments.map { m in labels.indices.map { m.cell(from: $0, to: 0).clusters } }
        designEffects = moments == nil ? nil : deff
    }

    /// Counts transitions of the users `include` accepts (all when nil) between evaluations
    /// `evaluations` (each with the next), among states `0 ..< stateCount`; codes at or above it (not
    /// signed up) are left out. `include` is asked once per user.
    public static func count(
        history: [Column<UInt8>], stateCount: Int, evaluations: Range<Int>, include: ((Int) -> Bool)? = nil
    ) -> [[Int]] {
        let k = stateCount
        let users = history.first?.count ?? 0
        let mask = include.map { accepts in (0..<users).map(accepts) }
        var flat = [Int](repeating: 0, count: k * k)
        flat.withUnsafeMutableBufferPointer { counts in
            for e in evaluations where e + 1 < history.count {
                let before = history[e].baseAddress
                let after = history[e + 1].baseAddress
                func add(_ u: Int) {
                    let from = Int(before[u])
                    let to = Int(after[u])
                    if from < k, to < k { counts[from * k + to] += 1 }
                }
                if let mask {
                    for u in 0..<history[e].count where mask[u] { add(u) }
                } else {
                    for u in 0..<history[e].count { add(u) }
                }
            }
        }
        return (0..<k).map { Array(flat[($0 * k)..<($0 * k + k)]) }
    }
}
