import Reports
import Analysis
public import EventImport
import Foundation
import Reporting
import Segmentation
public import UsageModel

/// What `segmentlab evaluate` was asked to do: a log to import as `segmentlab segment` does, a cutoff
/// and a horizon.
public struct EvaluateOptions: Sendable {
    /// The log and segments; its `asOf` is ignored (the log is read to its last event).
    public var log: SegmentOptions
    /// Windows are built from the days up to and including the cutoff; outcomes from the days after.
    public var cutoff: CivilDate
    public var horizon: Int
    /// Segments whose users on the cutoff are not scored; by default everyone signed up is.
    public var exclude: [String]
    /// An experiment's exposure table (``ExposureTable``), whose retention `outcomeDays` after each
    /// user's index day is measured on the log.
    public var assignments: String?
    public var outcomeDays: Int
    /// Add the hidden Markov model's forecast to the churn predictors (``HMMChurnPredictor``).
    public var hiddenMarkov: Bool

    public init(
        log: SegmentOptions, cutoff: CivilDate, horizon: Int = 28, exclude: [String] = [],
        assignments: String? = nil, outcomeDays: Int = 30, hiddenMarkov: Bool = false
    ) {
        self.log = log
        self.cutoff = cutoff
        self.horizon = horizon
        self.exclude = exclude
        self.assignments = assignments
        self.outcomeDays = outcomeDays
        self.hiddenMarkov = hiddenMarkov
    }
}

public struct EvaluateOutcome: Sendable {
    public let directory: String
    public let summary: ImportSummary
}

/// Whether each user had a key action in the days after a cutoff, and their days with a key action up
/// to it (signed up): the first, the last and how many, for the buy-till-you-die baselines, and how many
/// in the twelve weeks to the cutoff and in the twelve before, for the trend.
final class OutcomeObserver: DayObserver {
    let after: Int
    let through: Int
    private(set) var keyAction: [Bool] = []
    private var firstActive: [Int32] = []
    private var lastActive: [Int32] = []
    private var activeDays: [Int32] = []
    private var recentDays: [Int32] = []
    private var priorDays: [Int32] = []
    private var signup: [Int32] = []
    static let trendDays = 84

    init(cutoff: Int, horizon: Int) {
        after = cutoff
        through = cutoff + horizon
    }

    func daysWillStart(_ population: PopulationDirectory) {
        let n = population.userCount
        keyAction = Array(repeating: false, count: n)
        firstActive = Array(repeating: -1, count: n)
        lastActive = Array(repeating: -1, count: n)
        activeDays = Array(repeating: 0, count: n)
        recentDays = Array(repeating: 0, count: n)
        priorDays = Array(repeating: 0, count: n)
        signup = Array(population.signupDay)
    }

    func dayDidEnd(_ usage: UsageDay) {
        if usage.day <= after {
            let day = Int32(usage.day)
            for u in 0..<keyAction.count where usage.signedUp[u] && usage.keyActions[u] > 0 {
                if firstActive[u] < 0 { firstActive[u] = day }
                lastActive[u] = day
                activeDays[u] += 1
                if usage.day > after - Self.trendDays {
                    recentDays[u] += 1
                } else if usage.day > after - 2 * Self.trendDays {
                    priorDays[u] += 1
                }
            }
        } else if usage.day <= through {
            for u in 0..<keyAction.count where usage.keyActions[u] > 0 { keyAction[u] = true }
        }
    }

    /// User `u`'s history at the cutoff as (x, t_x, T) in weeks, the summary of Fader, Hardie & Lee (2005):
    /// the first day with a key action is the first "purchase", each later such day a repeat one (x); t_x
    /// is the last one's day and T the end of the cutoff day, both counted from the start of the first
    /// (so T > 0 even for a user first seen on the cutoff). A user without a key action is born at sign-up
    /// (or the first day of the log), with x = t_x = 0.
    func history(user u: Int) -> [Double] {
        let born = firstActive[u] >= 0 ? Int(firstActive[u]) : min(max(Int(signup[u]), 0), after)
        let x = max(Int(activeDays[u]) - 1, 0)
        let last = lastActive[u] >= 0 ? Int(lastActive[u]) : born
        return [Double(x), Double(last - born) / 7, Double(after - born + 1) / 7]
    }

