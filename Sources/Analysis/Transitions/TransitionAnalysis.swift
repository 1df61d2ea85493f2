public import UsageModel

/// Transitions between segment evaluations, as `results.json` holds them: the tables overall, per
/// group of users and per experiment arm, what the observed chain implies in the long run, and
/// drift between the two halves.
public struct TransitionResults: Codable, Sendable {
    public let everyDays: Int
    public let overall: TransitionTable
    public let byPersona: [String: TransitionTable]
    /// Per experiment arm (and `global_control`), when the scenario has interventions.
    public let byArm: [String: TransitionTable]
    /// Long-run share of signed-up users in each segment if the observed chain went on; `nil` when
    /// the chain has no unique stationary distribution.
    public let stationaryDistribution: [String: Double]?
    /// Expected days from each segment until first reaching the segment named by the key.
    public let expectedDaysTo: [String: [String: Double?]]
    /// Transitions whose rate changed between the first and second half of the run (p < 0.001).
    public let drift: [DriftFlag]
}

/// Transition counts between consecutive evaluations, split at the middle of the run (for the
/// drift test), overall, per group and per arm: what ``TransitionResults`` is computed from. Counts
/// of disjoint sets of users (blocks of one population) add up to the counts of all of them.
public struct TransitionCounts: Codable, Sendable, Equatable {
    /// `[half][from][to]`, halves 0 and 1.
    public var overall: [[[Int]]]
    public var byGroup: [String: [[[Int]]]]
    public var byArm: [String: [[[Int]]]]

    /// Counts of the users in `history` between consecutive evaluations in `evaluations`.
    ///
    /// - Parameters:
    ///   - history: segment codes of every user at every evaluation; codes at or above `states`
    ///     are users not yet signed up.
    ///   - groups, arms: who belongs to each group and arm.
    public init(
        history: [Column<UInt8>], states: Int, evaluations: Range<Int>, groups: [String: (Int) -> Bool],
        arms: [String: (Int) -> Bool] = [:]
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
    }

    static func whole(_ halves: [[[Int]]]) -> [[Int]] { zip(halves[0], halves[1]).map { zip($0, $1).map { $0 + $1 } } }
}

extension TransitionResults {
    /// Transition tables from counts (see ``TransitionCounts``), overall and per group of users;
    /// the observed chain's stationary distribution, the expected days from each segment to
    /// dormant and to churned (fundamental matrix), and drift between the two halves.
    ///
    /// - Parameters:
    ///   - labels: the states counted, in code order.
    ///   - every: days between evaluations, to turn steps into days.
    public init(counts: TransitionCounts, labels: [String], every: Int) throws {
        let overall = TransitionCounts.whole(counts.overall)
        func table(_ halves: [[[Int]]]) -> TransitionTable {
            TransitionTable(labels: labels, counts: TransitionCounts.whole(halves))
        }
        // The chain over segments someone was observed leaving (an empty "unmatched" has no row).
        let observed = labels.indices.filter { overall[$0].reduce(0, +) > 0 }
        var stationary: [String: Double]?
        var expected: [String: [String: Double?]] = [:]
        if !observed.isEmpty {
            let chainLabels = observed.map { labels[$0] }
            let chain = try MarkovChain.estimate(counts: observed.map { i in observed.map { overall[i][$0] } })
            stationary = (try? chain.stationaryDistribution()).map {
                Dictionary(uniqueKeysWithValues: zip(chainLabels, $0))
            }
            for target in ["dormant", "churned"] {
                guard let t = chainLabels.firstIndex(of: target),
                    let steps = try? chain.expectedStepsToAbsorption(absorbing: [t])
                else { continue }
                expected[target] = Dictionary(
                    uniqueKeysWithValues: zip(chainLabels, steps.map { $0.map { $0 * Double(every) } }))
            }
        }
        let drift = TransitionDrift.flags(first: counts.overall[0], second: counts.overall[1], labels: labels)
        self.init(
            everyDays: every, overall: TransitionTable(labels: labels, counts: overall),
            byPersona: counts.byGroup.mapValues(table), byArm: counts.byArm.mapValues(table),
            stationaryDistribution: stationary, expectedDaysTo: expected, drift: drift)
    }
}
