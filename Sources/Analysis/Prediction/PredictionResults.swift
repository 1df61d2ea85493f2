/// Churn prediction at each cutoff, as `results.json` holds it: the model, and each predictor's
/// scores on the held-out users.
public struct PredictionResults: Codable, Sendable {
    public let horizonDays: Int
    public let atRiskSegments: [String]
    public let features: [String]
    /// How users are split: by a hash of (seed, user), half to fit the model, half to score all three predictors.
    public let split: String
    public let cutoffs: [CutoffResult]
    /// Cutoffs where no model could be fitted, each with the reason.
    public let skipped: [String]

    public init(cutoffs: [CutoffResult], skipped: [String], horizonDays: Int, atRiskSegments: [String]) {
        self.horizonDays = horizonDays
        self.atRiskSegments = atRiskSegments
        features = ChurnPrediction.featureNames
        split = ChurnPrediction.splitDescription
        self.cutoffs = cutoffs
        self.skipped = skipped
    }

    public struct CutoffResult: Codable, Sendable {
        public let day: Int
        public let date: String
        /// Users included on the cutoff day (on a run: signed up and not yet churned by the truth).
        public let users: Int
        public let trainUsers: Int
        public let testUsers: Int
        public let testChurned: Int
        public let model: Model
        public let predictors: [Predictor]
    }

    public struct Model: Codable, Sendable {
        public let converged: Bool
        public let iterations: Int
        /// Coefficients on standardized features (mean 0, sd 1 over the training users), intercept first.
        public let coefficients: [String: Double]
        public let standardErrors: [String: Double]
    }

    public struct Predictor: Codable, Sendable {
        public let name: String
        public let rocAuc: Double?
        public let averagePrecision: Double?
        public let brierScore: Double
        public let logLoss: Double
        public let threshold: Double
        public let truePositives: Int
        public let falsePositives: Int
        public let trueNegatives: Int
        public let falseNegatives: Int
        public let precision: Double?
        public let recall: Double?
        public let f1: Double?
        public let topDecileLift: Double?
        public let calibration: [Bin]
        /// (false-positive rate, true-positive rate), at most 101 points.
        public let roc: [[Double]]
    }

    public struct Bin: Codable, Sendable {
        public let lower: Double
        public let upper: Double
        public let count: Int
        public let meanPredicted: Double?
        public let observedRate: Double?
    }
}

extension PredictionResults.Predictor {
    /// Every measure of a predictor's scores against the outcomes; the ROC curve thinned to about
    /// a hundred points, its last point always kept.
    init(_ name: String, scores: [Double], outcomes: [Bool], threshold: Double) throws {
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
        self.init(
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
}
