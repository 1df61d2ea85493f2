import Stats
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

    /// Who is scored at each cutoff, in words (the report names it).
    public let scored: String
    /// How the oracle's probabilities were computed (a simulated run only).
    public let oracle: Oracle?

    public init(
        cutoffs: [CutoffResult], skipped: [String], horizonDays: Int, atRiskSegments: [String], scored: String,
        features: [String] = ChurnPrediction.featureNames, oracle: Oracle? = nil
    ) {
        self.scored = scored
        self.oracle = oracle
        self.horizonDays = horizonDays
        self.atRiskSegments = atRiskSegments
        self.features = features
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
        /// The gradient-boosted trees fitted on the fitting half (absent from results written before them).
        public let boostedTrees: BoostedTrees?
        public let predictors: [Predictor]
        /// DeLong tests of the difference between two predictors' ROC AUC on the same users.
        public let comparisons: [Comparison]
        /// The buy-till-you-die models fitted on the fitting half (a log's evaluation).
        public let baselines: [Baseline]
    }

    /// The simulator's churn probability: each scored user's horizon simulated forward from their true
    /// state on the cutoff day, `replicas` times.
    public struct Oracle: Codable, Sendable {
        public let method: String
        public let replicas: Int
        /// The Monte Carlo standard error of the users' probabilities at each cutoff (in `cutoffs` order).
        public let standardErrors: [MonteCarloError]

        public init(method: String, replicas: Int, standardErrors: [MonteCarloError]) {
            self.method = method
            self.replicas = replicas
            self.standardErrors = standardErrors
        }
    }

    /// Over the users scored at one cutoff: the root mean square and the largest standard error of their
    /// oracle probabilities, and the mean probability beside the share that churned.
    public struct MonteCarloError: Codable, Sendable {
        public let date: String
        public let rootMeanSquare: Double
        public let largest: Double
        public let meanProbability: Double
        public let churnedShare: Double

        public init(
            date: String, rootMeanSquare: Double, largest: Double, meanProbability: Double, churnedShare: Double
        ) {
            self.date = date
            self.rootMeanSquare = rootMeanSquare
            self.largest = largest
            self.meanProbability = meanProbability
            self.churnedShare = churnedShare
        }
    }

    /// A model fitted on the whole history of the fitting half's users — a buy-till-you-die model by maximum
    /// likelihood, or a hidden Markov model of their days — with its parameters, or why the fit failed.
    public struct Baseline: Codable, Sendable {
        public let name: String
        public let parameters: [String: Double]
        public let standardErrors: [String: Double]
        public let logLikelihood: Double?
        public let customers: Int
        public let converged: Bool
        public let failed: String?

        init<Model: CustomerBaseModel>(name: String, fit: CustomerBaseFit<Model>) {
            self.name = name
            parameters = Dictionary(uniqueKeysWithValues: zip(fit.names, fit.parameters))
            // A standard error is left out when the observed information is not positive definite (NaN).
            standardErrors = Dictionary(
                uniqueKeysWithValues: zip(fit.names, fit.standardErrors).filter { $0.1.isFinite })
            logLikelihood = fit.logLikelihood
            customers = fit.customerCount
            converged = fit.converged
            failed = nil
        }

        /// A model of the caller's (``ChurnPrediction/ModelBased``): its parameters by name, fitted on `customers`.
        public init(
            name: String, parameters: [String: Double], logLikelihood: Double, customers: Int, converged: Bool
        ) {
            self.name = name
            self.parameters = parameters
            standardErrors = [:]
            self.logLikelihood = logLikelihood
            self.customers = customers
            self.converged = converged
            failed = nil
        }

        init(name: String, failed reason: String) {
            self.name = name
            parameters = [:]
            standardErrors = [:]
            logLikelihood = nil
            customers = 0
            converged = false
            failed = reason
        }
    }

    public struct Model: Codable, Sendable {
        public let converged: Bool
        public let iterations: Int
        /// Coefficients on standardized features (mean 0, sd 1 over the training users), intercept first.
        public let coefficients: [String: Double]
        public let standardErrors: [String: Double]
        /// Features left out: constant on the fitting half, or a linear combination of the others there.
        public let droppedFeatures: [String]
    }

    /// How the gradient-boosted trees were grown: the fixed settings, the users they were fitted on (the
    /// fitting half, or a hashed share of it when it is large) and the leaves over all trees.
    public struct BoostedTrees: Codable, Sendable {
        public let trees: Int
        public let learningRate: Double
        public let maxDepth: Int
        public let minSamplesLeaf: Int
        public let fittedUsers: Int
        public let leaves: Int

        init(settings: GradientBoostedTrees.Settings, fittedUsers: Int, leaves: Int) {
            trees = settings.trees
            learningRate = settings.learningRate
            maxDepth = settings.maxDepth
            minSamplesLeaf = settings.minSamplesLeaf
            self.fittedUsers = fittedUsers
            self.leaves = leaves
        }
    }

    public struct Comparison: Codable, Sendable {
        public let first: String
        public let second: String
        /// First AUC minus second, with DeLong's interval and two-sided p.
        public let test: DeLong.Comparison
    }

    public struct Predictor: Codable, Sendable {
        public let name: String
        public let rocAuc: Double?
        /// DeLong's 95 % interval of the ROC AUC.
        public let rocAucInterval: DeLong.Interval?
        public let averagePrecision: Double?
        /// Only for probabilities (a model's, the oracle's); nil for a rule's 0/1 verdict.
        public let brierScore: Double?
        public let logLoss: Double?
        /// Flags users whose score is at least this: 0.5 for a rule, for a model the best F1 on the fitting half.
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
    /// A predictor's metrics on the scored users; `probabilistic` scores also get Brier score, log
    /// loss and a calibration table (ten bins of equal counts).
    init(_ name: String, scores: [Double], outcomes: [Bool], threshold: Double, probabilistic: Bool) throws {
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
            name: name, rocAuc: s.rocAUC, rocAucInterval: try DeLong.interval(scores: scores, outcomes: outcomes),
            averagePrecision: s.averagePrecision, brierScore: probabilistic ? s.brierScore : nil,
            logLoss: probabilistic ? s.logLoss : nil, threshold: threshold, truePositives: c.truePositives,
            falsePositives: c.falsePositives, trueNegatives: c.trueNegatives, falseNegatives: c.falseNegatives,
            precision: c.precision, recall: c.recall, f1: c.f1, topDecileLift: s.lift(topFraction: 0.1),
            calibration: probabilistic
                ? s.quantileCalibration(bins: 10).map {
                    PredictionResults.Bin(
                        lower: $0.lower, upper: $0.upper, count: $0.count, meanPredicted: $0.meanPredicted,
                        observedRate: $0.observedRate)
                } : [],
            roc: points)
    }
}

extension PredictionResults.Comparison {
    /// DeLong's test of `first` against `second` on the same users; nil when a class has fewer than two users.
    init?(_ first: String, _ a: [Double], _ second: String, _ b: [Double], _ outcomes: [Bool]) throws {
        guard let test = try DeLong.compare(a, b, outcomes: outcomes) else { return nil }
        self.init(first: first, second: second, test: test)
    }
}
