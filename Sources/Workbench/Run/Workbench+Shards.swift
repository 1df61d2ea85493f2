import Analysis
import Foundation
import Reports
import Simulation
import UsageModel

/// What `run --shard I/N` writes: `shard.json`, the pieces of its block of users and its
/// replicates, with what a merge needs to check that shards belong together and to rebuild the
/// scenario (docs/shards.md).
struct ShardFile: Codable {
    static let formatName = "segmentlab-run-shard"
    static let currentVersion = 2
    static let fileName = "shard.json"

    var format: String
    var version: Int
    var shard: ShardIndex
    /// The scenario as given on the command line and its text: the merge parses it again.
    var scenarioFile: String
    var scenarioText: String
    var seed: UInt64
    var users: Int
    var days: Int
    var replicates: Int
    var pieces: RunPieces
    /// This shard's replicates: their number (1 for seed + 1, …) and results.
    var replicateRuns: [ReplicateRun]

    struct ReplicateRun: Codable {
        var replicate: Int
        var results: ExperimentResults
    }

    /// Everything but the pieces and the replicates: shards of one run agree on it.
    var run: String {
        "\(scenarioFile) (\(scenarioText.utf8.count) bytes), seed \(seed), \(users) users, \(days) days, "
            + "\(replicates) replicates, \(shard.count) shards"
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension Workbench {
    /// Simulates shard `options.shard` of a run and writes its pieces to `shard.json` in the output
    /// folder. `scenarioFile` and `scenarioText` are the scenario as given, for the merge.
    public static func runShard(
        _ scenario: Scenario, scenarioFile: String, scenarioText: String, options: RunOptions
    ) throws -> String {
        guard let shard = options.shard else { preconditionFailure("runShard needs a shard") }
        let spec = try prepare(scenario, options: options, writesEventLog: false)
        let destination =
            options.outDirectory
            ?? defaultDirectory(scenario: scenario.name, seed: spec.seed) + "-shard\(shard.index)of\(shard.count)"
        try OutputDirectory.checkDestination(destination)
        let progress = ProgressLine(enabled: options.progress)
        defer { progress.finish() }
        let block = try PopulationLayout(spec: spec).blocks(parts: shard.count)[shard.index]
        let (pieces, _) = try simulate(scenario, spec: spec, block: block, threads: options.threads) {
            progress.update("simulating day", done: $0, total: $1)
        }
        var replicateRuns: [ShardFile.ReplicateRun] = []
        for r in 1..<max(1, options.replicates) where shard.owns(replicate: r) {
            var replicate = spec
            replicate.seed = spec.seed &+ UInt64(r)
            guard let results = try experiment(scenario, spec: replicate, threads: options.threads) else {
                throw RunError.badInput("--replicates needs a scenario with interventions")
            }
            replicateRuns.append(ShardFile.ReplicateRun(replicate: r, results: results))
        }
        let file = ShardFile(
            format: ShardFile.formatName, version: ShardFile.currentVersion, shard: shard, scenarioFile: scenarioFile,
            scenarioText: scenarioText, seed: spec.seed, users: spec.users, days: spec.days,
            replicates: options.replicates, pieces: pieces, replicateRuns: replicateRuns)
        let data = try ShardFile.encoder().encode(file)
        return try OutputDirectory.produce(at: destination) { try $0.write(data, to: ShardFile.fileName) }
    }

    /// Merges the folders of every shard of one run (`run --shard`) or log (`segment --shard`,
    /// `evaluate --shard`) into the outputs the run gives in one process, byte for byte. Refuses
    /// (exit status 2, nothing written) a folder that holds no shard, shards of different runs, a
    /// shard given twice and a missing shard.
    public static func merge(_ folders: [String], outDirectory: String?, threads: Int = 1) throws -> String {
        guard !folders.isEmpty else { throw RunError.badInput("merge: give the folders of every shard") }
        if let outDirectory { try OutputDirectory.checkDestination(outDirectory) }
        var format: String?
        var data: [(folder: String, path: String, data: Data)] = []
        for folder in folders {
            let path = URL(fileURLWithPath: folder).appendingPathComponent(ShardFile.fileName).path
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw RunError.badInput("\(folder): no \(ShardFile.fileName); is it the folder of a --shard run?")
            }
            let header: ShardHeader
            do {
                header = try JSONDecoder().decode(ShardHeader.self, from: bytes)
            } catch {
                throw RunError.badInput("\(path): not a shard of SegmentLab (\(error))")
            }
            let known = [
                ShardFile.formatName: ShardFile.currentVersion, LogShardFile.formatName: LogShardFile.currentVersion,
            ]
            guard known[header.format] == header.version else {
                throw RunError.badInput(
                    "\(path): format \(header.format) version \(header.version); this SegmentLab merges "
                        + known.sorted { $0.key < $1.key }.map { "\($0.key) version \($0.value)" }.joined(
                            separator: " and "))
            }
            if let format, format != header.format {
                throw RunError.badInput(
                    "\(folder) holds a \(header.format), \(data[0].folder) a \(format): shards of different commands")
            }
            format = header.format
            data.append((folder, path, bytes))
        }
        func decoded<File: Decodable>(_ type: File.Type) throws -> [(folder: String, file: File)] {
            try data.map { entry in
                do {
                    return (entry.folder, try JSONDecoder().decode(File.self, from: entry.data))
                } catch {
                    throw RunError.badInput("\(entry.path): not a readable shard (\(error))")
                }
            }
        }
        if format == LogShardFile.formatName {
            return try mergeLogs(try decoded(LogShardFile.self), outDirectory: outDirectory)
        }
        var files = try decoded(ShardFile.self)
        for entry in files {
            let (first, file) = (files[0], entry.file)
            if first.file.run != file.run || first.file.scenarioText != file.scenarioText {
                throw RunError.badInput(
                    "\(entry.folder) is a shard of another run than \(first.folder):\n  \(file.run)\n  \(first.file.run)"
                        + (first.file.run == file.run ? "\n  (the scenario texts differ)" : ""))
            }
        }
        try checkComplete(files.map { ($0.folder, $0.file.shard) })
        files.sort { $0.file.shard.index < $1.file.shard.index }

        let first = files[0].file
        let scenario = try ScenarioLoader.parse(yaml: first.scenarioText, file: first.scenarioFile)
        let spec = try prepare(
            scenario,
            options: RunOptions(
                seed: first.seed, users: first.users, days: first.days, threads: threads,
                replicates: first.replicates),
            writesEventLog: false)
        var pieces = first.pieces
        for next in files.dropFirst() { pieces.append(next.file.pieces) }
        let replicates = files.flatMap(\.file.replicateRuns).sorted { $0.replicate < $1.replicate }.map(\.results)
        let (results, predictions) = try pieces.results(
            scenario: scenario, spec: spec, layout: try PopulationLayout(spec: spec),
            segmentation: scenario.segmentation, replicates: replicates)
        let destination = outDirectory ?? defaultDirectory(scenario: scenario.name, seed: spec.seed)
        try OutputDirectory.checkDestination(destination)
        return try OutputDirectory.produce(at: destination) { output in
            try output.write(Data(predictions.utf8), to: "predictions.csv")
            try output.write(try ResultsFile.Contents.run(results).files())
        }
    }
}

/// The two fields every shard file starts with.
private struct ShardHeader: Decodable {
    var format: String
    var version: Int
}

extension Workbench {
    /// Refuses a shard given twice and a missing shard.
    static func checkComplete(_ shards: [(folder: String, shard: ShardIndex)]) throws {
        var seen: [Int: String] = [:]
        for (folder, shard) in shards {
            if let twin = seen[shard.index] {
                throw RunError.badInput("shard \(shard) is given twice: \(twin) and \(folder)")
            }
            seen[shard.index] = folder
        }
        let count = shards[0].shard.count
        let missing = Set(0..<count).subtracting(seen.keys).sorted()
        guard missing.isEmpty else {
            throw RunError.badInput(
                "shards missing: " + missing.map { "\($0)/\(count)" }.joined(separator: ", ")
                    + "; a merge needs all \(count)")
        }
    }
}
