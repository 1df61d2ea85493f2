import Reports
public import EventImport
import Foundation
import Segmentation
import Simulation
import UsageModel

/// What `segmentlab segment` produced.
public struct SegmentOutcome: Sendable {
    public let directory: String
    public let summary: ImportSummary
    public let evaluations: Int
}

extension Workbench {
    /// Imports real event logs, replays them day by day through the segmentation engine, and writes
    /// `memberships.csv`, `segments.csv`, `results.json`, `report.html` and `report.md`.
    public static func segment(_ options: SegmentOptions) throws -> SegmentOutcome {
        let name = logName(options.events[0])
        let destination = options.outDirectory ?? defaultDirectory(scenario: name, seed: nil)
        try OutputDirectory.checkDestination(destination)
        let progress = ProgressLine(enabled: options.progress)
        defer { progress.finish() }
        let (compiled, log) = try importLog(options, progress: progress)

        var evaluations = 0
        let directory = try OutputDirectory.produce(at: destination) { output in
            let memberships = try MembershipsWriter(
                path: output.staging.appendingPathComponent("memberships.csv").path, population: log.population,
                account: log.directory.account, segments: compiled.segmentNames, tags: compiled.tagNames)
            let engine = SegmentationEngine(compiled, threads: options.threads)
            let lastDay = log.directory.days - 1
            if options.once {
                engine.schedule = .only(day: lastDay)
            } else if options.asOf != nil {
                engine.schedule = .grid(endingOn: lastDay, every: compiled.spec.every.days)
            }
            engine.onEvaluation = { (evaluation: SegmentEvaluation, segments: Column<UInt8>, tags: Column<UInt32>) in
                try memberships.write(date: evaluation.date, segments: segments, tags: tags)
            }
            try log.replay(observers: [engine]) {
                progress.update("replaying day", done: $0, total: log.directory.days)
            }
            try memberships.close()
            evaluations = engine.evaluations.count

            let results = ImportResults(
                files: options.events, taxonomy: options.taxonomy, summary: log.summary,
                segmentation: SegmentationResults(engine))
            try output.write(try ResultsFile.Contents.segment(results).files())
        }
        return SegmentOutcome(directory: directory, summary: log.summary, evaluations: evaluations)
    }

    /// Checks the options, compiles the segments, and imports the log once its memory need is known
    /// to fit: the steps `segment` and `evaluate` share.
    static func importLog(_ options: SegmentOptions, progress: ProgressLine) throws
        -> (CompiledSegmentation, ImportedEventLog)
    {
        guard (1...RunOptions.maxThreads).contains(options.threads) else {
            throw RunError.badInput("--threads: must be in 1...\(RunOptions.maxThreads), got \(options.threads)")
        }
        let taxonomy = try Taxonomy.load(path: options.taxonomy)
        let vocabulary = Vocabulary(
            features: taxonomy.featureNames, milestones: taxonomy.milestoneNames, plans: taxonomy.plans)
        var compiled =
            try options.segments.map { path throws(ScenarioError) in
                try SegmentsFile.load(contentsOf: path, vocabulary: vocabulary)
            } ?? (try CompiledSegmentation(.defaults, vocabulary: vocabulary))
        if let every = options.every, every != compiled.spec.every {
            var spec = compiled.spec
            spec.every = every
            compiled = try CompiledSegmentation(spec, vocabulary: vocabulary)
        }

        let (scan, need) = try scanLog(options, taxonomy: taxonomy, compiled: compiled) {
            progress.update("reading the log, MB (pass 1 of 2)", done: $0 >> 20, total: $1 >> 20)
        }
        if let available = SystemMemory.availableBytes(), need > available * 9 / 10 {
            throw RunError.badInput(
                "\(scan.userCount) users over \(scan.days) days (\(scan.activeUserDays) active user-days) need about "
                    + "\(gib(need)) of memory; this machine has \(gib(available)) available. Narrow the dates "
                    + "(--since, --as-of).")
        }
        return (
            compiled,
            try scan.load { progress.update("reading the log, MB (pass 2 of 2)", done: $0 >> 20, total: $1 >> 20) }
        )
    }

    /// Pass 1 over the log, and the memory `segment` will need: the import (pass 1, the cells of
    /// the active user-days and the replay) and the usage windows.
    static func scanLog(
        _ options: SegmentOptions, taxonomy: Taxonomy, compiled: CompiledSegmentation,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> (EventLogScan, Int) {
        let importer = EventLogImporter(
            files: options.events, taxonomy: taxonomy,
            aliasesPath: options.aliases, accountsPath: options.accounts, startDate: options.since,
            asOf: options.asOf, strict: options.strict)
        let scan = try importer.scan(progress: progress)
        return (
            scan,
            scan.estimatedBytes + segmentationBytes(compiled, users: scan.userCount, days: scan.days)
                + MemoryEstimate.runtimeBytes
        )
    }

    /// The memory `segment` estimates it needs for a log before importing it, as the check that
    /// refuses a log too big for the machine computes it (for the benchmarks, which compare it
    /// with the measured peak).
    public static func estimatedSegmentBytes(_ options: SegmentOptions) throws -> Int {
        let taxonomy = try Taxonomy.load(path: options.taxonomy)
        let vocabulary = Vocabulary(
            features: taxonomy.featureNames, milestones: taxonomy.milestoneNames, plans: taxonomy.plans)
        return try scanLog(
            options, taxonomy: taxonomy, compiled: try CompiledSegmentation(.defaults, vocabulary: vocabulary)
        ).1
    }
}