    /// User `u`'s days with a key action in the twelve weeks to the cutoff and in the twelve before.
    func trend(user u: Int) -> [Double] { [Double(recentDays[u]), Double(priorDays[u])] }
}

/// The features of a user's whole history on a log beyond (x, t_x, T): the trend, and the money spent
/// when the taxonomy has a `revenue` rule.
enum HistoryRow {
    static let trendNames = ["key_action_days_12w", "key_action_days_prior_12w", "trend_12w"]
    static let revenueNames = ["log_revenue_to_date", "log_revenue_per_day"]

    /// The names of the features ``values(summary:trend:revenue:)`` gives.
    static func names(revenue: Bool) -> [String] { trendNames + (revenue ? revenueNames : []) }

    /// `summary` is (x, t_x, T); `trend` the key-action days of the last twelve weeks and the twelve
    /// before; `revenue` the amount to the cutoff and the days with one. Amounts enter as log(1 + amount),
    /// net refunds as 0: spending is skewed, and a few large buyers would otherwise set the scale.
    static func values(summary: [Double], trend: [Double], revenue: (total: Double, days: Int32)?) -> [Double] {
        var row = summary + trend + [log((trend[0] + 1) / (trend[1] + 1))]
        if let revenue {
            let total = max(revenue.total, 0)
            row += [log1p(total), log1p(revenue.days > 0 ? total / Double(revenue.days) : 0)]
        }
        return row
    }
}

extension Workbench {
    /// Splits a real log at a cutoff: segments and windows from before it, outcomes from the horizon
    /// after it; reports transitions, churn prediction (rule and logistic) and segment outcomes.
    public static func evaluate(_ options: EvaluateOptions) throws -> EvaluateOutcome {
        guard options.horizon >= 1, options.horizon <= 365 else {
            throw RunError.badInput("--horizon: must be in 1...365, got \(options.horizon)")
        }
        guard options.outcomeDays >= 1, options.outcomeDays <= 365 else {
            throw RunError.badInput("--outcome-days: must be in 1...365, got \(options.outcomeDays)")
        }
        if options.log.shard != nil {
            if options.assignments != nil {
                throw RunError.badInput(
                    "--assignments: not with --shard; measure the experiment on the whole log (without --shard)")
            }
            if options.hiddenMarkov {
                throw RunError.badInput("--hmm: not with --shard; the model is fitted on the whole log's users")
            }
        }
        if let out = options.log.outDirectory { try OutputDirectory.checkDestination(out) }
        // Read before the log, so a broken table stops the command at once.
        let exposures = try options.assignments.map { try ExposureTable(path: $0) }
        var logOptions = options.log
        logOptions.asOf = nil
        let progress = ProgressLine(enabled: options.log.progress)
        defer { progress.finish() }
        let (compiled, log) = try importLog(logOptions, progress: progress)
        let end = options.cutoff.adding(days: options.horizon)
        let start = log.directory.startDate
        let cutoffDay = options.cutoff.daysSinceEpoch - start.daysSinceEpoch
        guard cutoffDay >= 0 else {
            throw RunError.badInput("--cutoff \(options.cutoff) is before the log's first day \(start)")
        }
        guard cutoffDay + options.horizon < log.directory.days else {
            throw RunError.badInput(
                "the log ends on \(start.adding(days: log.directory.days - 1)), before the horizon after "
                    + "--cutoff \(options.cutoff) ends on \(end)")
        }

        let engine = SegmentationEngine(compiled, threads: options.log.threads)
        let every = compiled.spec.every.days
        engine.schedule = .grid(endingOn: cutoffDay, every: every)
        let snapshot = CutoffSnapshot(engine: engine, days: [cutoffDay], startDate: start)
        let outcomes = OutcomeObserver(cutoff: cutoffDay, horizon: options.horizon)
        let conversions = ConversionDays()
        let experiment = exposures.map {
            ExposureOutcomes(table: $0, outcomeDays: options.outcomeDays, userIDs: log.population.userIDs)
        }
        let days = options.hiddenMarkov ? FitObservations(through: cutoffDay) : nil
        let observers: [any DayObserver] = [engine, outcomes, conversions] + (experiment.map { [$0] } ?? [])
        try log.replay(observers: observers + (days.map { [$0] } ?? [])) {
            progress.update("replaying day", done: $0, total: log.directory.days)
        }
        let excluded = try options.exclude.map { name in
            guard let code = compiled.segmentNames.firstIndex(of: name) else {
                throw RunError.badInput(
                    "--exclude \(name): not a segment; the segments are "
                        + compiled.segmentNames.joined(separator: ", "))
            }
            return UInt8(code)
        }
        let pieces = EvaluatePieces(
            engine: engine, cutoff: snapshot.cutoffs[0], outcomes: outcomes, conversions: conversions,
            revenue: log.revenue(through: cutoffDay), horizon: options.horizon, excluded: Set(excluded))
        let imported = ImportResults(
            files: options.log.events, taxonomy: options.log.taxonomy, summary: log.summary,
            segmentation: SegmentationResults(engine))
        let destination = logDestination(options.log)
        if let shard = options.log.shard {
            let run = try logShardRun(
                options.log, command: "evaluate", cutoff: options.cutoff, horizon: options.horizon)
            let directory = try writeLogShard(at: destination) { _ in
                logShardFile(
                    run: run, shard: shard, log: log, results: imported, evaluations: engine.evaluations,
                    evaluate: pieces)
            }
            return EvaluateOutcome(directory: directory, summary: log.summary)
        }
        let modelBased = try days.map { days in
            let (data, users) = try days.sequences()
            return HMMChurnPredictor.predictor(
                data: data, users: users, horizon: options.horizon, threads: options.log.threads)
        }
        var (results, csv) = try pieces.results(
            compiled: compiled, imported: imported, cutoff: options.cutoff, horizon: options.horizon,
            userIDs: log.population.userIDs, exclude: options.exclude, modelBased: modelBased)
        results.experiment = try experiment?.results()
        let directory = try OutputDirectory.produce(at: destination) { output in
            try output.write(Data(csv.utf8), to: "predictions.csv")
            try output.write(try ResultsFile.Contents.evaluate(results).files())
        }
        return EvaluateOutcome(directory: directory, summary: log.summary)
    }
}

