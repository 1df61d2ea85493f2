public import UsageModel

/// Transitions between segment evaluations, as `results.json` holds them: the tables overall, per
/// group of users and per experiment arm, the measured time from entering a segment to dormant and
/// churned, and drift between the two halves.
///
/// Nothing here treats the segments as a Markov chain: a segment is a function of rolling usage
/// windows, so a user's next segment depends on more than the current one (a dormant user who stays
/// idle is churned a fixed number of days later), and long-run shares or hitting times computed from
/// the transition matrix would be extrapolations of a model the data do not follow.
public struct TransitionResults: Codable, Sendable {
    public let everyDays: Int
    public let overall: TransitionTable
    public let byPersona: [String: TransitionTable]
    /// Per experiment arm (and `global_control`), when the scenario has interventions.
    public let byArm: [String: TransitionTable]
    /// Measured: from users' first entry into each segment until they first reach the segment named by
    /// the key (Kaplan–Meier, censored at the end of the data).
    public let measuredDaysTo: [String: [String: MeasuredTime]]
    /// Transitions whose rate changed between the first and second half of the run at the same tenure
    /// (Holm-adjusted p below ``driftAlpha``).
    public let drift: [DriftTest]
    /// Every cell tested for drift, flagged or not.
    public let driftTests: [DriftTest]
    public let driftAlpha: Double
    /// Lower bounds of the bands of tenure (days since sign-up) the drift test compares within.
    public let tenureBands: [Int]
}

/// Transition counts between consecutive evaluations, split at the middle of the run (for the
/// drift test), overall, per group and per arm, with the users' clustered moments of every cell and
/// the tallies of time to dormant and churned: what ``TransitionResults`` is computed from. Counts of
/// disjoint sets of users (blocks of one population) add up to the counts of all of them.
public struct TransitionCounts: Codable, Sendable, Equatable {
    /// `[half][from][to]`, halves 0 and 1.
    public var overall: [[[Int]]]
    public var byGroup: [String: [[[Int]]]]
    public var byArm: [String: [[[Int]]]]
    /// Overall, stratified by half and band of tenure (``TransitionDrift/stratum(half:tenure:)``).
    public var moments: TransitionMoments
    public var groupMoments: [String: TransitionMoments]
    public var armMoments: [String: TransitionMoments]
    public var timeTo: TimeToSegmentCounts

    /// Counts of the users in `history` between consecutive evaluations in `evaluations`.
    ///
    /// - Parameters:
    ///   - history: segment codes of every user at every evaluation; codes at or above `states`
    ///     are users not yet signed up.
    ///   - days: the day of every evaluation; `signup`: a user's sign-up day, for the tenure bands.
    ///   - targets: the codes whose time to reach is measured (dormant, churned).
    ///   - groups, arms: who belongs to each group and arm.
    public init(
        history: [Column<UInt8>], states: Int, evaluations: Range<Int>, days: [Int], signup: (Int) -> Int,
        targets: [Int], groups: [String: (Int) -> Bool], arms: [String: (Int) -> Bool] = [:]
    ) {
        let half = evaluations.lowerBound + evaluations.count / 2
        func halves(_ include: ((Int) -> Bool)?) -> [[[Int]]] {
            [evaluations.lowerBound..<half, half..<evaluations.upperBound].map {
                TransitionTable.count(history: history, stateCount: states, evaluations: $0, include: include)
            }
        }
        overall = halves(nil)
        byGroup = groups.mapValues(halves)
        byArm = arms.mapValues(halves)
        let bands = TransitionDrift.tenureBands.count
        moments = TransitionMoments(states: states, strata: 2 * bands)
        groupMoments = groups.mapValues { _ in TransitionMoments(states: states, strata: 1) }
        armMoments = arms.mapValues { _ in TransitionMoments(states: states, strata: 1) }
        // Evaluations seen: each `e` in `evaluations` with the one after it.
        let seen = evaluations.lowerBound..<min(evaluations.upperBound + 1, history.count)
        timeTo = TimeToSegmentCounts(states: states, targets: targets, maxSteps: max(0, seen.count - 1))
        guard seen.count >= 2 else { return }
        let users = history.first?.count ?? 0
        let groupNames = groups.keys.sorted()
        let armNames = arms.keys.sorted()
        let k = states
        let strata = 2 * bands
        var cells = [Int](repeating: 0, count: k * k * strata)
        var plain = [Int](repeating: 0, count: k * k)
        var codes = [Int](repeating: 0, count: seen.count)
        var rows = [Int]()
        for u in 0..<users {
            for (i, e) in seen.enumerated() { codes[i] = Int(history[e][u]) }
            timeTo.addUser(codes: codes)
            let joined = signup(u)
            for i in 0..<(seen.count - 1) {
                let from = codes[i]
                let to = codes[i + 1]
                guard from < k, to < k else { continue }
                let e = seen.lowerBound + i
                let s = TransitionDrift.stratum(half: e < half ? 0 : 1, tenure: days[e] - joined)
                cells[(from * k + to) * strata + s] += 1
                plain[from * k + to] += 1
                if !rows.contains(from) { rows.append(from) }
            }
            guard !rows.isEmpty else { continue }
            rows.sort()
            moments.addCluster(counts: cells, rows: rows)
            for name in groupNames where groups[name]!(u) { groupMoments[name]!.addCluster(counts: plain, rows: rows) }
            for name in armNames where arms[name]!(u) { armMoments[name]!.addCluster(counts: plain, rows: rows) }
            for i in rows {
                for c in (i * k * strata)..<((i + 1) * k * strata) { cells[c] = 0 }
                for c in (i * k)..<((i + 1) * k) { plain[c] = 0 }
            }
            rows.removeAll(keepingCapacity: true)
        }
    }

