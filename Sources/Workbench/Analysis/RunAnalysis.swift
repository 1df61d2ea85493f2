import Analysis
import Segmentation
import Simulation
import UsageModel

/// The `analysis` part of a run's `results.json`: transitions, churn prediction, segment validity.
struct AnalysisResults: Encodable {
    let transitions: TransitionResults
    let churnPrediction: PredictionResults
    let segmentValidity: ValidityResults
}

struct TransitionResults: Encodable {
    let everyDays: Int
    let overall: TransitionTable
    let byPersona: [String: TransitionTable]
    /// Per experiment arm (and `global_control`), when the scenario has interventions.
    let byArm: [String: TransitionTable]
    /// Long-run share of signed-up users in each segment if the observed chain went on; `nil` when
    /// the chain has no unique stationary distribution.
    let stationaryDistribution: [String: Double]?
    /// Expected days from each segment until first reaching the segment named by the key.
    let expectedDaysTo: [String: [String: Double?]]
    /// Transitions whose rate changed between the first and second half of the run (p < 0.001).
    let drift: [DriftFlag]
}

struct ValidityResults: Encodable {
    let latentStates: [String]
    let segments: [String]
    /// `counts[segment][state]`: user-evaluations in the segment whose true latent state was the state.
    let counts: [[Int]]
    /// For each segment, the latent state most of its users were in and that share (the segment's precision
    /// for that state).
    let dominantState: [String: String]
    let precision: [String: Double]
    let horizonDays: Int
    /// Share of each segment's users not churned `horizonDays` later (truth), with a 95 % Wilson
    /// interval, and the share who converted or upgraded in those days.
    let retention: [String: HorizonOutcome]

}

/// What became of a segment's users in the horizon after an evaluation.
struct HorizonOutcome: Encodable {
    let users: Int
    /// Not churned at the end of the horizon (truth) on a run; a key action in it on a log.
    let retained: Int
    let rate: Double?
    /// 95 % Wilson interval of the rate.
    let lower: Double?
    let upper: Double?
    /// Of the same users, those who converted a trial or upgraded within the horizon.
    let converted: Int
    let conversion: Double?

    init(users: Int, retained: Int, converted: Int) {
        self.users = users
        self.retained = retained
        self.converted = converted
        rate = users == 0 ? nil : Double(retained) / Double(users)
        conversion = users == 0 ? nil : Double(converted) / Double(users)
        let interval = ProportionInterval.wilson(successes: retained, trials: users, confidence: 0.95)
        lower = interval?.lowerBound
        upper = interval?.upperBound
    }
}

enum RunAnalysis {
    static func analyse(
        engine: SegmentationEngine, snapshot: CutoffSnapshot, conversions: ConversionDays, simulator: Simulator,
        horizon: Int, seed: UInt64
    ) throws -> (results: AnalysisResults, predictions: String) {
        let segmentNames = engine.compiled.segmentNames
        let labels = segmentNames + ["unmatched"]
        let model = simulator.spec.model
        let personas = Dictionary(
            uniqueKeysWithValues: model.personas.enumerated().map { p, persona in
                (persona.name, { (u: Int) in simulator.truth.persona(user: u) == p })
            })
        var arms: [String: (Int) -> Bool] = [:]
        if let treatment = simulator.treatment {
            for (a, arm) in treatment.spec.arms.enumerated() {
                arms[arm.name] = { treatment.arm[$0] == UInt8(a) }
            }
            if treatment.spec.globalControlShare > 0 {
                arms["global_control"] = { treatment.arm[$0] == TreatmentState.globalControl }
            }
        }
        let evaluations = 0..<max(0, engine.history.count - 1)
        let every = engine.compiled.spec.every.days
        let transitions = try transitions(
            history: engine.history, labels: labels, evaluations: evaluations, every: every, groups: personas,
            arms: arms)

        let (prediction, csv) = try ChurnPrediction.analyse(
            snapshot: snapshot, simulator: simulator, segmentation: engine.compiled, horizon: horizon, seed: seed)
        let results = AnalysisResults(
            transitions: transitions, churnPrediction: prediction,
            segmentValidity: validity(
                engine: engine, conversions: conversions, simulator: simulator, labels: labels, horizon: horizon))
        return (results, csv)
    }

    /// Transition tables between consecutive evaluations in `evaluations` (each with the next), overall
    /// and per group of users; the observed chain's stationary distribution, the expected days from each
    /// segment to dormant and to churned (fundamental matrix), and drift between the two halves.
    static func transitions(
        history: [Column<UInt8>], labels: [String], evaluations: Range<Int>, every: Int,
        groups: [String: (Int) -> Bool], arms: [String: (Int) -> Bool] = [:]
    ) throws -> TransitionResults {
        let k = labels.count
        let overall = TransitionTable.count(history: history, stateCount: k, evaluations: evaluations)
        func table(_ include: @escaping (Int) -> Bool) -> TransitionTable {
            TransitionTable(
                labels: labels,
                counts: TransitionTable.count(
                    history: history, stateCount: k, evaluations: evaluations, include: include))
        }
        let byGroup = groups.mapValues(table)
        let byArm = arms.mapValues(table)
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
        let half = evaluations.lowerBound + evaluations.count / 2
        let drift = TransitionDrift.flags(
            first: TransitionTable.count(history: history, stateCount: k, evaluations: evaluations.lowerBound..<half),
            second: TransitionTable.count(history: history, stateCount: k, evaluations: half..<evaluations.upperBound),
            labels: labels)
        return TransitionResults(
            everyDays: every, overall: TransitionTable(labels: labels, counts: overall), byPersona: byGroup,
            byArm: byArm,
            stationaryDistribution: stationary, expectedDaysTo: expected, drift: drift)
    }

    static func validity(
        engine: SegmentationEngine, conversions: ConversionDays, simulator: Simulator, labels: [String], horizon: Int
    ) -> ValidityResults {
        let truth = simulator.truth
        let states = simulator.spec.model.states.map(\.name)
        var counts = [[Int]](repeating: [Int](repeating: 0, count: states.count), count: labels.count)
        var users = [Int](repeating: 0, count: labels.count)
        var retained = [Int](repeating: 0, count: labels.count)
        var converted = [Int](repeating: 0, count: labels.count)
        for (e, evaluation) in engine.evaluations.enumerated() {
            let memberships = engine.history[e]
            let later = evaluation.day + horizon
            for u in 0..<memberships.count {
                let code = Int(memberships[u])
                guard code < labels.count, let state = truth.state(user: u, day: evaluation.day) else { continue }
                counts[code][state] += 1
                if later < truth.days, state != truth.churnedState {
                    users[code] += 1
                    if truth.state(user: u, day: later) != truth.churnedState { retained[code] += 1 }
                    if conversions.converted(user: u, after: evaluation.day, through: later) { converted[code] += 1 }
                }
            }
        }
        var dominant: [String: String] = [:]
        var precision: [String: Double] = [:]
        var retention: [String: HorizonOutcome] = [:]
        for (i, label) in labels.enumerated() {
            let total = counts[i].reduce(0, +)
            if total > 0, let best = counts[i].indices.max(by: { counts[i][$0] < counts[i][$1] }) {
                dominant[label] = states[best]
                precision[label] = Double(counts[i][best]) / Double(total)
            }
            retention[label] = HorizonOutcome(users: users[i], retained: retained[i], converted: converted[i])
        }
        return ValidityResults(
            latentStates: states, segments: labels, counts: counts, dominantState: dominant, precision: precision,
            horizonDays: horizon, retention: retention)
    }
}