/// What `evaluate` computes its results from, for the users of one log or of a shard of it: counts
/// that add up over shards, and the churn-prediction rows of the cutoff, numbered in the import.
struct EvaluatePieces: Codable {
    var transitions: TransitionCounts
    var outcomes: HorizonOutcomeTally
    /// Features and flags of every user signed up on the cutoff: `included` for users not in the
    /// `churned` segment on it, `churned` for those without a key action in the horizon.
    var prediction: RunPieces.PredictionRows
    /// Per prediction row, the user's history as (x, t_x, T) in weeks (``OutcomeObserver/history(user:)``)
    /// followed by the features named by `historyNames` (``HistoryRow``).
    var history: [[Double]]
    var historyNames: [String]

    /// `excluded`: the codes of the segments whose users on the cutoff are not scored.
    init(
        engine: SegmentationEngine, cutoff: ChurnPrediction.Cutoff, outcomes: OutcomeObserver,
        conversions: ConversionDays, revenue: (total: [Double], days: [Int32])?, horizon: Int, excluded: Set<UInt8>
    ) {
        let labels = engine.compiled.segmentNames + ["unmatched"]
        let cutoffDay = cutoff.day
        // Transitions among the evaluations up to the cutoff, which is the last.
        let upToCutoff = engine.evaluations.filter { $0.day <= cutoffDay }.count
        let signup = engine.directory?.signupDay
        transitions = TransitionCounts(
            history: engine.history, states: labels.count, evaluations: 0..<max(0, upToCutoff - 1),
            days: engine.evaluations.map(\.day), signup: { u in signup.map { Int($0[u]) } ?? 0 },
            targets: TransitionCounts.targets(labels: labels), groups: [:])
        let memberships = engine.history[upToCutoff - 1]
        self.outcomes = HorizonOutcomeTally(segments: labels.count)
        for u in 0..<memberships.count where Int(memberships[u]) < labels.count {
            self.outcomes.add(
                segment: Int(memberships[u]), retained: outcomes.keyAction[u],
                converted: conversions.converted(user: u, after: cutoffDay, through: cutoffDay + horizon))
        }
        prediction = RunPieces.PredictionRows(
            cutoff: cutoff, included: cutoff.users.map { !excluded.contains(memberships[$0]) },
            churned: cutoff.users.map { !outcomes.keyAction[$0] }, oracle: cutoff.users.map { _ in .nan })
        history = cutoff.users.map { u in
            HistoryRow.values(
                summary: outcomes.history(user: u), trend: outcomes.trend(user: u),
                revenue: revenue.map { ($0.total[u], $0.days[u]) })
        }
        historyNames = HistoryRow.names(revenue: revenue != nil)
    }

