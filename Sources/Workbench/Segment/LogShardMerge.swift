import Analysis
import EventImport
import Foundation
import Reports
import Segmentation
import UsageModel

/// The users of every shard of a log in the order one import of the whole log gives them, and where
/// each shard's users go in it.
struct MergedPopulation {
    let population: ImportedPopulation
    let account: Column<Int32>
    /// `index[shard][user]`: the merged index of each shard's user.
    let index: [[Int]]

    /// Accounts are ordered by the first event of their first user, ties by that user's id (bytes), as
    /// the importer orders them; each shard's accounts are already in that order, so this interleaves
    /// them. Refuses a user or account that two shards hold.
    init(_ shards: [(folder: String, file: LogShardFile)]) throws {
        var owner: [String: Int] = [:]
        for (s, shard) in shards.enumerated() {
            for id in shard.file.population.userIDs {
                if let other = owner.updateValue(s, forKey: id) {
                    throw RunError.badInput(
                        "user \(id) is in \(shards[other].file.label) (\(shards[other].folder)) and in "
                            + "\(shard.file.label) (\(shard.folder)): split the log by account, so that each "
                            + "account's events are in the files of one shard")
                }
            }
        }
        owner = [:]
        for (s, shard) in shards.enumerated() {
            for id in shard.file.population.accountIDs {
                if let other = owner.updateValue(s, forKey: id) {
                    throw RunError.badInput(
                        "account \(id) is in \(shards[other].file.label) and in \(shard.file.label): split the "
                            + "log by account, so that each account's events are in the files of one shard")
                }
            }
        }

        // Each shard's accounts with the first user of each.
        var firstUser: [[Int]] = []
        for shard in shards {
            var starts: [Int] = []
            var next = 0
            for n in shard.file.population.accountUsers {
                starts.append(next)
                next += n
            }
            firstUser.append(starts)
        }
        var accounts: [(shard: Int, account: Int)] = []
        for (s, shard) in shards.enumerated() {
            accounts += shard.file.population.accountIDs.indices.map { (s, $0) }
        }
        func key(_ a: (shard: Int, account: Int)) -> (Int64, [UInt8]) {
            let p = shards[a.shard].file.population
            return (p.accountFirstEvent[a.account], Array(p.userIDs[firstUser[a.shard][a.account]].utf8))
        }
        let keys = accounts.map(key)
        let order = accounts.indices.sorted { x, y in
            keys[x].0 != keys[y].0 ? keys[x].0 < keys[y].0 : keys[x].1.lexicographicallyPrecedes(keys[y].1)
        }

        let total = shards.reduce(0) { $0 + $1.file.population.userIDs.count }
        var userIDs: [String] = []
        userIDs.reserveCapacity(total)
        var accountIDs: [String] = []
        var accountFirstEvent: [Int64] = []
        let account = Column<Int32>(repeating: 0, count: total)
        var index = shards.map { [Int](repeating: 0, count: $0.file.population.userIDs.count) }
        for i in order {
            let (s, a) = accounts[i]
            let p = shards[s].file.population
            let first = firstUser[s][a]
            for u in first..<first + p.accountUsers[a] {
                index[s][u] = userIDs.count
                account[userIDs.count] = Int32(accountIDs.count)
                userIDs.append(p.userIDs[u])
            }
            accountIDs.append(p.accountIDs[a])
            accountFirstEvent.append(p.accountFirstEvent[a])
        }
        population = ImportedPopulation(
            userIDs: userIDs, accountIDs: accountIDs, accountFirstEvent: accountFirstEvent)
        self.account = account
        self.index = index
    }
}

