import EventImport
import Foundation
import Segmentation
import Simulation
import Stats
import Testing
import UsageModel
import Workbench

@Suite("One engine for simulated and real data")
struct SimulatedVersusImportedTests {
    /// Invariant 3: segmenting a run in memory and segmenting its exported event log (faults off)
    /// must give every user the same segment at every evaluation.
    /// The expansion scenario's free plan caps key actions and reports and lacks two features, and its
    /// segments and tags read the cap and premium-attempt metrics, which the log carries as `cap_reached` and
    /// `premium_attempted` events.
    @Test(
        "memberships from the day loop equal those from the exported log read back",
        arguments: [
            (EventLogFormat.csv, "saas-default"), (.jsonl, "saas-default"), (.csv, "expansion"), (.jsonl, "expansion"),
        ])
    func sameMemberships(format: EventLogFormat, scenarioName: String) throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/\(scenarioName).yaml"))
        var spec = scenario.spec
        spec.users = 1_500
        spec.days = 70
        spec.signupDays = 40
        spec.dataQuality = .none
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.\(format.rawValue)").path

        let simulator = try Simulator(spec: spec, threads: 2)
        let inMemory = SegmentationEngine(scenario.segmentation, threads: 2)
        let writer = try EventLogWriter(path: path, format: format, seed: spec.seed, dataQuality: .none)
        _ = try simulator.run(observers: [inMemory, writer])

        let model = spec.model
        let taxonomy = Taxonomy.simulator(
            features: model.features, milestones: model.milestones.map(\.name), plans: model.commerce.plans.map(\.name),
            planPriceCents: model.commerce.plans.map(\.monthlyPriceCents))
        let log = try EventLogImporter(
            files: [path], taxonomy: taxonomy, startDate: spec.startDate,
            asOf: spec.startDate.adding(days: spec.days - 1)
        ).load()
        #expect(log.summary.skippedTotal == 0)
        let imported = SegmentationEngine(scenario.segmentation, threads: 1)
        try log.replay(observers: [imported])

        #expect(imported.evaluations.count == inMemory.evaluations.count)
        #expect(inMemory.evaluations.count == 10)
        var importedIndex: [String: Int] = [:]
        for (i, id) in log.population.userIDs.enumerated() { importedIndex[id] = i }
        var compared = 0
        for e in 0..<inMemory.evaluations.count {
            for u in 0..<spec.users {
                let expected = inMemory.segmentName(user: u, evaluation: e)
                let id = PopulationDirectory.userID(u)
                let actual = importedIndex[id].flatMap { imported.segmentName(user: $0, evaluation: e) }
                #expect(actual == expected, "user \(id) at evaluation \(e)")
                if expected != nil { compared += 1 }
            }
            #expect(imported.evaluations[e].sizes == inMemory.evaluations[e].sizes)
            #expect(imported.evaluations[e].tagCounts == inMemory.evaluations[e].tagCounts)
        }
        #expect(compared > 5_000)
        if scenarioName == "expansion" {
            // The caps bite: candidates, cap hitters and premium triers at the last evaluation.
            let last = inMemory.evaluations[inMemory.evaluations.count - 1]
            let tags = scenario.segmentation.spec.tags.map(\.name)
            for name in ["cap_hitter", "premium_trier", "automations_trier"] {
                #expect(last.tagCounts[tags.firstIndex(of: name)!] > 10, "\(name)")
            }
            let candidates = (0..<spec.users).filter {
                inMemory.segmentName(user: $0, evaluation: inMemory.evaluations.count - 1) == "expansion_candidate"
            }
            #expect(candidates.count > 20)
        }
    }

    /// The importer's cells are placed by what pass 1 saw, never by the order of lines: a simulated log (its
    /// faults on: late events, second identities) shuffled gives byte-identical memberships, here at 1
    /// thread for the log in order and 2 for the shuffled one.
    @Test("a log whose lines are in random order gives the same memberships")
    func shuffledLog() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/saas-default.yaml"))
        var spec = scenario.spec
        spec.users = 300
        spec.days = 50
        spec.signupDays = 20
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ordered = folder.appendingPathComponent("ordered.csv").path
        let writer = try EventLogWriter(path: ordered, format: .csv, seed: spec.seed, dataQuality: spec.dataQuality)
        _ = try Simulator(spec: spec, threads: 2).run(observers: [writer])

        var lines = try String(contentsOfFile: ordered, encoding: .utf8).split(separator: "\n")
        let header = lines.removeFirst()
        var rng = SplitMix64(seed: 11)
        lines.shuffle(using: &rng)
        let shuffled = folder.appendingPathComponent("shuffled.csv").path
        try ([header] + lines).joined(separator: "\n").appending("\n").write(
            toFile: shuffled, atomically: false, encoding: .utf8)

        func segment(_ path: String, threads: Int, into name: String) throws -> (String, String) {
            let out = folder.appendingPathComponent(name).path
            _ = try Workbench.segment(
                SegmentOptions(
                    events: [path], taxonomy: Repository.path("scenarios/example-taxonomy.yaml"), threads: threads,
                    outDirectory: out))
            return (
                try String(contentsOfFile: out + "/memberships.csv", encoding: .utf8),
                try String(contentsOfFile: out + "/segments.csv", encoding: .utf8)
            )
        }
        let (orderedMemberships, orderedSizes) = try segment(ordered, threads: 1, into: "a")
        let (shuffledMemberships, shuffledSizes) = try segment(shuffled, threads: 2, into: "b")
        #expect(orderedMemberships.split(separator: "\n").count > 1_500)
        #expect(shuffledMemberships == orderedMemberships)
        #expect(shuffledSizes == orderedSizes)
    }
}
