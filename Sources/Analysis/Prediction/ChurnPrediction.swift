import Stats
public import UsageModel

/// Who churns within a horizon after a cutoff, predicted several ways and scored on held-out users:
/// an at-risk segment rule, a logistic regression and gradient-boosted trees on usage-window features
/// (both fitted on the other half of the users), and, on a simulated run, the simulator's own
/// probability (the ceiling).
///
/// The inputs are plain: one row per user with its features and whether the rule flags it, and
/// closures for who is included, who churned and the oracle. Where they come from (a simulated
/// run or an imported log) is the caller's business.
public enum ChurnPrediction {
    /// The features a churn model may use: observed behaviour only. Most are metrics of the segmentation
    /// engine's usage windows (``windowMetricNames``); the others are derived by the snapshot
    /// (``derivedFeatureNames``).
    public static let featureNames = windowMetricNames + derivedFeatureNames

    /// Features that are metrics of the engine's catalog, by their catalog names.
    public static let windowMetricNames = [
        "days_since_key_action", "days_since_session", "sessions_28", "key_actions_7", "key_actions_28",
        "active_days_7", "active_days_28", "active_days_last_week", "engagement_score", "tenure_days", "activated",
        "sessions_1", "sessions_7", "key_actions_last_week", "plan", "trial", "nps",
    ]

    /// Features computed by the snapshot: key actions per session over 28 days (0 without a session),
    /// features used habitually and milestones reached (of the product's), days since the last key action in
    /// units of the user's usual gap over 28 days, 28 / (active_days_28 + 1), and the users of the user's
    /// account (team) signed up by the cutoff.
    public static let derivedFeatureNames = [
        "key_actions_per_session_28", "habitual_features", "milestones_reached", "recency_in_gaps_28", "account_users",
    ]

    /// Features that count days back (recency, tenure): capped at 365, so a user never seen again does not
    /// dominate a fit. Counts are not capped.
    public static let cappedFeatureNames: Set<String> = [
        "days_since_key_action", "days_since_session", "tenure_days", "recency_in_gaps_28",
    ]

    /// How users are split between fitting and scoring.
    public static let splitDescription = "hash of (seed, user): even to fit, odd to score"

    /// Cutoff days for a run: evaluation days near the middle and three quarters of the run that
    /// leave a whole horizon after them.
    public static func cutoffDays(days: Int, every: Int, horizon: Int) -> [Int] {
        let last = days - 1 - horizon
        guard last >= every - 1 else { return [] }
        let candidates = [days / 2, days * 3 / 4].map { target -> Int in
            let d = min(target, last)
            return max(every - 1, ((d + 1) / every) * every - 1)
        }
        return Array(Set(candidates)).sorted()
    }

    /// The users of one cutoff: index in the population, features (in `featureNames` order) and
    /// whether the at-risk rule flags them. Features are one flat array, a row per user, so a
    /// million users cost 8 bytes a feature each rather than an array each.
    public struct Cutoff: Sendable {
        public let day: Int
        public let date: CivilDate
        public private(set) var users: [Int] = []
        public private(set) var flagged: [Bool] = []
        /// Held in single precision: counts, days and ratios of usage need no more than its seven digits,
        /// and a run holds a row per user for every cutoff.
        private var features: [Float] = []

        public init(day: Int, date: CivilDate) {
            self.day = day
            self.date = date
        }

        public mutating func append(user: Int, features row: [Double], flagged isFlagged: Bool) {
            precondition(row.count == featureNames.count, "one value per feature")
            users.append(user)
            features += row.lazy.map(Float.init)
            flagged.append(isFlagged)
        }

        /// Appends the rows of a later block of users; `offset` turns its user indices into this
        /// cutoff's numbering.
        public mutating func append(contentsOf other: Cutoff, offset: Int = 0) {
            precondition(other.day == day, "not the same cutoff")
            users += other.users.map { $0 + offset }
            features += other.features
            flagged += other.flagged
        }

        /// The features of the user in row `i`.
        public func features(row i: Int) -> [Double] {
            let k = featureNames.count
            return features[(i * k)..<(i * k + k)].map(Double.init)
        }
    }

    /// One scored user: a row of `predictions.csv`.
    public struct Score: Sendable {
        public let user: Int
        public let rule: Double
        public let logistic: Double
        public let boostedTrees: Double
        public let oracle: Double?
        public let churned: Bool
    }

    /// The boosted trees' settings, fixed in advance (not tuned on any data of a run): 200 stages of depth 3
    /// with shrinkage 0.05, a common conservative choice (Friedman 2001 recommends ν ≤ 0.1 with many stages;
    /// Hastie, Tibshirani & Friedman, Elements of Statistical Learning §10.11–10.12, find depth 2–5 rarely
    /// beaten), and at least 50 users a leaf so a leaf's churn rate rests on enough users.
    static let boostedTreesSettings = GradientBoostedTrees.Settings(
        trees: 200, learningRate: 0.05, maxDepth: 3, minSamplesLeaf: 50)

