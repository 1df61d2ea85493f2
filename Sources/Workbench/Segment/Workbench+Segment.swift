import Reports
public import EventImport
import Foundation
import Segmentation
import Simulation
import UsageModel
import YAMLInput

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
        let destination = logDestination(options)
        try OutputDirectory.checkDestination(destination)
        let progress = ProgressLine(enabled: options.progress)
        defer { progress.finish() }
        let (compiled, log) = try importLog(options, progress: progress)

        let engine = SegmentationEngine(compiled, threads: options.threads)
        let lastDay = log.directory.days - 1
        if options.once {
            engine.schedule = .only(day: lastDay)
        } else if options.asOf != nil {
            engine.schedule = .grid(endingOn: lastDay, every: compiled.spec.every.days)
        }
        func replay() throws -> ImportResults {
            try log.replay(observers: [engine]) {
                progress.update("replaying day", done: $0, total: log.directory.days)
            }
            return ImportResults(
                files: options.events, taxonomy: options.taxonomy, summary: log.summary,
                segmentation: SegmentationResults(engine))
        }
        if let shard = options.shard {
            let run = try logShardRun(options, command: "segment")
            let directory = try writeLogShard(at: destination) { path in
                let memberships = try MembershipsBinaryWriter(path: path)
                engine.onEvaluation = { _, segments, tags in try memberships.write(segments: segments, tags: tags) }
                let results = try replay()
                try memberships.close()
                return logShardFile(
                    run: run, shard: shard, log: log, results: results, evaluations: engine.evaluations, evaluate: nil)
            }
            return SegmentOutcome(directory: directory, summary: log.summary, evaluations: engine.evaluations.count)
        }
        let table = try options.to.map { url in
            try PostgresMemberships(
                url: url, table: options.toTable, first: log.directory.startDate,
                last: log.directory.startDate.adding(days: log.directory.days - 1))
        }
        let directory = try OutputDirectory.produce(at: destination) { output in
            var writers = [
                try MembershipsWriter(
                    path: output.staging.appendingPathComponent("memberships.csv").path, population: log.population,
                    account: log.directory.account, segments: compiled.segmentNames, tags: compiled.tagNames)
            ]
            if let table {
                writers.append(
                    MembershipsWriter(
                        handle: table.handle, name: "\(table.table) (psql)", population: log.population,
                        account: log.directory.account, segments: compiled.segmentNames, tags: compiled.tagNames,
                        plain: true))
            }
            engine.onEvaluation = { (evaluation: SegmentEvaluation, segments: Column<UInt8>, tags: Column<UInt32>) in
                for writer in writers { try writer.write(date: evaluation.date, segments: segments, tags: tags) }
            }
            do {
                let results = try replay()
                try writers[0].close()
                try writers.dropFirst().forEach { try $0.flush() }
                try table?.finish()
                try output.write(try ResultsFile.Contents.segment(results).files())
            } catch {
                table?.abandon()
                throw error
            }
        }
        return SegmentOutcome(directory: directory, summary: log.summary, evaluations: engine.evaluations.count)
    }

    /// Where `segment` or `evaluate` writes: `--out`, else `reports/<log name>/<run-id>`, with
    /// `-shard<I>of<N>` for a shard.
    static func logDestination(_ options: SegmentOptions) -> String {
        if let out = options.outDirectory { return out }
        let directory = defaultDirectory(scenario: logName(options.events[0]), seed: nil)
        guard let shard = options.shard else { return directory }
        return directory + "-shard\(shard.index)of\(shard.count)"
    }

    /// Checks the options, compiles the segments, and imports the log once its memory need is known
    /// to fit: the steps `segment`, `evaluate` and `fit` share. `additionalBytes` is what the command
    /// holds beside the import and the segmentation, for the log pass 1 found.
    static func importLog(
        _ options: SegmentOptions, progress: ProgressLine, additionalBytes: (EventLogScan) -> Int = { _ in 0 }
    ) throws -> (CompiledSegmentation, ImportedEventLog) {
        if options.to != nil && options.shard != nil {
            throw RunError.badInput("--to: load the merged memberships, not a shard's")
        }
        if options.ownFiles && options.shard == nil {
            throw RunError.badInput("--own-files: give --shard I/N too")
        }
        guard (1...RunOptions.maxThreads).contains(options.threads) else {
            throw RunError.badInput("--threads: must be in 1...\(RunOptions.maxThreads), got \(options.threads)")
        }
        let taxonomy = try Taxonomy.load(path: options.taxonomy)
        let compiled = try compileSegments(
            taxonomy: taxonomy,
            segments: try options.segments.map { (try YAMLInput.read($0, noun: "segments file"), $0) },
            every: options.every)

        let (scan, importNeed) = try scanLog(options, taxonomy: taxonomy, compiled: compiled) {
            progress.update("reading the log, MB (pass 1 of 2)", done: $0 >> 20, total: $1 >> 20)
        }
        let need = importNeed + additionalBytes(scan)
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

    /// The segments file's text (`nil`: the default segments) compiled against a taxonomy, with its
    /// `every` overridden when `every` is given.
    static func compileSegments(
        taxonomy: Taxonomy, segments: (text: String, file: String)?, every: EvaluationInterval?
    ) throws -> CompiledSegmentation {
        let vocabulary = taxonomy.vocabulary
        var compiled: CompiledSegmentation
        if let segments {
            compiled = try SegmentsFile.parse(yaml: segments.text, file: segments.file, vocabulary: vocabulary)
        } else {
            compiled = try CompiledSegmentation(.defaults, vocabulary: vocabulary)
        }
        if let every, every != compiled.spec.every {
            var spec = compiled.spec
            spec.every = every
            compiled = try CompiledSegmentation(spec, vocabulary: vocabulary)
        }
        return compiled
    }

    /// Pass 1 over the log, and the memory `segment` will need: the import (pass 1, the cells of
    /// the active user-days and the replay) and the usage windows.
    static func scanLog(
        _ options: SegmentOptions, taxonomy: Taxonomy, compiled: CompiledSegmentation,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> (EventLogScan, Int) {
        var keeps: (@Sendable (String) -> Bool)?
        if let shard = options.shard, !options.ownFiles { keeps = { shard.keeps(account: $0) } }
        var importer = EventLogImporter(
            files: options.events, taxonomy: taxonomy,
            aliasesPath: options.aliases, accountsPath: options.accounts, startDate: options.since,
            asOf: options.asOf, strict: options.strict, keepsAccount: keeps)
        importer.threads = options.threads
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
        let vocabulary = taxonomy.vocabulary
        return try scanLog(
            options, taxonomy: taxonomy, compiled: try CompiledSegmentation(.defaults, vocabulary: vocabulary)
        ).1
    }
}

extension Taxonomy {
    /// What rules may name in a log this taxonomy reads: its features, milestones, plans and their prices.
    var vocabulary: Vocabulary {
        Vocabulary(features: featureNames, milestones: milestoneNames, plans: plans, planPriceCents: planPriceCents)
    }
}
