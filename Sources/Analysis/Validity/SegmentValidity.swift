public import UsageModel

/// What segments hold and what became of their users, as `results.json` holds it: segment ×
/// true latent state (on a simulated run) and retention and conversion in the horizon after each
/// evaluation.
public struct ValidityResults: Codable, Sendable {
    public let latentStates: [String]
    public let segments: [String]
    /// `counts[segment][state]`: user-evaluations in the segment whose true latent state was the state.
    public let counts: [[Int]]
    /// For each segment, the latent state most of its users were in and that share (the segment's precision
    /// for that state).
    public let dominantState: [String: String]
    public let precision: [String: Double]
    /// 95 % interval of each segment's precision, clustered by user (a user is in a segment at many
    /// evaluations; ``ProportionInterval/clustered(_:confidence:)``).
    public let precisionLower: [String: Double]
    public let precisionUpper: [String: Double]
    public let horizonDays: Int
    /// Share of each segment's users not churned `horizonDays` later (truth), with a 95 % interval
    /// clustered by user, and the share who converted or upgraded in those days.
    public let retention: [String: HorizonOutcome]
}

/// User-evaluations by segment and true latent state, and the horizon outcomes by segment: what
/// ``ValidityResults`` is computed from. Counts of disjoint sets of users add up.
public struct ValidityCounts: Codable, Sendable, Equatable {
    /// `counts[segment][state]`.
    public var counts: [[Int]]
    public var outcomes: HorizonOutcomeTally
    /// `stateMoments[segment * states + state]`: per user, evaluations in the segment in the state out of
    /// evaluations in the segment.
    public var stateMoments: [ClusteredRatioMoments]

    /// Tallies every user at every evaluation.
    ///
    /// - Parameters:
    ///   - segments, states: how many segment codes (codes at or above are users not signed up)
    ///     and latent states there are.
    ///   - evaluations: the day of each evaluation and every user's segment code on it.
    ///   - state: a user's true latent state on a day, `nil` before sign-up.
    ///   - outcome: whether a user in `state` on `day` was retained and converted in the horizon
    ///     after it; `nil` when the horizon runs past the data or the user had already churned.
    ///   - threads: worker threads over ranges of users; `state` and `outcome` are called from them
    ///     at once, so they must only read. The counts do not depend on it.
    public init(
        segments: Int, states k: Int, evaluations: [(day: Int, memberships: Column<UInt8>)],
        state: (_ user: Int, _ day: Int) -> Int?,
        outcome: (_ user: Int, _ day: Int, _ state: Int) -> (retained: Bool, converted: Bool)?, threads: Int = 1
    ) {
        let users = evaluations.first?.memberships.count ?? 0
        let ranges = UserRanges.split(users: users, parts: max(1, min(threads, users)))
        var flat = [[Int]](repeating: [], count: ranges.count)
        var tallies = [HorizonOutcomeTally](repeating: HorizonOutcomeTally(segments: 0), count: ranges.count)
        let empty = [ClusteredRatioMoments](repeating: ClusteredRatioMoments(), count: segments * k)
        var moments = [[ClusteredRatioMoments]](repeating: empty, count: ranges.count)
        withoutActuallyEscaping(state) { state in
            withoutActuallyEscaping(outcome) { outcome in
                let reads = UncheckedSendable((state, outcome))
                flat.withUnsafeMutableBufferPointer { flat in
                    tallies.withUnsafeMutableBufferPointer { tallies in
                        moments.withUnsafeMutableBufferPointer { moments in
                            UserRanges.forEach(ranges) { w, range in
                                let (state, outcome) = reads.value
                                var counts = [Int](repeating: 0, count: segments * k)
                                var tally = HorizonOutcomeTally(segments: segments)
                                var stateMoments = empty
                                // One user's evaluations by segment and state, and outcomes by segment.
                                var mine = [Int](repeating: 0, count: segments * k)
                                var user = HorizonOutcomeTally.User(segments: segments)
                                for u in range {
                                    for (day, memberships) in evaluations {
                                        let code = Int(memberships[u])
                                        guard code < segments, let s = state(u, day) else { continue }
                                        mine[code * k + s] += 1
                                        if let o = outcome(u, day, s) {
                                            user.add(segment: code, retained: o.retained, converted: o.converted)
                                        }
                                    }
                                    tally.add(user)
                                    user.clear()
                                    for i in 0..<segments {
                                        let n = (0..<k).reduce(0) { $0 + mine[i * k + $1] }
                                        guard n > 0 else { continue }
                                        for j in 0..<k {
                                            counts[i * k + j] += mine[i * k + j]
                                            stateMoments[i * k + j].addCluster(successes: mine[i * k + j], trials: n)
                                            mine[i * k + j] = 0
                                        }
                                    }
                                }
                                flat[w] = counts
                                tallies[w] = tally
                                moments[w] = stateMoments
                            }
                        }
                    }
                }
            }
        }
        counts = [[Int]](repeating: [Int](repeating: 0, count: k), count: segments)
        outcomes = HorizonOutcomeTally(segments: segments)
        stateMoments = empty
        for w in ranges.indices {
            for i in 0..<segments { for j in 0..<k { counts[i][j] += flat[w][i * k + j] } }
            outcomes.add(tallies[w])
            for c in stateMoments.indices { stateMoments[c].add(moments[w][c]) }
        }
    }

