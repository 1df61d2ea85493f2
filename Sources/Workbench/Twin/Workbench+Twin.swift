import Analysis
public import EventImport
import Foundation
import Reports
import Segmentation
import Simulation
import UsageModel

/// What `segmentlab twin` was asked to do.
public struct TwinOptions: Sendable {
    /// The log and the segments, read as `segmentlab segment` reads them; `outDirectory` is the report's folder
    /// (required). Its dates, schedule, shard and database load are not used.
    public var log: SegmentOptions
    /// The twin: a scenario file, usually the one `segmentlab fit` wrote for this log.
    public var scenario: String

    public init(log: SegmentOptions, scenario: String) {
        self.log = log
        self.scenario = scenario
    }
}

/// What `segmentlab twin` wrote.
public struct TwinOutcome: Sendable {
    public let directory: String
    public let summary: ImportSummary
    /// Per figure: its title, points agreeing, points compared, and the p-value of its test.
    public let figures: [(title: String, agreeing: Int, compared: Int, pValue: Double?)]
}

extension Workbench {
    /// Sets a real log beside its twin: replays the log and simulates the scenario over the same days, measures both
    /// with one set of observers (the segmentation engine and ``TwinObservations``), compares them figure by figure
    /// and writes `twin.json`, `report.html` and `report.md` into a new folder.
    public static func twin(_ options: TwinOptions) throws -> TwinOutcome {
        guard let destination = options.log.outDirectory else {
            throw RunError.badInput("--out: give the report's folder")
        }
        for (given, option) in [
            (options.log.since != nil, "--since"), (options.log.asOf != nil, "--as-of"),
            (options.log.shard != nil, "--shard"), (options.log.to != nil, "--to"), (options.log.once, "--once"),
        ] where given {
            throw RunError.badInput("\(option): not with twin, which compares the whole log with its twin")
        }
        try OutputDirectory.checkDestination(destination)
        let scenario = try ScenarioLoader.load(contentsOf: options.scenario)
        guard scenario.spec.interventions == nil else {
            throw RunError.badInput(
                "--scenario: \(options.scenario) has interventions; a twin reproduces a log, whose campaigns are part "
                    + "of what it shows (give the scenario segmentlab fit wrote)")
        }
        let spec = try prepare(scenario, options: RunOptions(threads: options.log.threads), writesEventLog: false)
        let progress = ProgressLine(enabled: options.log.progress)
        defer { progress.finish() }
        // Beside the import: the twin's simulation and segmentation, and each side's columns per user.
        let (compiled, log) = try importLog(options.log, progress: progress) {
            estimatedBytes(scenario, spec: spec, writesEventLog: false) + ($0.userCount + spec.users) * 32
        }
        try checkTwin(scenario, against: log, vocabulary: compiled.vocabulary, file: options.scenario)

        let every = compiled.spec.every.days
        let activation = compiled.activationMilestones
        let realEngine = SegmentationEngine(compiled, threads: options.log.threads)
        let realDays = TwinObservations(activationMilestones: activation, every: every)
        try log.replay(observers: [realEngine, realDays]) {
            progress.update("replaying day", done: $0, total: log.directory.days)
        }
        let real = realDays.sample(engine: realEngine)

        let simulator = try Simulator(spec: spec, threads: options.log.threads, truthDays: .only([]))
        let twinEngine = SegmentationEngine(compiled, threads: options.log.threads)
        let twinDays = TwinObservations(activationMilestones: activation, every: every)
        _ = try simulator.run(observers: [twinEngine, twinDays]) {
            progress.update("simulating the twin, day", done: $0, total: spec.days)
        }
        let twin = twinDays.sample(engine: twinEngine)

        let comparison = try TwinComparison(
            real: real, twin: twin,
            labels: TwinComparison.Labels(
                segments: compiled.segmentNames + ["unmatched"], features: compiled.vocabulary.features,
                milestones: compiled.vocabulary.milestones, startDate: log.directory.startDate))
        let imported = ImportResults(
            files: options.log.events.map { URL(fileURLWithPath: $0).lastPathComponent },
            taxonomy: URL(fileURLWithPath: options.log.taxonomy).lastPathComponent, summary: log.summary,
            segmentation: SegmentationResults(realEngine))
        let activationNames = activation.map { compiled.vocabulary.milestones[$0] }
        let results = TwinResults(
            schemaVersion: ResultsFile.schemaVersion, source: imported.source, import: imported.import,
            scenario: TwinResults.Scenario(
                file: URL(fileURLWithPath: options.scenario).lastPathComponent, name: scenario.name, seed: spec.seed,
                startDate: spec.startDate.description, days: spec.days, users: spec.users,
                signupDays: spec.signupDays),
            realUsers: real.users, twinUsers: twin.users,
            activationDefinition: activationNames.isEmpty
                ? "the first key action (the taxonomy has no milestones)"
                : "every activation milestone reached (" + activationNames.joined(separator: ", ") + ")",
            comparison: comparison)
        let directory = try OutputDirectory.produce(at: destination) { output in
            try output.write(try ResultsFile.Contents.twin(results).files())
        }
        return TwinOutcome(
            directory: directory, summary: log.summary,
            figures: results.figures.map { ($0.title, $0.agreeing, $0.compared, $0.test?.pValue) })
    }

    /// Refuses a twin that does not cover the log's days or does not name its features and milestones alike: its
    /// figures could not be set beside the log's.
    private static func checkTwin(
        _ scenario: Scenario, against log: ImportedEventLog, vocabulary: Vocabulary, file: String
    ) throws {
        let spec = scenario.spec
        let directory = log.directory
        var problems: [String] = []
        if spec.startDate != directory.startDate || spec.days != directory.days {
            problems.append(
                "the twin runs \(spec.days) days from \(spec.startDate); the log has \(directory.days) from "
                    + "\(directory.startDate)")
        }
        for (noun, twin, real) in [
            ("features", spec.model.features, vocabulary.features),
            ("milestones", spec.model.milestones.map(\.name), vocabulary.milestones),
        ] where twin.count != real.count {
            problems.append(
                "the twin has \(twin.count) \(noun) (\(twin.joined(separator: ", "))), the taxonomy \(real.count) "
                    + "(\(real.joined(separator: ", ")))")
        }
        guard problems.isEmpty else {
            throw RunError.badInput(
                "--scenario: \(file) is not a twin of this log (fit it with segmentlab fit and the same taxonomy):\n"
                    + problems.joined(separator: "\n"))
        }
    }
}
