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

    public init(log: SegmentOptions, cutoff: CivilDate, horizon: Int = 28) {
        self.log = log
        self.cutoff = cutoff
        self.horizon = horizon
    }
}

public struct EvaluateOutcome: Sendable {
    public let directory: String
    public let summary: ImportSummary
}

/// Whether each user had a key action in the days after a cutoff.
final class OutcomeObserver: DayObserver {
    let after: Int
    let through: Int
    private(set) var keyAction: [Bool] = []

    init(cutoff: Int, horizon: Int) {
        after = cutoff
        through = cutoff + horizon
    }

    func daysWillStart(_ population: PopulationDirectory) {
        keyAction = Array(repeating: false, count: population.userCount)
    }

    func dayDidEnd(_ usage: UsageDay) {
        guard usage.day > after, usage.day <= through else { return }
        for u in 0..<keyAction.count where usage.keyActions[u] > 0 { keyAction[u] = true }
    }
}

extension Workbench {
    /// Splits a real log at a cutoff: segments and windows from before it, outcomes from the horizon
    /// after it; reports transitions, churn prediction (rule and logistic) and segment outcomes.
    public static func evaluate(_ options: EvaluateOptions) throws -> EvaluateOutcome {
        guard options.horizon >= 1, options.horizon <= 365 else {
            throw RunError.badInput("--horizon: must be in 1...365, got \(options.horizon)")
        }
        if let out = options.log.outDirectory { try OutputDirectory.checkDestination(out) }
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
        try log.replay(observers: [engine, outcomes, conversions]) {
            progress.update("replaying day", done: $0, total: log.directory.days)
        }

        // Transitions among the evaluations up to the cutoff.
        let labels = compiled.segmentNames + ["unmatched"]
        let upToCutoff = engine.evaluations.filter { $0.day <= cutoffDay }.count
        let transitions = try TransitionResults(
            counts: TransitionCounts(
                history: engine.history, states: labels.count, evaluations: 0..<max(0, upToCutoff - 1), groups: [:]),
            labels: labels, every: every)

        // Users signed up by the cutoff and not in the churned segment on it.
        let churnedCode = compiled.segmentNames.firstIndex(of: "churned").map(UInt8.init)
        let cutoffMemberships = engine.history[upToCutoff - 1]
        let ids = log.population.userIDs
        var csv = PredictionsCSV()
        var predicted: [PredictionResults.CutoffResult] = []
        var skipped: [String] = []
        if let cutoff = snapshot.cutoffs.first {
            do {
                let (result, scores) = try ChurnPrediction.predict(
                    cutoff, ruleName: ChurnPrediction.ruleName(atRisk: compiled.atRiskNames), seed: 0,
                    include: { cutoffMemberships[$0] != churnedCode }, churned: { !outcomes.keyAction[$0] },
                    oracle: nil)
                predicted.append(result)
                csv.append(scores, date: options.cutoff, userID: { ids[$0] })
            } catch let reason as PredictionSkipped {
                skipped.append(reason.description)
            }
        }
        let prediction = PredictionResults(
            cutoffs: predicted, skipped: skipped, horizonDays: options.horizon, atRiskSegments: compiled.atRiskNames)

        var tally = HorizonOutcomeTally(segments: labels.count)
        for u in 0..<cutoffMemberships.count where Int(cutoffMemberships[u]) < labels.count {
            tally.add(
                segment: Int(cutoffMemberships[u]), retained: outcomes.keyAction[u],
                converted: conversions.converted(user: u, after: cutoffDay, through: cutoffDay + options.horizon))
        }
        let segmentOutcomes = tally.outcomes(labels: labels, omittingEmpty: true)

        let imported = ImportResults(
            files: options.log.events, taxonomy: options.log.taxonomy, summary: log.summary,
            segmentation: SegmentationResults(engine))
        let results = EvaluateResults(
            schemaVersion: ResultsFile.schemaVersion, source: imported.source, import: imported.import,
            cutoff: options.cutoff.description,
            horizonDays: options.horizon, transitions: transitions, churnPrediction: prediction,
            segmentOutcomes: segmentOutcomes)
        let name = logName(options.log.events[0])
        let directory = try OutputDirectory.produce(
            at: options.log.outDirectory ?? defaultDirectory(scenario: name, seed: nil)
        ) { output in
            try output.write(Data(csv.text.utf8), to: "predictions.csv")
            try output.write(try ResultsFile.Contents.evaluate(results).files())
        }
        return EvaluateOutcome(directory: directory, summary: log.summary)
    }
}