    /// Adds the counts of other users.
    public mutating func add(_ other: ValidityCounts) {
        for i in counts.indices { for j in counts[i].indices { counts[i][j] += other.counts[i][j] } }
        outcomes.add(other.outcomes)
        for c in stateMoments.indices { stateMoments[c].add(other.stateMoments[c]) }
    }
}

extension ValidityResults {
    /// - Parameters:
    ///   - labels, states: the names of the segment codes and latent states counted.
    public init(counts c: ValidityCounts, labels: [String], states: [String], horizon: Int) {
        let counts = c.counts
        var dominant: [String: String] = [:]
        var precision: [String: Double] = [:]
        var lower: [String: Double] = [:]
        var upper: [String: Double] = [:]
        for (i, label) in labels.enumerated() {
            let total = counts[i].reduce(0, +)
            if total > 0, let best = counts[i].indices.max(by: { counts[i][$0] < counts[i][$1] }) {
                dominant[label] = states[best]
                precision[label] = Double(counts[i][best]) / Double(total)
                if let interval = ProportionInterval.clustered(
                    c.stateMoments[i * states.count + best], confidence: 0.95)?.interval
                {
                    lower[label] = interval.lowerBound
                    upper[label] = interval.upperBound
                }
            }
        }
        self.init(
            latentStates: states, segments: labels, counts: counts, dominantState: dominant, precision: precision,
            precisionLower: lower, precisionUpper: upper, horizonDays: horizon,
            retention: c.outcomes.outcomes(labels: labels, omittingEmpty: false))
    }
}

/// What became of a segment's users in the horizon after an evaluation.
public struct HorizonOutcome: Codable, Sendable {
    public let users: Int
    /// Not churned at the end of the horizon (truth) on a run; a key action in it on a log.
    public let retained: Int
    public let rate: Double?
    /// 95 % interval of the rate, clustered by user when users are counted at several evaluations
    /// (``ProportionInterval/clustered(_:confidence:)``).
    public let lower: Double?
    public let upper: Double?
    /// Distinct users behind ``users`` (which counts user-evaluations), and the design effect of the rate.
    public let distinctUsers: Int
    public let designEffect: Double?
    /// Of the same users, those who converted a trial or upgraded within the horizon.
    public let converted: Int
    public let conversion: Double?

    /// - Parameter moments: per user, retained evaluations out of evaluations.
    public init(moments: ClusteredRatioMoments, converted: Int) {
        users = moments.trials.reduce(0, +)
        retained = moments.successes.reduce(0, +)
        self.converted = converted
        rate = users == 0 ? nil : Double(retained) / Double(users)
        conversion = users == 0 ? nil : Double(converted) / Double(users)
        let interval = ProportionInterval.clustered(moments, confidence: 0.95)
        lower = interval?.interval.lowerBound
        upper = interval?.interval.upperBound
        distinctUsers = moments.clusters
        designEffect = interval?.designEffect
    }
}

/// Per segment, the clustered moments of retention (per user: retained evaluations out of evaluations)
/// and the converted count, added one user at a time.
public struct HorizonOutcomeTally: Codable, Sendable, Equatable {
    private var retention: [ClusteredRatioMoments]
    private var converted: [Int]

    public init(segments: Int) {
        retention = Array(repeating: ClusteredRatioMoments(), count: segments)
        converted = Array(repeating: 0, count: segments)
    }

    /// One user's evaluations, retained evaluations and conversions by segment.
    public struct User {
        var users: [Int]
        var retained: [Int]
        var converted: [Int]

        public init(segments: Int) {
            users = Array(repeating: 0, count: segments)
            retained = users
            converted = users
        }

        public mutating func add(segment: Int, retained isRetained: Bool, converted isConverted: Bool) {
            users[segment] += 1
            if isRetained { retained[segment] += 1 }
            if isConverted { converted[segment] += 1 }
        }

        mutating func clear() {
            for i in users.indices { (users[i], retained[i], converted[i]) = (0, 0, 0) }
        }
    }

    /// Adds another tally of the same segments.
    public mutating func add(_ other: HorizonOutcomeTally) {
        for i in retention.indices {
            retention[i].add(other.retention[i])
            converted[i] += other.converted[i]
        }
    }

    /// Adds one user, seen at one or more evaluations.
    public mutating func add(_ user: User) {
        for i in retention.indices where user.users[i] > 0 {
            retention[i].addCluster(successes: user.retained[i], trials: user.users[i])
            converted[i] += user.converted[i]
        }
    }

    /// Adds one user seen at a single evaluation.
    public mutating func add(segment: Int, retained isRetained: Bool, converted isConverted: Bool) {
        var user = User(segments: retention.count)
        user.add(segment: segment, retained: isRetained, converted: isConverted)
        add(user)
    }

    /// The outcome of each segment, by label; segments nobody was in are left out when `omittingEmpty`.
    public func outcomes(labels: [String], omittingEmpty: Bool) -> [String: HorizonOutcome] {
        var result: [String: HorizonOutcome] = [:]
        for (i, label) in labels.enumerated() where !omittingEmpty || retention[i].clusters > 0 {
            result[label] = HorizonOutcome(moments: retention[i], converted: converted[i])
        }
        return result
    }
}
