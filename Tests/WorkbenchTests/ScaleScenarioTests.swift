import Analysis
import Foundation
import Reports
import Simulation
import Testing

@testable import Workbench

/// `Benchmarks/scale.yaml` is run whole by `make bench` only; here it must load at its size and run,
/// with its campaigns, at a reduced one.
@Suite("The scale scenario")
struct ScaleScenarioTests {
    @Test("loads with 5 M users over a year and runs at 2 000 users")
    func reducedRun() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("Benchmarks/scale.yaml"))
        #expect(scenario.spec.users == 5_000_000 && scenario.spec.days == 365 && scenario.spec.signupDays == 300)
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Workbench.run(
            scenario,
            options: RunOptions(users: 2_000, threads: 2, outDirectory: folder.appendingPathComponent("run").path))
        guard case .run(let results) = try Repository.results(in: run.directory) else {
            Issue.record("not a run's results")
            return
        }
        #expect(results.population.users == 2_000 && results.scenario.days == 365)
        // Everyone signs up in the first 300 days, and, unlike the default scenario, well after its 120.
        #expect(results.days.map(\.signups).reduce(0, +) == 2_000)
        #expect(results.days[300...].allSatisfy { $0.signups == 0 })
        #expect(results.days[200..<300].contains { $0.signups > 0 })
        #expect(results.experiment?.comparisons.count == 1)  // both campaigns in one arm against the holdout
    }
}
