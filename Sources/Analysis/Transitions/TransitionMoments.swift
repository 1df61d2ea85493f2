import UsageModel

/// Per cell of a transition table, the clustered moments (``ClusteredRatioMoments``) of the cell's rate,
/// with each user a cluster: successes are the user's transitions from the row's segment into the
/// column's, trials the user's transitions out of the row's segment. Strata split each user's transitions
/// further (by half of the run and band of tenure). Moments of disjoint sets of users add up.
public struct TransitionMoments: Codable, Sendable, Equatable {
    public let states: Int
    public let strata: Int
    // Flat sums. Trials and their products belong to a row (every cell of a row shares them); successes
    // and the products with them to a cell. `s`, `t` index strata.
    /// `[from]`: users with a transition out of the row.
    private var clusters: [Int]
    /// `[(from * states + to) * strata + s]` and `[from * strata + s]`.
    private var successes: [Int]
    private var trials: [Int]
    /// `[((from * states + to) * strata + s) * strata + t]`: Σ yₛyₜ and Σ yₛnₜ.
    private var successProducts: [Int]
    private var mixedProducts: [Int]
    /// `[(from * strata + s) * strata + t]`: Σ nₛnₜ.
    private var trialProducts: [Int]

    public init(states: Int, strata: Int) {
        self.states = states
        self.strata = strata
        clusters = Array(repeating: 0, count: states)
        successes = Array(repeating: 0, count: states * states * strata)
        trials = Array(repeating: 0, count: states * strata)
        successProducts = Array(repeating: 0, count: states * states * strata * strata)
        mixedProducts = successProducts
        trialProducts = Array(repeating: 0, count: states * strata * strata)
    }

    public func cell(from i: Int, to j: Int) -> ClusteredRatioMoments {
        let ss = strata * strata
        let c = i * states + j
        return ClusteredRatioMoments(
            strata: strata, clusters: clusters[i], successes: Array(successes[(c * strata)..<(c * strata + strata)]),
            trials: Array(trials[(i * strata)..<(i * strata + strata)]),
            successProducts: Array(successProducts[(c * ss)..<(c * ss + ss)]),
            mixedProducts: Array(mixedProducts[(c * ss)..<(c * ss + ss)]),
            trialProducts: Array(trialProducts[(i * ss)..<(i * ss + ss)]))
    }

    /// Adds one cluster (a user, or an account with its users' transitions summed):
    /// `counts[(from * states + to) * strata + s]` transitions in stratum `s`, all of them in `rows` (the segments
    /// the cluster left). Only those rows and the cluster's non-zero strata are visited.
    public mutating func addCluster(counts: [Int], rows: [Int]) {
        let k = states
        let ss = strata * strata
        var n = [Int](repeating: 0, count: strata)
        var seen = [Int]()
        seen.reserveCapacity(strata)
        for i in rows {
            seen.removeAll(keepingCapacity: true)
            for s in 0..<strata {
                var total = 0
                for j in 0..<k { total += counts[(i * k + j) * strata + s] }
                n[s] = total
                if total > 0 { seen.append(s) }
            }
            guard !seen.isEmpty else { continue }
            clusters[i] += 1
            for s in seen {
                trials[i * strata + s] += n[s]
                for t in seen { trialProducts[i * ss + s * strata + t] += n[s] * n[t] }
            }
            for j in 0..<k {
                let c = i * k + j
                for s in seen {
                    let y = counts[c * strata + s]
                    guard y > 0 else { continue }
                    successes[c * strata + s] += y
                    for t in seen {
                        successProducts[c * ss + s * strata + t] += y * counts[c * strata + t]
                        mixedProducts[c * ss + s * strata + t] += y * n[t]
                    }
                }
            }
        }
    }

    /// Adds the moments of other users.
    public mutating func add(_ other: TransitionMoments) {
        precondition(states == other.states && strata == other.strata)
        for i in clusters.indices { clusters[i] += other.clusters[i] }
        for i in successes.indices { successes[i] += other.successes[i] }
        for i in trials.indices { trials[i] += other.trials[i] }
        for i in successProducts.indices {
            successProducts[i] += other.successProducts[i]
            mixedProducts[i] += other.mixedProducts[i]
        }
        for i in trialProducts.indices { trialProducts[i] += other.trialProducts[i] }
    }
}

/// The time from a user's first entry into each segment until the user is first seen in a target segment
/// (dormant, churned), in evaluation steps, as Kaplan–Meier needs it: per (target, segment) and number of
/// steps, how many users reached the target then (events) and how many were last seen then without
/// reaching it (censored at the end of the data). Counts of disjoint sets of users add up.
///
/// An entry is an evaluation where the user is in the segment and was not at the one before (a sign-up
/// between them counts); users already in the segment at the first evaluation are left out, since when
/// they entered is unknown.
public struct TimeToSegmentCounts: Codable, Sendable, Equatable {
    public let states: Int
    public let targets: [Int]
    /// Steps 0 ... `maxSteps`.
    public let maxSteps: Int
    /// `[(t * states + from) * (maxSteps + 1) + steps]`, `t` indexing ``targets``.
    public private(set) var events: [Int]
    public private(set) var censored: [Int]

    public init(states: Int, targets: [Int], maxSteps: Int) {
        self.states = states
        self.targets = targets
        self.maxSteps = maxSteps
        events = Array(repeating: 0, count: targets.count * states * (maxSteps + 1))
        censored = events
    }

    /// Adds one user's segment codes at consecutive evaluations (codes at or above `states`: not signed up).
    mutating func addUser(codes: [Int]) {
        guard codes.count >= 2 else { return }
        let last = codes.count - 1
        let width = maxSteps + 1
        var entered = [Bool](repeating: false, count: states)
        for e in 1...last {
            let s = codes[e]
            guard s < states, codes[e - 1] != s, !entered[s] else { continue }
            entered[s] = true
            for (t, target) in targets.enumerated() where target != s {
                let base = (t * states + s) * width
                if let hit = codes[(e + 1)...].firstIndex(of: target) {
                    events[base + hit - e] += 1
                } else {
                    censored[base + last - e] += 1
                }
            }
        }
    }

    /// Adds the counts of other users over the same evaluations.
    public mutating func add(_ other: TimeToSegmentCounts) {
        precondition(states == other.states && targets == other.targets && maxSteps == other.maxSteps)
        for i in events.indices {
            events[i] += other.events[i]
            censored[i] += other.censored[i]
        }
    }

    /// Events and censorings by step for users entering `from`, towards target number `t`.
    public func tallies(target t: Int, from: Int) -> (events: ArraySlice<Int>, censored: ArraySlice<Int>) {
        let width = maxSteps + 1
        let base = (t * states + from) * width
        return (events[base..<(base + width)], censored[base..<(base + width)])
    }
}