    /// At most this many users of the fitting half fit the boosted trees (a fixed share chosen by the hash, so
    /// a million-user run stays fast); the logistic model uses them all.
    public static let boostedTreesMaxRows = 50_000

    /// Each user's purchase history, for the buy-till-you-die baselines: (x, t_x, T) as Fader, Hardie & Lee
    /// (2005) define them, in weeks, and the horizon in weeks.
    /// `more` gives further features of the history, named by `names`.
    public struct History {
        public let horizonWeeks: Double
        public let names: [String]
        public let summary: (Int) -> (x: Double, tx: Double, T: Double)
        public let more: (Int) -> ArraySlice<Double>

        public init(
            horizonWeeks: Double, names: [String], summary: @escaping (Int) -> (x: Double, tx: Double, T: Double),
            more: @escaping (Int) -> ArraySlice<Double>
        ) {
            self.horizonWeeks = horizonWeeks
            self.names = names
            self.summary = summary
            self.more = more
        }
    }

    /// A churn model of the caller's, fitted on the users of the fitting half and scored like the others: on a
    /// log, a hidden Markov model of the users' days whose score is the forecast from each user's filtered state
    /// at the cutoff, which no feature of the windows expresses.
    public struct ModelBased {
        public let name: String
        /// Fits on the given users and returns the fit's summary and every user's churn probability.
        public let fit: ([Int]) throws -> (summary: PredictionResults.Baseline, probability: (Int) -> Double)

        public init(
            name: String,
            fit: @escaping ([Int]) throws -> (summary: PredictionResults.Baseline, probability: (Int) -> Double)
        ) {
            self.name = name
            self.fit = fit
        }
    }

