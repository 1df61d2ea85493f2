import Analysis
import Foundation
import Reports
import Testing
import UsageModel
import YAMLInput

@testable import Workbench

@Suite("Shards of a run")
struct ShardTests {
    /// Runs every shard of a run into `folder/shard-I` (shard I at `threads(I)` threads) and
    /// returns the folders.
    static func shards(
        _ scenarioPath: String, count: Int, options: RunOptions, in folder: URL, threads: (Int) -> Int = { _ in 1 }
    ) throws -> [String] {
        let text = try YAMLInput.read(scenarioPath, noun: "scenario file")
        let scenario = try ScenarioLoader.parse(yaml: text, file: scenarioPath)
        return try (0..<count).map { i in
            var shard = options
            shard.shard = ShardIndex("\(i)/\(count)")
            shard.threads = threads(i)
            shard.outDirectory = folder.appendingPathComponent("shard-\(i)").path
            return try Workbench.runShard(scenario, scenarioFile: scenarioPath, scenarioText: text, options: shard)
        }
    }

    static func sameFiles(_ a: String, _ b: String) throws {
        let files = try GalleryTests.files(in: a)
        #expect(files == (try GalleryTests.files(in: b)))
        for file in files {
            let x = try Data(contentsOf: URL(fileURLWithPath: a + "/" + file))
            let y = try Data(contentsOf: URL(fileURLWithPath: b + "/" + file))
            #expect(x == y, "\(file) differs")
        }
    }

    @Test("four shards at one and two threads, with campaigns and replicates, merge into the bytes of one run")
    func mergeEqualsOneRun() throws {
        let path = Repository.path("scenarios/reengagement.yaml")
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = RunOptions(users: 2_500, days: 100, replicates: 3)
        let shards = try Self.shards(path, count: 4, options: options, in: folder) { $0 % 2 + 1 }
        let merged = try Workbench.merge(
            shards.reversed(), outDirectory: folder.appendingPathComponent("merged").path, threads: 2)
        var single = options
        single.threads = 2
        single.outDirectory = folder.appendingPathComponent("single").path
        let one = try Workbench.run(try ScenarioLoader.load(contentsOf: path), options: single)
        try Self.sameFiles(merged, one.directory)
        guard
            case .run(let results) = try ResultsFile.decode(
                Data(contentsOf: URL(fileURLWithPath: merged + "/results.json"))),
            let replicates = results.replicates
        else {
            Issue.record("the merged run has no replicates")
            return
        }
        #expect(replicates.seeds.count == 3)
    }

    @Test("the reduced default run in three shards merges into the committed reduced run")
    func mergeEqualsFixture() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let shards = try Self.shards(
            Repository.path("scenarios/saas-default.yaml"), count: 3, options: RunOptions(users: 3_000, days: 90),
            in: folder)
        let merged = try Workbench.merge(shards, outDirectory: folder.appendingPathComponent("merged").path)
        try Self.sameFiles(merged, Repository.path("Tests/Fixtures/reduced-run"))
    }

    @Test("merge refuses a missing, a repeated and a foreign shard and a folder without one, and writes nothing")
    func refusals() throws {
        let path = Repository.path("scenarios/saas-default.yaml")
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = RunOptions(users: 600, days: 30)
        let shards = try Self.shards(path, count: 3, options: options, in: folder)
        var other = options
        other.seed = 99
        let foreign = try Self.shards(path, count: 3, options: other, in: folder.appendingPathComponent("other"))
        let out = folder.appendingPathComponent("out").path
        func refusal(_ folders: [String]) -> String? { LogShardTests.refusal(folders, out: out) }
        #expect(refusal([shards[0], shards[2]])?.contains("shards missing: 1/3") == true)
        #expect(refusal(shards + [shards[1]])?.contains("shard 1/3 is given twice") == true)
        #expect(refusal([shards[0], shards[1], foreign[2]])?.contains("seed 99") == true)
        #expect(refusal(shards + [folder.path])?.contains("no shard.json") == true)
        #expect(!FileManager.default.fileExists(atPath: out))
        // The shard index is checked where it is read.
        #expect(ShardIndex("3/3") == nil && ShardIndex("-1/2") == nil && ShardIndex("1/0") == nil)
        #expect(ShardIndex("2/3") != nil)
    }
}
