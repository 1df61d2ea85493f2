import Analysis
import Foundation
import Segmentation
import Simulation
import Stats
import UsageModel

/// Churn prediction on a simulated run: at each cutoff, who churns within the horizon, predicted
/// by an at-risk segment rule, a logistic regression on usage-window features, and the
/// simulator's own probability (the ceiling).
struct PredictionResults: Encodable {
    let horizonDays: Int
    let atRiskSegments: [String]
    let features: [String]
    /// How users are split: by a hash of (seed, user), half to fit the model, half to score all three predictors.
    let split: String
    let cutoffs: [CutoffResult]
    /// Cutoffs where no model could be fitted, each with the reason.
    let skipped: [String]

    struct CutoffResult: Encodable {
        let day: Int
        let date: String
        /// Signed-up users not yet churned (by the truth) on the cutoff day.
        let users: Int
        let trainUsers: Int
        let testUsers: Int
        let testChurned: Int
        let model: Model
        let predictors: [Predictor]
    }

    struct Model: Encodable {
        let converged: Bool
        let iterations: Int
        /// Coefficients on standardized features (mean 0, sd 1 over the training users), intercept first.
        let coefficients: [String: Double]
        let standardErrors: [String: Double]
    }

    struct Predictor: Encodable {
        let name: String
        let rocAuc: Double?
        let averagePrecision: Double?
        let brierScore: Double
        let logLoss: Double
        let threshold: Double
        let truePositives: Int
        let falsePositives: Int
        let trueNegatives: Int
        let falseNegatives: Int
        let precision: Double?
        let recall: Double?
        let f1: Double?
        let topDecileLift: Double?
        let calibration: [Bin]
        /// (false-positive rate, true-positive rate), at most 101 points.
        let roc: [[Double]]
    }

    struct Bin: Encodable {
        let lower: Double
        let upper: Double
        let count: Int
        let meanPredicted: Double?
        let observedRate: Double?
    }
}

/// Why churn could not be predicted at a cutoff.
struct PredictionSkipped: Error, CustomStringConvertible {
    let date: CivilDate
    let reason: String
    var description: String { "\(date): \(reason)" }
}

enum ChurnPrediction {
    /// Cutoff days for a run: evaluation days near the middle and three quarters of the run that
    /// leave a whole horizon after them.
    static func cutoffDays(days: Int, every: Int, horizon: Int) -> [Int] {
        let last = days - 1 - horizon
        guard last >= every - 1 else { return [] }
        let candidates = [days / 2, days * 3 / 4].map { target -> Int in
            let d = min(target, last)
            return max(every - 1, ((d + 1) / every) * every - 1)
        }
        return Array(Set(candidates)).sorted()
    }

    static func analyse(
        snapshot: CutoffSnapshot, simulator: Simulator, segmentation: CompiledSegmentation, horizon: Int, seed: UInt64
    ) throws -> (PredictionResults, csv: String) {
        let truth = simulator.truth
        let oracle = ChurnOracle(model: simulator.spec.model, horizon: horizon)
        var csv = header
        var cutoffs: [PredictionResults.CutoffResult] = []
        var skipped: [String] = []
        for cutoff in snapshot.cutoffs where !cutoff.users.isEmpty {
            let day = cutoff.day
            let predicted: (PredictionResults.CutoffResult, csv: String)
            do {
                predicted = try predict(
                    cutoff: cutoff, date: simulator.spec.startDate.adding(days: day), segmentation: segmentation,
                    seed: seed,
                    userID: PopulationDirectory.userID,
                    include: { truth.state(user: $0, day: day) != truth.churnedState },
                    churned: { truth.state(user: $0, day: day + horizon) == truth.churnedState },
                    oracle: { u in
                        oracle.probability(
                            persona: truth.persona(user: u), state: truth.state(user: u, day: day)!,
                            habitLevel: truth.habitLevel(user: u, day: day))
                    })
            } catch let reason as PredictionSkipped {
                skipped.append(reason.description)
                continue
            }
            cutoffs.append(predicted.0)
            csv += predicted.csv
        }
        return (results(cutoffs, skipped: skipped, horizon: horizon, atRisk: segmentation.atRiskNames), csv)
    }

    static let header = "user_id,cutoff,rule,logistic,oracle,churned\n"

    static func results(
        _ cutoffs: [PredictionResults.CutoffResult], skipped: [String], horizon: Int, atRisk: [String]
    ) -> PredictionResults {
        PredictionResults(
            horizonDays: horizon, atRiskSegments: atRisk, features: CutoffSnapshot.featureNames,
            split: "hash of (seed, user): even to fit, odd to score", cutoffs: cutoffs, skipped: skipped)
    }

