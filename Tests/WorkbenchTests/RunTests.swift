import Foundation
import Reports
import Simulation
import Testing
import Workbench

#if canImport(Glibc)
    import Glibc
#endif

/// Paths relative to the package root, wherever the tests run from.
enum Repository {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// A fresh empty folder under the system's temporary directory.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("segmentlab-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The `results.json` in an output folder, decoded.
    static func results(in folder: String) throws -> ResultsFile.Contents {
        try ResultsFile.decode(try Data(contentsOf: URL(fileURLWithPath: folder + "/results.json")))
    }

    /// The command line built next to the tests (`swift build --build-tests` builds it too).
    static var segmentlab: URL {
        let products =
            Bundle.allBundles.map(\.bundleURL).first { $0.pathExtension == "xctest" }?
            .deletingLastPathComponent() ?? root.appendingPathComponent(".build/debug")
        return products.appendingPathComponent("segmentlab")
    }

    /// Runs the command line in `folder` (the repository by default); after `seconds` it is killed,
    /// so a hang fails the test that started it instead of stalling the suite.
    static func runCLI(_ arguments: [String], in folder: URL? = nil, seconds: Double = 600) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = segmentlab
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? root
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: .now() + seconds)
        timer.setEventHandler { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        timer.resume()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return (
            process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }
}

@Suite("Running a scenario")
struct RunTests {
    /// The reduced end-to-end check that a run still produces what it did: the default scenario at
    /// 3 000 users and 90 days, campaigns and counterfactual included, against every file of the
    /// committed run in `Tests/Fixtures/reduced-run` (`make reports` writes it).
    @Test("results.json is byte-identical at one and two threads, and to the committed reduced run")
    func deterministicAcrossThreads() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/saas-default.yaml"))
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var outputs: [Data] = []
        var pages: [String] = []
        for threads in [1, 2] {
            let out = folder.appendingPathComponent("t\(threads)").path
            let outcome = try Workbench.run(
                scenario, options: RunOptions(users: 3_000, days: 90, threads: threads, outDirectory: out))
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: outcome.directory + "/results.json")))
            let report = try String(contentsOfFile: outcome.directory + "/report.md", encoding: .utf8)
            #expect(report.contains("# \(scenario.name)"))
            pages.append(report + (try String(contentsOfFile: outcome.directory + "/report.html", encoding: .utf8)))
        }
        #expect(outputs[0] == outputs[1])
        // The reports too are the same bytes at any thread count.
        #expect(pages[0] == pages[1])
        guard case .run(let results) = try ResultsFile.decode(outputs[0]) else {
            Issue.record("results.json of a run decodes as another command's")
            return
        }
        #expect(results.schemaVersion == ResultsFile.schemaVersion)
        #expect(results.days.count == 90)
        #expect(results.days.map(\.day) == Array(0..<90))
        #expect(results.summary.signups == results.days.reduce(0) { $0 + $1.signups })
        #expect(results.summary.churned == results.days.reduce(0) { $0 + $1.churned })
        // Nothing is left behind but the two run folders.
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["t1", "t2"])

        let fixture = Repository.path("Tests/Fixtures/reduced-run")
        let fresh = folder.appendingPathComponent("t1").path
        let files = try GalleryTests.files(in: fresh)
        #expect(files == (try GalleryTests.files(in: fixture)), "run `make reports` after changing what a run writes")
        for file in files {
            let a = try Data(contentsOf: URL(fileURLWithPath: fresh + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: fixture + "/" + file))
            #expect(a == b, "\(file) differs from Tests/Fixtures/reduced-run: run `make reports`")
        }
    }

    @Test("a different seed gives a different run")
    func seedMatters() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/saas-default.yaml"))
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try Workbench.run(
            scenario, options: RunOptions(seed: 1, users: 2_000, days: 30, outDirectory: folder.path + "/a"))
        let b = try Workbench.run(
            scenario, options: RunOptions(seed: 2, users: 2_000, days: 30, outDirectory: folder.path + "/b"))
        #expect(a.metrics != b.metrics)
    }

    @Test("a run too big for the machine's memory is refused before it starts")
    func memoryRefusal() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/saas-default.yaml"))
        #expect {
            _ = try Workbench.prepare(
                scenario, options: RunOptions(users: RunOptions.maxUsers, days: RunOptions.maxDays),
                writesEventLog: false)
        } throws: { error in
            guard case RunError.badInput(let message) = error else { return false }
            return message.contains("of memory") && message.contains("available")
        }
    }

    @Test("out-of-range overrides are bad input, listed together")
    func badOverrides() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/saas-default.yaml"))
        #expect {
            _ = try Workbench.prepare(
                scenario, options: RunOptions(users: 0, days: 5000, threads: 0), writesEventLog: false)
        } throws: { error in
            guard case RunError.badInput(let message) = error else { return false }
            return message.contains("--users") && message.contains("--days") && message.contains("--threads")
        }
    }
}

@Suite("Command line")
struct CommandLineTests {
    @Test("a bad scenario gets every problem at its place, exit status 2 and no output")
    func badScenario() throws {
        let folder = try Repository.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.yaml")
        var text = try String(contentsOfFile: Repository.path("scenarios/saas-default.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "days: 365", with: "days: -3")
        text = text.replacingOccurrences(of: "trial_days:", with: "trail_days:")
        try text.write(to: bad, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out").path
        for command in [["validate", bad.path], ["run", bad.path, "--out", out]] {
            let result = try Repository.runCLI(command)
            #expect(result.status == 2)
            #expect(result.stderr.contains("days: must be"))
            #expect(result.stderr.contains("did you mean 'trial_days'?"))
            #expect(!result.stderr.contains("Fatal error"))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["bad.yaml"])
    }

    @Test("validate accepts the default scenario")
    func validateDefault() throws {
        let result = try Repository.runCLI(["validate", "scenarios/saas-default.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("valid"))
    }
}
