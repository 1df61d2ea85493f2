import Analysis
import EventImport
import Foundation
import Reports
import Simulation
import Testing
import UsageModel

@testable import Workbench

@Suite("An experiment measured on its event log")
struct LogExperimentTests {
    static let scenario = Repository.path("scenarios/declining-usage.yaml")
    static let taxonomy = Repository.path("scenarios/example-taxonomy.yaml")
    static let users = 2_000
    static let days = 150

    /// The scenario's log and exposure table in `folder`, faithful or with `lostEvents` of its events lost.
    static func simulate(in folder: URL, name: String, lostEvents: Double?) throws -> (log: String, table: String) {
        var scenario = try ScenarioLoader.load(contentsOf: scenario)
        if let lostEvents { scenario.spec.dataQuality.lostEvents = lostEvents }
        let log = folder.appendingPathComponent("\(name).csv").path
        let table = folder.appendingPathComponent("\(name)-assignments.csv").path
        _ = try Workbench.simulate(
            scenario, options: RunOptions(users: users, days: days),
            outputs: SimulateOutputs(events: log, assignments: table, faithful: lostEvents == nil))
        return (log, table)
    }

    static func measure(_ files: (log: String, table: String), out: URL) throws -> LogExperimentResults {
        let outcome = try Workbench.evaluate(
            EvaluateOptions(
                log: SegmentOptions(events: [files.log], taxonomy: taxonomy, outDirectory: out.path),
                cutoff: CivilDate(year: 2026, month: 4, day: 1)!, assignments: files.table, outcomeDays: 60))
        guard case .evaluate(let results) = try Repository.results(in: outcome.directory), let e = results.experiment
        else {
            Issue.record("no experiment in the results of evaluate")
            throw CancellationError()
        }
        return e
    }

    @Test("a faithful log and its exposure table give the run's retention counts and lift; lost events lower them")
    func faithfulAndFaulty() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try ScenarioLoader.load(contentsOf: Self.scenario)
        let run = try Workbench.run(
            scenario,
            options: RunOptions(
                users: Self.users, days: Self.days, outDirectory: folder.appendingPathComponent("run").path))
        guard case .run(let results) = try Repository.results(in: run.directory),
            let primary = results.experiment?.comparisons.first?.metrics.first(where: { $0.role == "primary" })
        else {
            Issue.record("the run has no primary metric")
            return
        }
        #expect(primary.metric == "retention_day_60")

        let faithful = try Self.measure(
            Self.simulate(in: folder, name: "faithful", lostEvents: nil), out: folder.appendingPathComponent("e1"))
        let c = try #require(faithful.comparisons.first)
        #expect(faithful.comparisons.count == 1 && c.name == "sequence" && c.control.name == "holdout")
        // The same users, the same days: the log reproduces the run's counts and its statistics exactly.
        #expect(c.treatment.users == primary.treatment.users && c.treatment.retained == primary.treatment.successes)
        #expect(c.control.users == primary.control.users && c.control.retained == primary.control.successes)
        #expect(c.difference == primary.absoluteLift && c.lower == primary.lower && c.upper == primary.upper)
        #expect(c.pValue == primary.pValue)
        #expect(c.absentFromLog == 0)
        #expect(c.treatment.users > 300 && c.notYetObserved > 0)

        // Lost events only ever remove sessions: nobody becomes retained, some stop looking retained.
        let faulty = try #require(
            try Self.measure(
                Self.simulate(in: folder, name: "faulty", lostEvents: 0.5), out: folder.appendingPathComponent("e2")
            ).comparisons.first)
        #expect(faulty.treatment.users == c.treatment.users && faulty.control.users == c.control.users)
        #expect(faulty.treatment.retained < c.treatment.retained && faulty.control.retained < c.control.retained)
    }

    @Test("a broken exposure table is refused at its lines, before the log is read")
    func brokenTable() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("t.csv").path
        try """
        comparison,user_id,account_id,arm,index_date
        email,u1,a1,email,2026-01-10
        email,u2,a1,holdout,2026-13-01
        email,u1,a1,email,2026-01-11
        push,u3,a2,push,2026-01-10
        push,u4,a2,holdout,2026-01-10
        push,u5,a3,other,2026-01-10

        """.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try ExposureTable(path: path)
        } throws: { error in
            "\(error)".contains("\(path):3: index_date '2026-13-01' is not a date YYYY-MM-DD")
                && "\(error)".contains("\(path):4: 'u1' is already in comparison 'email' (line 2)")
                && "\(error)".contains("comparison 'push' has the arms 'push', 'holdout', 'other'")
        }
        let missing = folder.appendingPathComponent("m.csv").path
        try "comparison,user_id,arm,index_date\nemail,u1,email,2026-01-10\n".write(
            toFile: missing, atomically: true, encoding: .utf8)
        #expect(throws: EventImportError.missingColumn(path: missing, line: 1, column: "account_id")) {
            _ = try ExposureTable(path: missing)
        }
    }
}