    /// Adds the counts of other users over the same evaluations, groups and arms.
    public mutating func add(_ other: TransitionCounts) {
        func sum(_ a: [[[Int]]], _ b: [[[Int]]]) -> [[[Int]]] {
            zip(a, b).map { zip($0, $1).map { zip($0, $1).map { $0 + $1 } } }
        }
        precondition(Set(byGroup.keys) == Set(other.byGroup.keys) && Set(byArm.keys) == Set(other.byArm.keys))
        overall = sum(overall, other.overall)
        for key in byGroup.keys { byGroup[key] = sum(byGroup[key]!, other.byGroup[key]!) }
        for key in byArm.keys { byArm[key] = sum(byArm[key]!, other.byArm[key]!) }
        moments.add(other.moments)
        for key in groupMoments.keys { groupMoments[key]!.add(other.groupMoments[key]!) }
        for key in armMoments.keys { armMoments[key]!.add(other.armMoments[key]!) }
        timeTo.add(other.timeTo)
    }

    /// The codes of the segments whose time to reach is measured: `dormant` and `churned`, when defined.
    public static func targets(labels: [String]) -> [Int] {
        ["dormant", "churned"].compactMap { labels.firstIndex(of: $0) }
    }

    static func whole(_ halves: [[[Int]]]) -> [[Int]] { zip(halves[0], halves[1]).map { zip($0, $1).map { $0 + $1 } } }
}

extension TransitionResults {
    /// Transition tables from counts (see ``TransitionCounts``), overall and per group of users;
    /// the measured days from each segment to dormant and to churned, and drift between the two
    /// halves.
    ///
    /// - Parameters:
    ///   - labels: the states counted, in code order.
    ///   - every: days between evaluations, to turn steps into days.
    public init(counts: TransitionCounts, labels: [String], every: Int) throws {
        let overall = TransitionCounts.whole(counts.overall)
        var measured: [String: [String: MeasuredTime]] = [:]
        for (t, target) in counts.timeTo.targets.enumerated() {
            var row: [String: MeasuredTime] = [:]
            for from in labels.indices where from != target {
                let tally = counts.timeTo.tallies(target: t, from: from)
                if let time = try MeasuredTime(events: tally.events, censored: tally.censored, every: every) {
                    row[labels[from]] = time
                }
            }
            measured[labels[target]] = row
        }
        let alpha = 0.05
        let tests = try TransitionDrift.tests(counts.moments, labels: labels, alpha: alpha)
        func tables(_ halves: [String: [[[Int]]]], _ moments: [String: TransitionMoments]) -> [String: TransitionTable]
        {
            Dictionary(
                uniqueKeysWithValues: halves.map { key, value in
                    (key, TransitionTable(labels: labels, counts: TransitionCounts.whole(value), moments: moments[key]))
                })
        }
        self.init(
            everyDays: every, overall: TransitionTable(labels: labels, counts: overall, moments: counts.moments),
            byPersona: tables(counts.byGroup, counts.groupMoments), byArm: tables(counts.byArm, counts.armMoments),
            measuredDaysTo: measured, drift: tests.filter(\.flagged), driftTests: tests, driftAlpha: alpha,
            tenureBands: TransitionDrift.tenureBands)
    }
}