    /// Fits the logistic model on half of the included users of a cutoff and scores the rule, the
    /// model and (when given) the oracle on the other half.
    static func predict(
        cutoff: CutoffSnapshot.Cutoff, date: CivilDate, segmentation: CompiledSegmentation, seed: UInt64,
        userID: (Int) -> String, include: (Int) -> Bool, churned: (Int) -> Bool, oracle: ((Int) -> Double)?
    ) throws -> (PredictionResults.CutoffResult, csv: String) {
        let atRisk = segmentation.atRiskNames
        let atRiskCodes = Set(atRisk.compactMap { segmentation.segmentNames.firstIndex(of: $0) }.map(UInt8.init))
        var train: [Int] = []
        var test: [Int] = []
        for (row, u) in cutoff.users.enumerated() where include(u) {
            if StreamKey.derive(seed, .predictionSplit, UInt64(u), 0) & 1 == 0 {
                train.append(row)
            } else {
                test.append(row)
            }
        }
        func outcome(_ row: Int) -> Bool { churned(cutoff.users[row]) }
        let fitted = train.map(outcome)
        let churners = fitted.filter { $0 }.count
        guard churners > 0, churners < fitted.count, !test.isEmpty else {
            throw PredictionSkipped(
                date: date,
                reason:
                    "\(churners) of the \(fitted.count) users in the fitting half and \(test.count) users to score; "
                    + "a model needs churners and non-churners to fit and users to score")
        }
        // Standardize on the training users.
        let k = CutoffSnapshot.featureNames.count
        var mean = [Double](repeating: 0, count: k)
        var sd = [Double](repeating: 1, count: k)
        for j in 0..<k {
            let summary = Summary(train.map { cutoff.features[$0][j] })
            mean[j] = summary.mean
            sd[j] = summary.standardDeviation > 0 ? summary.standardDeviation : 1
        }
        func standardized(_ row: Int) -> [Double] { (0..<k).map { (cutoff.features[row][$0] - mean[$0]) / sd[$0] } }
        let model = try LogisticRegression.fit(
            features: train.map(standardized), outcomes: fitted, names: CutoffSnapshot.featureNames,
            ridge: 1e-6)

        let outcomes = test.map(outcome)
        let rule = test.map { atRiskCodes.contains(cutoff.segments[$0]) ? 1.0 : 0.0 }
        let logistic = test.map { model.probability(standardized($0)) }
        let truthScores = oracle.map { oracle in test.map { oracle(cutoff.users[$0]) } }
        var csv = ""
        for (i, row) in test.enumerated() {
            csv += CSV.row([
                userID(cutoff.users[row]), date.description, fixed(rule[i]), fixed(logistic[i]),
                truthScores.map { fixed($0[i]) } ?? "", outcomes[i] ? "1" : "0",
            ])
        }
        var predictors = [
            try score(
                "rule: " + (atRisk.isEmpty ? "no at-risk segment" : atRisk.joined(separator: " or ")), rule, outcomes,
                threshold: 0.5),
            try score("logistic regression", logistic, outcomes, threshold: 0.5),
        ]
        if let truthScores {
            predictors.append(try score("oracle (simulator truth)", truthScores, outcomes, threshold: 0.5))
        }
        let names = ["(intercept)"] + CutoffSnapshot.featureNames
        let result = PredictionResults.CutoffResult(
            day: cutoff.day, date: date.description, users: train.count + test.count, trainUsers: train.count,
            testUsers: test.count, testChurned: outcomes.filter { $0 }.count,
            model: PredictionResults.Model(
                converged: model.converged, iterations: model.iterations,
                coefficients: Dictionary(uniqueKeysWithValues: zip(names, model.coefficients)),
                standardErrors: Dictionary(uniqueKeysWithValues: zip(names, model.standardErrors))),
            predictors: predictors)
        return (result, csv)
    }

    static func score(_ name: String, _ scores: [Double], _ outcomes: [Bool], threshold: Double) throws
        -> PredictionResults.Predictor
    {
        let s = try BinaryScores(scores: scores, outcomes: outcomes)
        let c = s.confusion(threshold: threshold)
        let roc = s.rocCurve
        let step = max(1, roc.count / 100)
        var points = stride(from: 0, to: roc.count, by: step).map {
            [roc[$0].falsePositiveRate, roc[$0].truePositiveRate]
        }
        if let last = roc.last, points.last != [last.falsePositiveRate, last.truePositiveRate] {
            points.append([last.falsePositiveRate, last.truePositiveRate])
        }
        return PredictionResults.Predictor(
            name: name, rocAuc: s.rocAUC, averagePrecision: s.averagePrecision, brierScore: s.brierScore,
            logLoss: s.logLoss, threshold: threshold, truePositives: c.truePositives,
            falsePositives: c.falsePositives, trueNegatives: c.trueNegatives, falseNegatives: c.falseNegatives,
            precision: c.precision, recall: c.recall, f1: c.f1, topDecileLift: s.lift(topFraction: 0.1),
            calibration: s.calibration(bins: 10).map {
                PredictionResults.Bin(
                    lower: $0.lower, upper: $0.upper, count: $0.count, meanPredicted: $0.meanPredicted,
                    observedRate: $0.observedRate)
            },
            roc: points)
    }

    static func fixed(_ x: Double) -> String { Format.fixed(x, 6) }
}
