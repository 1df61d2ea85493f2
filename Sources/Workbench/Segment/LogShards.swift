import Analysis
import EventImport
import Foundation
import Reports
import Segmentation
import UsageModel
import YAMLInput

/// What `segment --shard I/N` and `evaluate --shard I/N` write: `shard.json`, the pieces of the
/// shard's accounts with their ids and the order they take in the whole log, and, for `segment`,
/// `memberships.bin`, every evaluation's segment and tags of the shard's users (docs/shards.md).
struct LogShardFile: Codable {
    static let formatName = "segmentlab-log-shard"
    static let currentVersion = 1
    static let membershipsName = "memberships.bin"

    var format: String
    var version: Int
    var shard: ShardIndex
    /// What every shard of one log agrees on.
    var run: Run
    /// The files this shard read: every shard's are the same, or with `--own-files` no file is read twice.
    var files: [FileStamp]
    /// The import and segmentation of this shard's users; the counts of lines are those of its files.
    var results: ImportResults
    /// Every unknown event name of the shard's files and its count, which `results` cuts to 20.
    var unknownEvents: [String: Int]
    var evaluations: [SegmentEvaluation]
    var population: Population
    var evaluate: EvaluatePieces?

    /// The options a shard was run with; shards of one log have equal ones.
    struct Run: Codable, Equatable, CustomStringConvertible {
        var command: String
        var shards: Int
        var ownFiles: Bool
        var taxonomyFile: String
        var taxonomyText: String
        var segmentsFile: String?
        var segmentsText: String?
        /// Side tables by path and a digest of their bytes.
        var aliases: FileStamp?
        var accounts: FileStamp?
        var since: CivilDate?
        var asOf: CivilDate?
        var once: Bool
        var every: EvaluationInterval?
        var strict: Bool
        var cutoff: CivilDate?
        var horizon: Int?
        var exclude: [String]?

        var description: String {
            var parts = ["\(command) with \(taxonomyFile)", segmentsFile ?? "the default segments"]
            if let since { parts.append("--since \(since)") }
            if let asOf { parts.append("--as-of \(asOf)") }
            if once { parts.append("--once") }
            if let every { parts.append("--every \(every.rawValue)") }
            if let cutoff, let horizon { parts.append("--cutoff \(cutoff) --horizon \(horizon)") }
            for name in exclude ?? [] { parts.append("--exclude \(name)") }
            if ownFiles { parts.append("--own-files") }
            return parts.joined(separator: ", ") + ", \(shards) shards"
        }
    }

    /// A file by path, size and FNV-1a digest of its bytes (side tables) or its size alone (logs, which
    /// can be too big to read twice for a digest).
    struct FileStamp: Codable, Equatable {
        var path: String
        var bytes: Int
        var digest: UInt64?

        static func table(_ path: String) throws -> FileStamp {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RunError.badInput("\(path): cannot read it")
            }
            return FileStamp(path: path, bytes: data.count, digest: ShardIndex.fnv1a(data))
        }
    }

    /// The shard's users and accounts in its order: accounts by the first event of their first user
    /// (ties by that user's id), each holding its users.
    struct Population: Codable {
        var userIDs: [String]
        var accountIDs: [String]
        /// Milliseconds since 1970 (UTC) of the first event of each account's first user.
        var accountFirstEvent: [Int64]
        /// Users per account, in order.
        var accountUsers: [Int]

        init(_ imported: ImportedPopulation, directory: PopulationDirectory) {
            userIDs = imported.userIDs
            accountIDs = imported.accountIDs
            accountFirstEvent = imported.accountFirstEvent
            var counts = [Int](repeating: 0, count: imported.accountIDs.count)
            for u in 0..<directory.userCount { counts[Int(directory.account[u])] += 1 }
            accountUsers = counts
        }
    }

    var label: String { "shard \(shard)" }
}

