import Analysis
import Foundation
import Reports
import Segmentation
import Simulation
import UsageModel

/// Everything a run's results are computed from, for one block of users (the whole population, or
/// a shard of it): counts that add up over blocks, and per-user rows where the order of users
/// matters (churn prediction, experiment entries), numbered in the whole population. The results of
/// a run are computed from the pieces of all its blocks, appended in order, so a run in one process
/// and a run in shards give the same bytes.
struct RunPieces: Codable {
    /// The block: users `firstUser ..< firstUser + users` of the population.
    var firstUser: Int
    var users: Int
    var metrics: [DayMetrics]
    var evaluations: [SegmentEvaluation]
    var transitions: TransitionCounts
    var validity: ValidityCounts
    var predictions: [PredictionRows]
    var experiment: ExperimentPieces?

    /// One cutoff's churn-prediction inputs, in user order: the snapshot of observed features, and
    /// from the truth whether each user is scored (not churned on the cutoff), churned by the end of
    /// the horizon, and the simulator's probability of that (the oracle) with its Monte Carlo
    /// standard error.
    struct PredictionRows: Codable {
        var cutoff: ChurnPrediction.Cutoff
        var included: [Bool]
        var churned: [Bool]
        var oracle: [Double]
        var oracleError: [Double]

        init(
            cutoff: ChurnPrediction.Cutoff, included: [Bool], churned: [Bool], oracle: [Double],
            oracleError: [Double]? = nil
        ) {
            self.cutoff = cutoff
            self.included = included
            self.churned = churned
            self.oracle = oracle
            self.oracleError = oracleError ?? oracle.map { _ in .nan }
        }

        // In a shard file the rows are packed bytes (base64): per user the index, the features,
        // the flags, the oracle's probability and its standard error.
        private enum CodingKeys: String, CodingKey { case day, date, rows }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cutoff = ChurnPrediction.Cutoff(
                day: try c.decode(Int.self, forKey: .day), date: try c.decode(CivilDate.self, forKey: .date))
            (included, churned, oracle, oracleError) = ([], [], [], [])
            var r = ByteReader(try c.decode(PackedBase64.self, forKey: .rows).bytes)
            var features = [Double](repeating: 0, count: ChurnPrediction.featureNames.count)
            while !r.isAtEnd {
                let user = Int(try r.get(Int64.self))
                for j in features.indices { features[j] = try r.double() }
                let flags = try r.get(UInt8.self)
                cutoff.append(user: user, features: features, flagged: flags & 1 != 0)
                included.append(flags & 2 != 0)
                churned.append(flags & 4 != 0)
                oracle.append(try r.double())
                oracleError.append(try r.double())
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(cutoff.day, forKey: .day)
            try c.encode(cutoff.date, forKey: .date)
            var w = ByteWriter()
            for (i, user) in cutoff.users.enumerated() {
                w.put(Int64(user))
                for x in cutoff.features(row: i) { w.put(x) }
                w.put(UInt8((cutoff.flagged[i] ? 1 : 0) | (included[i] ? 2 : 0) | (churned[i] ? 4 : 0)))
                w.put(oracle[i])
                w.put(oracleError[i])
            }
            try c.encode(PackedBase64(w.bytes), forKey: .rows)
        }
    }

    /// Appends the pieces of the block that follows this one.
    mutating func append(_ next: RunPieces) {
        precondition(next.firstUser == firstUser + users, "blocks must follow each other")
        users += next.users
        for d in metrics.indices { metrics[d].add(next.metrics[d]) }
        evaluations = zip(evaluations, next.evaluations).map { $0.adding($1) }
        transitions.add(next.transitions)
        validity.add(next.validity)
        for c in predictions.indices {
            predictions[c].cutoff.append(contentsOf: next.predictions[c].cutoff)
            predictions[c].included += next.predictions[c].included
            predictions[c].churned += next.predictions[c].churned
            predictions[c].oracle += next.predictions[c].oracle
            predictions[c].oracleError += next.predictions[c].oracleError
        }
        if let other = next.experiment { experiment?.add(other) }
    }
}

extension RunPieces {
    /// The pieces of a finished day loop (and counterfactual run, with campaigns).
    init(
        simulator: Simulator, metrics: [DayMetrics], engine: SegmentationEngine, snapshot: CutoffSnapshot,
        conversions: ConversionDays, experiment: ExperimentPieces?, horizon: Int
    ) {
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
        firstUser = simulator.directory.firstUser
        users = simulator.directory.userCount
        self.metrics = metrics
        evaluations = engine.evaluations
        let signup = simulator.directory.signupDay
        transitions = TransitionCounts(
            history: engine.history, states: labels.count, evaluations: 0..<max(0, engine.history.count - 1),
            days: engine.evaluations.map(\.day), signup: { Int(signup[$0]) },
            targets: TransitionCounts.targets(labels: labels), groups: personas, arms: arms)
        validity = ValidityCounts(
            segments: labels.count, states: model.states.count,
            evaluations: engine.evaluations.indices.map { (engine.evaluations[$0].day, engine.history[$0]) },
            state: { truth.state(user: $0, day: $1) },
            outcome: { u, day, state in
                let later = day + horizon
                guard later < truth.days, state != truth.churnedState else { return nil }
                return (!truth.churned(user: u, by: later), conversions.converted(user: u, after: day, through: later))
            }, threads: simulator.threads)
        let first = firstUser
        predictions = snapshot.cutoffs.map { cutoff in
            let day = cutoff.day
            var global = ChurnPrediction.Cutoff(day: day, date: cutoff.date)
            global.append(contentsOf: cutoff, offset: first)
            let forecast = simulator.forecast(day: day)
            return PredictionRows(
                cutoff: global,
                included: cutoff.users.map { truth.state(user: $0, day: day) != truth.churnedState },
                churned: cutoff.users.map { truth.churned(user: $0, by: day + horizon) },
                oracle: cutoff.users.map { forecast?.probability[$0] ?? .nan },
                oracleError: cutoff.users.map { forecast?.standardError[$0] ?? .nan })
        }
        self.experiment = experiment
    }

