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

extension TransitionResults {
    /// Transition tables between consecutive evaluations in `evaluations` (each with the next),
    /// overall and per group of users; the observed chain's stationary distribution, the expected
    /// days from each segment to dormant and to churned (fundamental matrix), and drift between
    /// the two halves.
    ///
    /// - Parameters:
    ///   - history: segment codes of every user at every evaluation; codes at or above
    ///     `labels.count` are users not yet signed up.
    ///   - every: days between evaluations, to turn steps into days.
    public init(
        history: [Column<UInt8>], labels: [String], evaluations: Range<Int>, every: Int,
        groups: [String: (Int) -> Bool], arms: [String: (Int) -> Bool] = [:]
    ) throws {
        let k = labels.count
        // The halves for the drift test, and the whole run as their sum.
        let half = evaluations.lowerBound + evaluations.count / 2
        let first = TransitionTable.count(history: history, stateCount: k, evaluations: evaluations.lowerBound..<half)
        let second = TransitionTable.count(history: history, stateCount: k, evaluations: half..<evaluations.upperBound)
        let overall = zip(first, second).map { zip($0, $1).map { $0 + $1 } }
        func table(_ include: @escaping (Int) -> Bool) -> TransitionTable {
            TransitionTable(
                labels: labels,
                counts: TransitionTable.count(
                    history: history, stateCount: k, evaluations: evaluations, include: include))
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
        let drift = TransitionDrift.flags(first: first, second: second, labels: labels)
        self.init(
            everyDays: every, overall: TransitionTable(labels: labels, counts: overall),
            byPersona: groups.mapValues(table), byArm: arms.mapValues(table), stationaryDistribution: stationary,
            expectedDaysTo: expected, drift: drift)
    }
}