    /// Fits the logistic model and the boosted trees on the included users the split sends to fitting
    /// and scores the rule, the models and (when given) the oracle on the others.
    ///
    /// - Throws: ``PredictionSkipped`` when the fitting half lacks churners or non-churners, or
    ///   nobody is left to score.
    public static func predict(
        _ cutoff: Cutoff, ruleName: String, seed: UInt64, include: (Int) -> Bool, churned: (Int) -> Bool,
        oracle: ((Int) -> Double)?, history: History? = nil, modelBased: ModelBased? = nil
    ) throws -> (PredictionResults.CutoffResult, scores: [Score]) {
        var train: [Int] = []
        var test: [Int] = []
        var trainHash: [UInt64] = []
        for (row, u) in cutoff.users.enumerated() where include(u) {
            let hash = StreamKey.derive(seed, .predictionSplit, UInt64(u), 0)
            if hash & 1 == 0 {
                train.append(row)
                trainHash.append(hash >> 1)
            } else {
                test.append(row)
            }
        }
        func outcome(_ row: Int) -> Bool { churned(cutoff.users[row]) }
        let fitted = train.map(outcome)
        let churners = fitted.filter { $0 }.count
        guard churners > 0, churners < fitted.count, !test.isEmpty else {
            throw PredictionSkipped(
                date: cutoff.date,
                reason:
                    "\(churners) of the \(fitted.count) users in the fitting half and \(test.count) users to score; "
                    + "a model needs churners and non-churners to fit and users to score")
        }
        // On a log, features of the whole history join the window features: the rhythm of a purchase log
        // is not daily, and 28-day windows miss it.
        let allNames = featureNames + (history.map { historyFeatureNames + $0.names } ?? [])
        func features(_ r: Int) -> [Double] {
            var values = cutoff.features(row: r)
            if let history {
                let u = cutoff.users[r]
                values += historyFeatures(history.summary(u))
                values += history.more(u)
            }
            return values
        }
        // Features constant on the fitting half, or a linear combination of the others there, carry no
        // information the fit can use and make it singular: they are left out and named.
        let kept = FeatureScreen.independent(rows: train.map { ArraySlice(features($0)) })
        let keptNames = kept.map { allNames[$0] }
        func row(_ r: Int) -> ArraySlice<Double> {
            let all = features(r)
            return ArraySlice(kept.map { all[$0] })
        }
        let standardize = Standardization(rows: train.map(row))
        let model = try LogisticRegression.fit(
            features: train.map { standardize(row($0)) }, outcomes: fitted, names: keptNames, ridge: 1e-6)

        // Thresholds are chosen on the fitting half (best F1 there) and applied to the scored half.
        let outcomes = test.map(outcome)
        let rule = test.map { cutoff.flagged[$0] ? 1.0 : 0.0 }
        let logistic = test.map { model.probability(standardize(row($0))) }
        let logisticThreshold =
            try BinaryScores(scores: train.map { model.probability(standardize(row($0))) }, outcomes: fitted)
            .bestF1Threshold ?? 0.5
        // The trees see every feature unscaled (a split only compares a feature with a threshold, and
        // correlated features do no harm), on a hashed share of the fitting half when it is large.
        let stride = UInt64((train.count + boostedTreesMaxRows - 1) / boostedTreesMaxRows)
        let boostingRows = train.indices.filter { stride <= 1 || trainHash[$0] % stride == 0 }.map { train[$0] }
        let boostingOutcomes = boostingRows.map(outcome)
        let boosting = boostingOutcomes.filter { $0 }.count
        guard boosting > 0, boosting < boostingRows.count else {
            throw PredictionSkipped(
                date: cutoff.date,
                reason:
                    "\(boosting) churners among the \(boostingRows.count) users the boosted trees would be fitted on; "
                    + "they need churners and non-churners")
        }
        let trees = try GradientBoostedTrees.fit(
            features: boostingRows.map(features), outcomes: boostingOutcomes, settings: boostedTreesSettings)
        let boosted = test.map { trees.probability(features($0)) }
        let boostedThreshold =
            try BinaryScores(scores: boostingRows.map { trees.probability(features($0)) }, outcomes: boostingOutcomes)
            .bestF1Threshold ?? 0.5
        let truth = oracle.map { oracle in test.map { oracle(cutoff.users[$0]) } }
        let scores = test.indices.map { i in
            Score(
                user: cutoff.users[test[i]], rule: rule[i], logistic: logistic[i], boostedTrees: boosted[i],
                oracle: truth?[i], churned: outcomes[i])
        }
        let logisticName = "logistic regression"
        let boostedName = "gradient-boosted trees"
        var predictors = [
            try PredictionResults.Predictor(
                ruleName, scores: rule, outcomes: outcomes, threshold: 0.5, probabilistic: false),
            try PredictionResults.Predictor(
                logisticName, scores: logistic, outcomes: outcomes, threshold: logisticThreshold, probabilistic: true),
            try PredictionResults.Predictor(
                boostedName, scores: boosted, outcomes: outcomes, threshold: boostedThreshold, probabilistic: true),
        ]
        var comparisons = [
            try PredictionResults.Comparison(logisticName, logistic, ruleName, rule, outcomes),
            try PredictionResults.Comparison(boostedName, boosted, logisticName, logistic, outcomes),
        ]
        if let truth, let oracle {
            let oracleThreshold =
                try BinaryScores(scores: train.map { oracle(cutoff.users[$0]) }, outcomes: fitted).bestF1Threshold
                ?? 0.5
            let oracleName = "oracle (simulator truth)"
            predictors.append(
                try PredictionResults.Predictor(
                    oracleName, scores: truth, outcomes: outcomes, threshold: oracleThreshold, probabilistic: true))
            comparisons.append(try PredictionResults.Comparison(oracleName, truth, logisticName, logistic, outcomes))
            comparisons.append(try PredictionResults.Comparison(oracleName, truth, boostedName, boosted, outcomes))
        }
        // BG/NBD and Pareto/NBD fitted on the fitting half's histories; their score is the probability of
        // no transaction in the horizon, which is churn as a log defines it.
        var baselines: [PredictionResults.Baseline] = []
        // A model fitted on the whole history: its threshold from its scores on the fitting half, then scored and
        // compared with the logistic model on the other.
        func addModel(_ name: String, fitting: [Double], scoring: [Double]) throws {
            let threshold = try BinaryScores(scores: fitting, outcomes: fitted).bestF1Threshold ?? 0.5
            predictors.append(
                try PredictionResults.Predictor(
                    name, scores: scoring, outcomes: outcomes, threshold: threshold, probabilistic: true))
            comparisons.append(try PredictionResults.Comparison(logisticName, logistic, name, scoring, outcomes))
        }
        if let history {
            func summary(_ r: Int) throws -> CustomerSummary {
                let h = history.summary(cutoff.users[r])
                return try CustomerSummary(x: h.x, tx: h.tx, T: h.T)
            }
            let fitting = try train.map(summary)
            let scoring = try test.map(summary)
            func add<Model: CustomerBaseModel>(_ name: String, _ fit: () throws -> CustomerBaseFit<Model>) throws {
                let model: CustomerBaseFit<Model>
                do {
                    model = try fit()
                } catch {
                    baselines.append(PredictionResults.Baseline(name: name, failed: "\(error)"))
                    return
                }
                let zero = { (c: CustomerSummary) in
                    model.model.probabilityOfNoTransactions(c, horizon: history.horizonWeeks)
                }
                try addModel(name, fitting: fitting.map(zero), scoring: scoring.map(zero))
                baselines.append(PredictionResults.Baseline(name: name, fit: model))
            }
            try add("BG/NBD") { try BGNBD.fit(fitting) }
            try add("Pareto/NBD") { try ParetoNBD.fit(fitting) }
        }
        if let modelBased {
            do {
                let (summary, probability) = try modelBased.fit(train.map { cutoff.users[$0] })
                try addModel(
                    modelBased.name, fitting: train.map { probability(cutoff.users[$0]) },
                    scoring: test.map { probability(cutoff.users[$0]) })
                baselines.append(summary)
            } catch {
                baselines.append(PredictionResults.Baseline(name: modelBased.name, failed: "\(error)"))
            }
        }
        let names = ["(intercept)"] + keptNames
        let result = PredictionResults.CutoffResult(
            day: cutoff.day, date: cutoff.date.description, users: train.count + test.count,
            trainUsers: train.count, testUsers: test.count, testChurned: outcomes.filter { $0 }.count,
            model: PredictionResults.Model(
                converged: model.converged, iterations: model.iterations,
                coefficients: Dictionary(uniqueKeysWithValues: zip(names, model.coefficients)),
                standardErrors: Dictionary(uniqueKeysWithValues: zip(names, model.standardErrors)),
                droppedFeatures: allNames.indices.filter { !kept.contains($0) }.map { allNames[$0] }),
            boostedTrees: PredictionResults.BoostedTrees(
                settings: boostedTreesSettings, fittedUsers: boostingRows.count, leaves: trees.leafCount),
            predictors: predictors, comparisons: comparisons.compactMap { $0 }, baselines: baselines)
        return (result, scores)
    }