/// `memberships.bin`: for each evaluation in order, one byte per user of the shard (the segment's
/// code, 255 before sign-up) and then four bytes per user, little-endian (the tags' bits).
#if _endian(big)
    #error("memberships.bin is little-endian: MembershipsBinaryWriter writes the columns' memory as it is")
#endif

final class MembershipsBinaryWriter {
    private let handle: FileHandle
    private let path: String

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw RunError.failed("cannot create \(path)") }
        self.handle = handle
        self.path = path
    }

    func write(segments: Column<UInt8>, tags: Column<UInt32>) throws {
        do {
            try segments.withUnsafeBufferPointer { try handle.write(contentsOf: Data(buffer: $0)) }
            // The columns' memory is the file's layout on the little-endian machines Swift runs on here.
            try tags.withUnsafeBufferPointer { try handle.write(contentsOf: Data(buffer: $0)) }
        } catch {
            throw RunError.failed("cannot write \(path): \(error.localizedDescription)")
        }
    }

    func close() throws { try handle.close() }
}

extension ShardIndex {
    /// FNV-1a, 64 bits (Fowler, Noll and Vo; offset basis 14695981039346656037, prime 1099511628211).
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// Whether this shard of a log keeps the account with id `id` (a user without an account is their
    /// own, named by their user id): FNV-1a of the id's UTF-8 bytes, modulo the number of shards.
    public func keeps(account id: String) -> Bool {
        Int(Self.fnv1a(id.utf8) % UInt64(count)) == index
    }
}

extension Workbench {
    /// Writes a shard of `segment` or `evaluate` to `destination`: `fill` is given the path of
    /// `memberships.bin` (`segment` writes it) and returns what goes into `shard.json`.
    static func writeLogShard(at destination: String, _ fill: (String) throws -> LogShardFile) throws -> String {
        try OutputDirectory.checkDestination(destination)
        return try OutputDirectory.produce(at: destination) { output in
            let file = try fill(output.staging.appendingPathComponent(LogShardFile.membershipsName).path)
            try output.write(try ShardFile.encoder().encode(file), to: ShardFile.fileName)
        }
    }

    /// The fingerprint of a `segment` or `evaluate` shard's options.
    static func logShardRun(
        _ options: SegmentOptions, command: String, cutoff: CivilDate? = nil, horizon: Int? = nil,
        exclude: [String]? = nil
    ) throws -> LogShardFile.Run {
        guard let shard = options.shard else { preconditionFailure("a shard's options") }
        return LogShardFile.Run(
            command: command, shards: shard.count, ownFiles: options.ownFiles, taxonomyFile: options.taxonomy,
            taxonomyText: try YAMLInput.read(options.taxonomy, noun: "taxonomy file"),
            segmentsFile: options.segments,
            segmentsText: try options.segments.map { try YAMLInput.read($0, noun: "segments file") },
            aliases: try options.aliases.map(LogShardFile.FileStamp.table),
            accounts: try options.accounts.map(LogShardFile.FileStamp.table), since: options.since,
            asOf: options.asOf, once: options.once, every: options.every, strict: options.strict, cutoff: cutoff,
            horizon: horizon, exclude: exclude)
    }

    static func logShardFile(
        run: LogShardFile.Run, shard: ShardIndex, log: ImportedEventLog, results: ImportResults,
        evaluations: [SegmentEvaluation], evaluate: EvaluatePieces?
    ) -> LogShardFile {
        LogShardFile(
            format: LogShardFile.formatName, version: LogShardFile.currentVersion, shard: shard, run: run,
            files: log.summary.files.map { LogShardFile.FileStamp(path: $0.path, bytes: $0.bytes, digest: nil) },
            results: results,
            unknownEvents: Dictionary(uniqueKeysWithValues: log.summary.allUnknownEvents.map { ($0.name, $0.count) }),
            evaluations: evaluations, population: LogShardFile.Population(log.population, directory: log.directory),
            evaluate: evaluate)
    }
}
