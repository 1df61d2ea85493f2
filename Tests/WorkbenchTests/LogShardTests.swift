import EventImport
import Analysis
import Foundation
import Reports
import Testing
import UsageModel

@testable import Workbench

@Suite("Shards of a real log")
struct LogShardTests {
    static let taxonomy = Repository.path("scenarios/example-taxonomy.yaml")

    /// A simulated log of the default scenario with its data-quality faults (lost, duplicated and
    /// late events, aliases), written to `folder/log.csv`.
    static func log(in folder: URL, users: Int = 1_500, days: Int = 70) throws -> String {
        let path = folder.appendingPathComponent("log.csv").path
        _ = try Workbench.simulate(
            try ScenarioLoader.load(contentsOf: Repository.path("scenarios/saas-default.yaml")),
            options: RunOptions(users: users, days: days), outputs: SimulateOutputs(events: path))
        return path
    }

    /// `log.csv` cut into `count` files by account: account `aN` goes to file N mod `count`.
    static func split(_ path: String, count: Int, in folder: URL) throws -> [String] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        var parts = [[Substring]](repeating: [lines[0]], count: count)
        for line in lines.dropFirst() {
            let account = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)[1]
            parts[(Int(account.dropFirst()) ?? 0) % count].append(line)
        }
        return try parts.enumerated().map { i, rows in
            let file = folder.appendingPathComponent("part-\(i).csv").path
            try (rows.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
    }

    static func options(_ events: [String], out: URL, shard: String? = nil, threads: Int = 1) -> SegmentOptions {
        SegmentOptions(
            events: events, taxonomy: taxonomy, threads: threads, outDirectory: out.path,
            shard: shard.flatMap(ShardIndex.init))
    }

    static func refusal(_ folders: [String], out: String) -> String? {
        do {
            _ = try Workbench.merge(folders, outDirectory: out)
            return nil
        } catch let error as RunError {
            #expect(error.exitStatus == 2)
            return error.description
        } catch {
            return "\(error)"
        }
    }

    @Test("four segment shards at one and two threads merge into the bytes of one segment run")
    func segmentShards() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try Self.log(in: folder)
        let single = try Workbench.segment(
            Self.options([log], out: folder.appendingPathComponent("single"), threads: 2))
        var users = 0
        let shards = try (0..<4).map { i in
            let outcome = try Workbench.segment(
                Self.options(
                    [log], out: folder.appendingPathComponent("shard-\(i)"), shard: "\(i)/4", threads: i % 2 + 1))
            // Each shard reads every line, imports its own accounts and leaves the others' events.
            #expect(outcome.summary.records == single.summary.records)
            #expect(outcome.summary.eventsUsed + outcome.summary.eventsOfOtherShards == single.summary.eventsUsed)
            users += outcome.summary.users
            return outcome.directory
        }
        #expect(users == single.summary.users)
        let merged = try Workbench.merge(
            shards.reversed(), outDirectory: folder.appendingPathComponent("merged").path)
        try ShardTests.sameFiles(merged, single.directory)
    }

    @Test("three evaluate shards merge into the bytes of one evaluation: the model is fitted at the merge")
    func evaluateShards() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = try Self.log(in: folder)
        let cutoff = CivilDate(iso: "2026-02-15")!
        let single = try Workbench.evaluate(
            EvaluateOptions(log: Self.options([log], out: folder.appendingPathComponent("single")), cutoff: cutoff))
        let shards = try (0..<3).map { i in
            try Workbench.evaluate(
                EvaluateOptions(
                    log: Self.options(
                        [log], out: folder.appendingPathComponent("shard-\(i)"), shard: "\(i)/3", threads: i + 1),
                    cutoff: cutoff)
            ).directory
        }
        let merged = try Workbench.merge(shards, outDirectory: folder.appendingPathComponent("merged").path)
        try ShardTests.sameFiles(merged, single.directory)
        let predictions = try String(contentsOfFile: merged + "/predictions.csv", encoding: .utf8)
        #expect(predictions.split(separator: "\n").count > 100)
    }

    @Test("evaluate shards of a purchase log with amounts merge into one evaluation, money features included")
    func evaluateShardsWithRevenue() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // EvaluateTests' purchase log, each order worth an amount that varies from line to line.
        var lines = EvaluateTests.purchaseLog().split(separator: "\n").map(String.init)
        for i in 1..<lines.count {
            lines[i] = lines[i].replacingOccurrences(of: "9.99", with: "\(i % 13 + 1).\(i % 100)")
        }
        let log = folder.appendingPathComponent("purchases.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: log, atomically: true, encoding: .utf8)
        let taxonomy = Repository.path("scenarios/example-purchase-taxonomy.yaml")
        func options(_ name: String, shard: String? = nil) -> EvaluateOptions {
            EvaluateOptions(
                log: SegmentOptions(
                    events: [log], taxonomy: taxonomy, threads: 2,
                    outDirectory: folder.appendingPathComponent(name).path,
                    shard: shard.flatMap(ShardIndex.init)),
                cutoff: CivilDate(iso: "2026-03-01")!, horizon: 28)
        }
        let single = try Workbench.evaluate(options("single"))
        let shards = try (0..<2).map { try Workbench.evaluate(options("shard-\($0)", shard: "\($0)/2")).directory }
        let merged = try Workbench.merge(shards, outDirectory: folder.appendingPathComponent("merged").path)
        try ShardTests.sameFiles(merged, single.directory)
        guard case .evaluate(let results) = try Repository.results(in: merged) else {
            Issue.record("the merged results.json is not an evaluation")
            return
        }
        #expect(results.churnPrediction.features.suffix(2) == ["log_revenue_to_date", "log_revenue_per_day"])
        let model = try #require(results.churnPrediction.cutoffs.first?.model)
        #expect(!model.droppedFeatures.contains("log_revenue_per_day"), "amounts vary, so the feature is kept")
    }

    @Test("shards that read only their own files of a log split by account merge into one run over all the files")
    func ownFiles() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let parts = try Self.split(try Self.log(in: folder), count: 3, in: folder)
        func dated(_ options: SegmentOptions) -> SegmentOptions {
            var options = options
            options.since = CivilDate(iso: "2026-01-05")
            options.asOf = CivilDate(iso: "2026-03-15")
            return options
        }
        let single = try Workbench.segment(dated(Self.options(parts, out: folder.appendingPathComponent("single"))))
        let shards = try (0..<3).map { i in
            var options = dated(
                Self.options([parts[i]], out: folder.appendingPathComponent("own-\(i)"), shard: "\(i)/3"))
            options.ownFiles = true
            return try Workbench.segment(options).directory
        }
        let merged = try Workbench.merge(shards, outDirectory: folder.appendingPathComponent("merged").path)
        try ShardTests.sameFiles(merged, single.directory)

        // A file read by two shards, a shard that read the whole log and shards of other dates are refused.
        let out = folder.appendingPathComponent("refused").path
        var twice = dated(
            Self.options([parts[0], parts[1]], out: folder.appendingPathComponent("twice"), shard: "1/3"))
        twice.ownFiles = true
        let twiceFolder = try Workbench.segment(twice).directory
        #expect(
            Self.refusal([shards[0], twiceFolder, shards[2]], out: out)?.contains(
                "part-0.csv is read by shard 0/3 and by shard 1/3") == true)
        let whole = try Workbench.segment(
            dated(Self.options(parts, out: folder.appendingPathComponent("whole-2"), shard: "2/3"))
        ).directory
        #expect(Self.refusal([shards[0], shards[1], whole], out: out)?.contains("other options") == true)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("own files that cover different days, or hold one account twice, are refused at the merge")
    func ownFilesRefusals() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let header = "user_id,account_id,event,timestamp\n"
        let a = folder.appendingPathComponent("a.csv").path
        let b = folder.appendingPathComponent("b.csv").path
        let c = folder.appendingPathComponent("c.csv").path
        try (header + "u1,acme,signed_up,2026-01-05T10:00:00Z\nu1,acme,session_started,2026-01-20T10:00:00Z\n")
            .write(toFile: a, atomically: true, encoding: .utf8)
        try (header + "u2,globex,signed_up,2026-01-06T10:00:00Z\nu2,globex,session_started,2026-01-12T10:00:00Z\n")
            .write(toFile: b, atomically: true, encoding: .utf8)
        try (header + "u3,acme,signed_up,2026-01-05T11:00:00Z\nu3,acme,session_started,2026-01-20T11:00:00Z\n")
            .write(toFile: c, atomically: true, encoding: .utf8)
        func shard(_ file: String, _ index: Int, _ name: String) throws -> String {
            var options = Self.options([file], out: folder.appendingPathComponent(name), shard: "\(index)/2")
            options.ownFiles = true
            return try Workbench.segment(options).directory
        }
        let out = folder.appendingPathComponent("refused").path
        let first = try shard(a, 0, "a")
        #expect(
            Self.refusal([first, try shard(b, 1, "b")], out: out)?.contains(
                "covers 2026-01-06 to 2026-01-12") == true)
        #expect(Self.refusal([first, try shard(c, 1, "c")], out: out)?.contains("account acme is in") == true)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("the shard of an account does not depend on anything but its id and the number of shards")
    func accountHash() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the FNV authors' test vectors).
        #expect(ShardIndex.fnv1a("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(ShardIndex.fnv1a("".utf8) == 0xcbf2_9ce4_8422_2325)
        let ids = (0..<1_000).map { "a\($0)" }
        for n in [1, 2, 7] {
            let shards = (0..<n).map { ShardIndex("\($0)/\(n)")! }
            for id in ids { #expect(shards.filter { $0.keeps(account: id) }.count == 1) }
        }
    }
}