    /// The pieces of several shards, their users renumbered by `index[shard][user]` into the merged
    /// import, and the prediction rows put in that order.
    init(merging shards: [EvaluatePieces], index: [[Int]]) {
        var merged = shards[0]
        for next in shards.dropFirst() {
            merged.transitions.add(next.transitions)
            merged.outcomes.add(next.outcomes)
        }
        var rows: [(user: Int, shard: Int, row: Int)] = []
        for (s, pieces) in shards.enumerated() {
            for (i, u) in pieces.prediction.cutoff.users.enumerated() { rows.append((index[s][u], s, i)) }
        }
        rows.sort { $0.user < $1.user }
        let first = shards[0].prediction.cutoff
        var cutoff = ChurnPrediction.Cutoff(day: first.day, date: first.date)
        var included: [Bool] = []
        var churned: [Bool] = []
        var history: [[Double]] = []
        for r in rows {
            history.append(shards[r.shard].history[r.row])
            let source = shards[r.shard].prediction
            cutoff.append(
                user: r.user, features: source.cutoff.features(row: r.row), flagged: source.cutoff.flagged[r.row]
            )
            included.append(source.included[r.row])
            churned.append(source.churned[r.row])
        }
        merged.prediction = RunPieces.PredictionRows(
            cutoff: cutoff, included: included, churned: churned, oracle: rows.map { _ in .nan })
        merged.history = history
        self = merged
    }

    /// The results of `evaluate` and `predictions.csv`.
    func results(
        compiled: CompiledSegmentation, imported: ImportResults, cutoff: CivilDate, horizon: Int, userIDs: [String],
        exclude: [String], modelBased: ChurnPrediction.ModelBased? = nil
    ) throws -> (EvaluateResults, csv: String) {
        let labels = compiled.segmentNames + ["unmatched"]
        let transitions = try TransitionResults(counts: transitions, labels: labels, every: compiled.spec.every.days)
        var row = [Int32](repeating: -1, count: userIDs.count)
        for (i, u) in prediction.cutoff.users.enumerated() { row[u] = Int32(i) }
        var csv = PredictionsCSV()
        var predicted: [PredictionResults.CutoffResult] = []
        var skipped: [String] = []
        do {
            let (result, scores) = try ChurnPrediction.predict(
                prediction.cutoff, ruleName: ChurnPrediction.ruleName(atRisk: compiled.atRiskNames), seed: 0,
                include: { prediction.included[Int(row[$0])] }, churned: { prediction.churned[Int(row[$0])] },
                oracle: nil,
                history: ChurnPrediction.History(
                    horizonWeeks: Double(horizon) / 7, names: historyNames,
                    summary: {
                        let h = history[Int(row[$0])]
                        return (h[0], h[1], h[2])
                    }, more: { history[Int(row[$0])].dropFirst(3) }), modelBased: modelBased)
            predicted.append(result)
            csv.append(scores, date: cutoff, userID: { userIDs[$0] })
        } catch let reason as PredictionSkipped {
            skipped.append(reason.description)
        }
        let results = EvaluateResults(
            schemaVersion: ResultsFile.schemaVersion, source: imported.source, import: imported.import,
            cutoff: cutoff.description, horizonDays: horizon, transitions: transitions,
            churnPrediction: PredictionResults(
                cutoffs: predicted, skipped: skipped, horizonDays: horizon, atRiskSegments: compiled.atRiskNames,
                scored: "every user signed up by the cutoff"
                    + (exclude.isEmpty ? "" : ", except those in " + exclude.joined(separator: ", ") + " on it"),
                features: ChurnPrediction.featureNames + ChurnPrediction.historyFeatureNames + historyNames),
            segmentOutcomes: outcomes.outcomes(labels: labels, omittingEmpty: true))
        return (results, csv.text)
    }
}
