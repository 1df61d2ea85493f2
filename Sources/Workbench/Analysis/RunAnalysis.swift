import Reports
import Analysis
import Segmentation
import Simulation
import UsageModel

/// Gathers what the analyses of a simulated run need from the simulator's truth, the segmentation
/// engine and the cutoff snapshot, and hands it to `Analysis`.
enum RunAnalysis {
    static func analyse(
        engine: SegmentationEngine, snapshot: CutoffSnapshot, conversions: ConversionDays, simulator: Simulator,
        horizon: Int, seed: UInt64
    ) throws -> (results: AnalysisResults, predictions: String) {
        let labels = engine.compiled.segmentNames + ["unmatched"]
        let model = simulator.spec.model
        let truth = simulator.truth
        let personas = Dictionary(
            uniqueKeysWithValues: model.personas.enumerated().map { p, persona in
                (persona.name, { (u: Int) in truth.persona(user: u) == p })
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
        let transitions = try TransitionResults(
            counts: TransitionCounts(
                history: engine.history, states: labels.count, evaluations: 0..<max(0, engine.history.count - 1),
                groups: personas, arms: arms),
            labels: labels, every: engine.compiled.spec.every.days)

        let (prediction, csv) = try predictChurn(
            snapshot: snapshot, simulator: simulator, segmentation: engine.compiled, horizon: horizon, seed: seed)
        let validity = ValidityResults(
            counts: ValidityCounts(
                segments: labels.count, states: model.states.count,
                evaluations: engine.evaluations.indices.map { (engine.evaluations[$0].day, engine.history[$0]) },
                state: { truth.state(user: $0, day: $1) },
                outcome: { u, day, state in
                    let later = day + horizon
                    guard later < truth.days, state != truth.churnedState else { return nil }
                    return (
                        !truth.churned(user: u, by: later),
                        conversions.converted(user: u, after: day, through: later)
                    )
                }, threads: simulator.threads),
            labels: labels, states: model.states.map(\.name), horizon: horizon)
        return (AnalysisResults(transitions: transitions, churnPrediction: prediction, segmentValidity: validity), csv)
    }

    /// Churn prediction at every cutoff of the snapshot: users not yet churned by the truth, churn
    /// by the truth at the end of the horizon, and the simulator's probability as the oracle.
    static func predictChurn(
        snapshot: CutoffSnapshot, simulator: Simulator, segmentation: CompiledSegmentation, horizon: Int, seed: UInt64
    ) throws -> (PredictionResults, csv: String) {
        let truth = simulator.truth
        let oracle = ChurnOracle(model: simulator.spec.model, horizon: horizon)
        let ruleName = ChurnPrediction.ruleName(atRisk: segmentation.atRiskNames)
        var csv = PredictionsCSV()
        var cutoffs: [PredictionResults.CutoffResult] = []
        var skipped: [String] = []
        for cutoff in snapshot.cutoffs where !cutoff.users.isEmpty {
            let day = cutoff.day
            do {
                let (result, scores) = try ChurnPrediction.predict(
                    cutoff, ruleName: ruleName, seed: seed,
                    include: { truth.state(user: $0, day: day) != truth.churnedState },
                    churned: { truth.churned(user: $0, by: day + horizon) },
                    oracle: { u in
                        oracle.probability(
                            persona: truth.persona(user: u), state: truth.state(user: u, day: day)!,
                            habitLevel: truth.habitLevel(user: u, day: day))
                    })
                cutoffs.append(result)
                csv.append(scores, date: cutoff.date, userID: PopulationDirectory.userID)
            } catch let reason as PredictionSkipped {
                skipped.append(reason.description)
            }
        }
        let results = PredictionResults(
            cutoffs: cutoffs, skipped: skipped, horizonDays: horizon, atRiskSegments: segmentation.atRiskNames)
        return (results, csv.text)
    }
}

/// `predictions.csv`: every scored user at every cutoff, `user_id,cutoff,rule,logistic,oracle,churned`.
struct PredictionsCSV {
    private(set) var text = "user_id,cutoff,rule,logistic,oracle,churned\n"

    mutating func append(_ scores: [ChurnPrediction.Score], date: CivilDate, userID: (Int) -> String) {
        func fixed(_ x: Double) -> String { DecimalText.fixed(x, 6) }
        for s in scores {
            text += CSVText.spreadsheetRow([
                userID(s.user), date.description, fixed(s.rule), fixed(s.logistic), s.oracle.map(fixed) ?? "",
                s.churned ? "1" : "0",
            ])
        }
    }
}