    /// Features of a user's whole history before the cutoff (weeks), added on a log: repeat purchase days,
    /// weeks from the first purchase day to the last and to the cutoff, the mean gap between purchase
    /// days (the span when there is one), the time since the last purchase in mean gaps, and purchase
    /// days per day since the first.
    public static let historyFeatureNames = [
        "repeat_days", "weeks_first_to_last", "weeks_since_first", "mean_gap_weeks", "recency_in_gaps",
        "active_day_share",
    ]

    static func historyFeatures(_ h: (x: Double, tx: Double, T: Double)) -> [Double] {
        let gap = h.x > 0 ? h.tx / h.x : h.T
        return [h.x, h.tx, h.T, gap, (h.T - h.tx) / max(gap, 1.0 / 7), (h.x + 1) / (h.T * 7)]
    }

    /// The name of the at-risk rule as a predictor.
    public static func ruleName(atRisk: [String]) -> String {
        "rule: " + (atRisk.isEmpty ? "no at-risk segment" : atRisk.joined(separator: " or "))
    }
}

/// Features scaled to mean 0 and standard deviation 1 over the fitting rows (a constant feature
/// is only centred).
struct Standardization {
    let mean: [Double]
    let sd: [Double]

    init(rows: [ArraySlice<Double>]) {
        let k = rows.first?.count ?? 0
        var mean = [Double](repeating: 0, count: k)
        var sd = [Double](repeating: 1, count: k)
        for j in 0..<k {
            let summary = Summary(rows.map { $0[$0.startIndex + j] })
            mean[j] = summary.mean
            sd[j] = summary.standardDeviation > 0 ? summary.standardDeviation : 1
        }
        self.mean = mean
        self.sd = sd
    }

    func callAsFunction(_ row: ArraySlice<Double>) -> [Double] {
        (0..<row.count).map { (row[row.startIndex + $0] - mean[$0]) / sd[$0] }
    }
}

/// Why churn could not be predicted at a cutoff.
public struct PredictionSkipped: Error, CustomStringConvertible {
    public let date: CivilDate
    public let reason: String
    public var description: String { "\(date): \(reason)" }
}

/// Which features a fit can use: not constant, and not a linear combination of the features before them.
enum FeatureScreen {
    /// The indices of the columns of `rows` kept, in order: Gram–Schmidt on the centred columns, a column
    /// kept when what is left of it after removing the kept ones has more than 1e-9 of its own norm.
    static func independent(rows: [ArraySlice<Double>]) -> [Int] {
        guard let first = rows.first else { return [] }
        let k = first.count
        let n = rows.count
        var basis: [[Double]] = []
        var kept: [Int] = []
        for j in 0..<k {
            var column = rows.map { $0[$0.startIndex + j] }
            let mean = column.reduce(0, +) / Double(n)
            for i in 0..<n { column[i] -= mean }
            let norm = column.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            for b in basis {
                var dot = 0.0
                for i in 0..<n { dot += column[i] * b[i] }
                for i in 0..<n { column[i] -= dot * b[i] }
            }
            let rest = column.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard rest > 1e-9 * norm else { continue }
            basis.append(column.map { $0 / rest })
            kept.append(j)
        }
        return kept
    }
}
