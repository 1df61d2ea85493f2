import Stats
public import UsageModel

/// Transitions between consecutive segment evaluations: counts, row probabilities and a 95 %
/// Wilson interval on every cell.
public struct TransitionTable: Sendable, Codable {
    public let labels: [String]
    /// `counts[i][j]`: users in state `i` at one evaluation and `j` at the next.
    public let counts: [[Int]]
    /// Row probabilities; `nil` in rows nobody started from.
    public let probabilities: [[Double?]]
    public let lower: [[Double?]]
    public let upper: [[Double?]]

    public init(labels: [String], counts: [[Int]]) {
        self.labels = labels
        self.counts = counts
        var p: [[Double?]] = []
        var lo: [[Double?]] = []
        var hi: [[Double?]] = []
        for row in counts {
            let n = row.reduce(0, +)
            p.append(row.map { n == 0 ? nil : Double($0) / Double(n) })
            let intervals = row.map { ProportionInterval.wilson(successes: $0, trials: n, confidence: 0.95) }
            lo.append(intervals.map { $0?.lowerBound })
            hi.append(intervals.map { $0?.upperBound })
        }
        probabilities = p
        lower = lo
        upper = hi
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

/// A transition whose rate changed between the first and the second half of a run.
public struct DriftFlag: Sendable, Codable, Equatable {
    public let from: String
    public let to: String
    public let firstHalf: Double
    public let secondHalf: Double
    /// Two-sided p-value of the two-proportion z test (pooled variance).
    public let pValue: Double
}

public enum TransitionDrift {
    /// Cells whose row probability differs between two count tables at two-sided p < `alpha`
    /// (two-proportion z test with pooled variance, through GSL's normal distribution).
    public static func flags(first: [[Int]], second: [[Int]], labels: [String], alpha: Double = 0.001) -> [DriftFlag] {
        var flags: [DriftFlag] = []
        let normal = try! Normal(mean: 0, sd: 1)
        for i in labels.indices {
            let n1 = first[i].reduce(0, +)
            let n2 = second[i].reduce(0, +)
            guard n1 > 0, n2 > 0 else { continue }
            for j in labels.indices {
                let p1 = Double(first[i][j]) / Double(n1)
                let p2 = Double(second[i][j]) / Double(n2)
                let pooled = Double(first[i][j] + second[i][j]) / Double(n1 + n2)
                let se = (pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
                guard se > 0 else { continue }
                let z = abs(p1 - p2) / se
                let p = 2 * normal.survival(z)
                if p < alpha {
                    flags.append(DriftFlag(from: labels[i], to: labels[j], firstHalf: p1, secondHalf: p2, pValue: p))
                }
            }
        }
        return flags
    }
}