extension Workbench {
    /// Merges the shards of `segment` or `evaluate` into the outputs one process gives for the whole log.
    static func mergeLogs(_ unsorted: [(folder: String, file: LogShardFile)], outDirectory: String?) throws -> String {
        for entry in unsorted {
            let first = unsorted[0]
            guard entry.file.run == first.file.run else {
                throw RunError.badInput(
                    "\(entry.folder) is a shard of another log or other options than \(first.folder):\n  "
                        + "\(entry.file.run)\n  \(first.file.run)"
                        + (entry.file.run.description == first.file.run.description
                            ? "\n  (the taxonomy, segments or side tables differ)" : ""))
            }
        }
        try checkComplete(unsorted.map { ($0.folder, $0.file.shard) })
        let shards = unsorted.sorted { $0.file.shard.index < $1.file.shard.index }
        let run = shards[0].file.run
        try checkFiles(shards)
        let summaries = shards.map(\.file.results.import)
        for (shard, summary) in zip(shards, summaries) {
            let first = summaries[0]
            guard summary.startDate == first.startDate, summary.endDate == first.endDate else {
                throw RunError.badInput(
                    "\(shard.file.label) covers \(summary.startDate ?? "-") to \(summary.endDate ?? "-"), "
                        + "\(shards[0].file.label) \(first.startDate ?? "-") to \(first.endDate ?? "-"): give every "
                        + "shard the same --since and --as-of")
            }
        }

        let merged = try MergedPopulation(shards)
        let taxonomy = try Taxonomy.parse(yaml: run.taxonomyText, file: run.taxonomyFile)
        let compiled = try compileSegments(
            taxonomy: taxonomy, segments: run.segmentsText.map { ($0, run.segmentsFile ?? "segments") },
            every: run.every)
        var evaluations = shards[0].file.evaluations
        for shard in shards.dropFirst() {
            evaluations = zip(evaluations, shard.file.evaluations).map { $0.adding($1) }
        }
        let imported = ImportResults(
            schemaVersion: ResultsFile.schemaVersion,
            source: ImportResults.Source(
                files: shards.flatMap(\.file.results.source.files).uniqued(), taxonomy: run.taxonomyFile),
            import: mergedSummary(shards), segmentation: SegmentationResults(compiled, evaluations: evaluations))
        let destination =
            outDirectory
            ?? defaultDirectory(scenario: logName(imported.source.files[0]), seed: nil)
        try OutputDirectory.checkDestination(destination)

        if let cutoff = run.cutoff, let horizon = run.horizon {
            let pieces = EvaluatePieces(merging: shards.map { $0.file.evaluate! }, index: merged.index)
            let (results, csv) = try pieces.results(
                compiled: compiled, imported: imported, cutoff: cutoff, horizon: horizon,
                userIDs: merged.population.userIDs, exclude: run.exclude ?? [])
            return try OutputDirectory.produce(at: destination) { output in
                try output.write(Data(csv.utf8), to: "predictions.csv")
                try output.write(try ResultsFile.Contents.evaluate(results).files())
            }
        }
        let bins = try shards.map { shard in
            let path = URL(fileURLWithPath: shard.folder).appendingPathComponent(LogShardFile.membershipsName).path
            let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            let users = shard.file.population.userIDs.count
            guard let data, data.count == users * 5 * evaluations.count else {
                throw RunError.badInput(
                    "\(path): missing, or not \(evaluations.count) evaluations of \(users) users; run the shard again")
            }
            return data
        }
        return try OutputDirectory.produce(at: destination) { output in
            let memberships = try MembershipsWriter(
                path: output.staging.appendingPathComponent("memberships.csv").path, population: merged.population,
                account: merged.account, segments: compiled.segmentNames, tags: compiled.tagNames)
            let total = merged.population.userIDs.count
            let segments = Column<UInt8>(repeating: 0, count: total)
            let tags = Column<UInt32>(repeating: 0, count: total)
            for (e, evaluation) in evaluations.enumerated() {
                for (s, data) in bins.enumerated() {
                    let users = merged.index[s].count
                    data.withUnsafeBytes { raw in
                        let base = raw.baseAddress! + e * users * 5
                        for u in 0..<users {
                            let g = merged.index[s][u]
                            segments[g] = base.load(fromByteOffset: u, as: UInt8.self)
                            tags[g] = UInt32(
                                littleEndian: base.loadUnaligned(fromByteOffset: users + 4 * u, as: UInt32.self))
                        }
                    }
                }
                try memberships.write(date: evaluation.date, segments: segments, tags: tags)
            }
            try memberships.close()
            try output.write(try ResultsFile.Contents.segment(imported).files())
        }
    }

    /// Every shard read the same files, or (`--own-files`) no file is read by two shards.
    private static func checkFiles(_ shards: [(folder: String, file: LogShardFile)]) throws {
        let first = shards[0]
        if !first.file.run.ownFiles {
            for shard in shards where shard.file.files != first.file.files {
                throw RunError.badInput(
                    "\(shard.file.label) read "
                        + shard.file.files.map { "\($0.path) (\($0.bytes) bytes)" }.joined(separator: ", ")
                        + ", \(first.file.label) "
                        + first.file.files.map { "\($0.path) (\($0.bytes) bytes)" }.joined(separator: ", ")
                        + ": every shard reads the whole log (or give each its own files with --own-files)")
            }
            return
        }
        var reader: [String: String] = [:]
        for shard in shards {
            for file in shard.file.files {
                if let other = reader.updateValue(shard.file.label, forKey: file.path) {
                    throw RunError.badInput(
                        "\(file.path) is read by \(other) and by \(shard.file.label): with --own-files each file "
                            + "belongs to one shard")
                }
            }
        }
    }

    /// The import summary of the whole log: the counts of users and their events add up; the counts of
    /// lines are every shard's (they read the same files) or add up too (`--own-files`).
    private static func mergedSummary(_ shards: [(folder: String, file: LogShardFile)]) -> ImportResults.Summary {
        let all = shards.map(\.file.results.import)
        let first = all[0]
        func sum(_ value: (ImportResults.Summary) -> Int) -> Int { all.reduce(0) { $0 + value($1) } }
        func sum(_ value: (ImportResults.Summary) -> [String: Int]) -> [String: Int] {
            all.reduce(into: [:]) { total, s in total.merge(value(s), uniquingKeysWith: +) }
        }
        let perLine = shards[0].file.run.ownFiles
        var unknown = shards[0].file.unknownEvents
        if perLine {
            unknown = shards.reduce(into: [:]) { total, s in total.merge(s.file.unknownEvents, uniquingKeysWith: +) }
        }
        let top = unknown.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(20)
        return ImportResults.Summary(
            linesRead: perLine ? sum(\.linesRead) : first.linesRead,
            bytesRead: perLine ? sum(\.bytesRead) : first.bytesRead,
            records: perLine ? sum(\.records) : first.records, eventsUsed: sum(\.eventsUsed),
            skipped: perLine ? sum(\.skipped) : first.skipped,
            malformedKinds: perLine ? sum(\.malformedKinds) : first.malformedKinds,
            firstMalformedLines: perLine
                ? Array(all.flatMap(\.firstMalformedLines).prefix(EventLogImporter.listedMalformedLines))
                : first.firstMalformedLines,
            reattributedThroughAliases: sum(\.reattributedThroughAliases),
            unknownEvents: Dictionary(uniqueKeysWithValues: top.map { ($0.key, $0.value) }), users: sum(\.users),
            accounts: sum(\.accounts), startDate: first.startDate, endDate: first.endDate, days: first.days)
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