    /// The results of the run whose blocks' pieces these are, and `predictions.csv`.
    func results(
        scenario: Scenario, spec: SimulationSpec, layout: PopulationLayout, segmentation compiled: CompiledSegmentation,
        replicates: [ExperimentResults]
    ) throws -> (RunResults, predictions: String) {
        precondition(firstUser == 0 && users == layout.directory.userCount, "pieces of part of the population")
        let labels = compiled.segmentNames + ["unmatched"]
        let transitions = try TransitionResults(counts: transitions, labels: labels, every: compiled.spec.every.days)
        let validity = ValidityResults(
            counts: validity, labels: labels, states: spec.model.states.map(\.name), horizon: scenario.horizonDays)
        let (prediction, csv) = try predictChurn(
            ruleName: ChurnPrediction.ruleName(atRisk: compiled.atRiskNames), horizon: scenario.horizonDays,
            seed: spec.seed, atRisk: compiled.atRiskNames)
        let experimentResults = try experiment.map {
            try spec.interventions!.results($0, context: ExperimentContext(segmentation: compiled, spec: spec))
        }
        var replicateResults: ReplicateResults?
        if let first = experimentResults, !replicates.isEmpty {
            replicateResults = try ReplicateResults(
                seeds: (0...replicates.count).map { spec.seed &+ UInt64($0) }, runs: [first] + replicates)
        }
        let results = RunResults(
            scenario: scenario, spec: spec, layout: layout, metrics: metrics,
            segmentation: SegmentationResults(compiled, evaluations: evaluations),
            analysis: AnalysisResults(transitions: transitions, churnPrediction: prediction, segmentValidity: validity),
            experiment: experimentResults, replicates: replicateResults)
        return (results, csv)
    }

    /// Churn prediction at every cutoff with users.
    private func predictChurn(ruleName: String, horizon: Int, seed: UInt64, atRisk: [String]) throws
        -> (PredictionResults, csv: String)
    {
        var csv = PredictionsCSV()
        var cutoffs: [PredictionResults.CutoffResult] = []
        var skipped: [String] = []
        var errors: [PredictionResults.MonteCarloError] = []
        for rows in predictions where !rows.cutoff.users.isEmpty {
            var row = [Int32](repeating: -1, count: users)
            for (i, u) in rows.cutoff.users.enumerated() { row[u] = Int32(i) }
            do {
                let (result, scores) = try ChurnPrediction.predict(
                    rows.cutoff, ruleName: ruleName, seed: seed, include: { rows.included[Int(row[$0])] },
                    churned: { rows.churned[Int(row[$0])] }, oracle: { rows.oracle[Int(row[$0])] })
                cutoffs.append(result)
                csv.append(scores, date: rows.cutoff.date, userID: PopulationDirectory.userID)
                errors.append(Self.oracleError(rows))
            } catch let reason as PredictionSkipped {
                skipped.append(reason.description)
            }
        }
        let oracle = PredictionResults.Oracle(
            method:
                "each scored user's \(horizon) days after the cutoff simulated forward \(ChurnForecastPlan.defaultReplicas) "
                + "times from their true state on the cutoff day (latent state, habit, billing, campaign effects already "
                + "given), with the model of the run; messages that segments would trigger after the cutoff are not simulated",
            replicas: ChurnForecastPlan.defaultReplicas, standardErrors: errors)
        let results = PredictionResults(
            cutoffs: cutoffs, skipped: skipped, horizonDays: horizon, atRiskSegments: atRisk,
            scored: "users signed up and not yet churned (in the simulator's truth) on the cutoff", oracle: oracle)
        return (results, csv.text)
    }

    /// The oracle's Monte Carlo error over the users scored at one cutoff, with its mean probability
    /// beside the share of them that churned.
    private static func oracleError(_ rows: PredictionRows) -> PredictionResults.MonteCarloError {
        var (n, squares, largest, probability, churned) = (0, 0.0, 0.0, 0.0, 0)
        for i in rows.included.indices where rows.included[i] {
            n += 1
            squares += rows.oracleError[i] * rows.oracleError[i]
            largest = max(largest, rows.oracleError[i])
            probability += rows.oracle[i]
            if rows.churned[i] { churned += 1 }
        }
        let count = Double(max(1, n))
        return PredictionResults.MonteCarloError(
            date: rows.cutoff.date.description, rootMeanSquare: (squares / count).squareRoot(), largest: largest,
            meanProbability: probability / count, churnedShare: Double(churned) / count)
    }
}

/// Bytes as a base64 string in JSON.
struct PackedBase64: Codable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not base64"))
        }
        bytes = [UInt8](data)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(Data(bytes).base64EncodedString())
    }
}
