import ArgumentParser
import Foundation
import Workbench

/// Exit statuses: 0 done, 1 failed while running, 2 bad input (invariant 5).
@main
struct SegmentLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segmentlab",
        abstract: "Simulate product-usage populations to test segments and retention campaigns before launch.",
        subcommands: [Validate.self, Run.self, Simulate.self]
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ScenarioError {
            // Each line already starts with the file and position, like a compiler's.
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            Foundation.exit(2)
        } catch let error as RunError {
            switch error {
            case .badInput(let message): fail(message, status: 2)
            case .failed(let message): fail(message, status: 1)
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            // Usage errors (unknown option, bad value) are bad input too.
            if code == .validationFailure {
                fail(fullMessage(for: error), status: 2)
            }
            fail(String(describing: error), status: 1)
        }
    }

    static func fail(_ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data(("segmentlab: " + message + "\n").utf8))
        Foundation.exit(status)
    }
}

/// Options shared by the commands that simulate.
struct SimulationOptions: ParsableArguments {
    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @Option(help: "Seed of the run (default: the scenario's).")
    var seed: UInt64?

    @Option(help: "Number of users (default: the scenario's population.users).")
    var users: Int?

    @Option(help: "Number of simulated days (default: the scenario's days).")
    var days: Int?

    @Option(help: "Worker threads; results are identical for any number.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if let users, users < 1 { throw ValidationError("--users must be at least 1") }
        if let days, days < 1 { throw ValidationError("--days must be at least 1") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func runOptions(out: String? = nil) -> RunOptions {
        RunOptions(seed: seed, users: users, days: days, threads: threads, outDirectory: out, progress: true)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scenario and list every problem at its place.")

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    func run() throws {
        let loaded = try ScenarioLoader.load(contentsOf: scenario)
        print("\(scenario): valid — \(loaded.overview)")
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a scenario and write results.json and report.md.")

    @OptionGroup var options: SimulationOptions

    @Option(help: "Output folder (default: reports/<scenario>/<run-id>/).")
    var out: String?

    func run() throws {
        let scenario = try ScenarioLoader.load(contentsOf: options.scenario)
        let started = Date()
        let outcome = try Workbench.run(scenario, options: options.runOptions(out: out))
        let seconds = Date().timeIntervalSince(started)
        print("report: \(outcome.directory)/report.md")
        print("results: \(outcome.directory)/results.json")
        FileHandle.standardError.write(Data("simulated in \(String(format: "%.1f", seconds)) s\n".utf8))
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate a scenario and stream its event log (CSV or JSONL), with data-quality faults applied.")

    @OptionGroup var options: SimulationOptions

    @Option(name: .customLong("events-out"), help: "Event log to write: a .csv, .jsonl or .ndjson file.")
    var eventsOut: String

    func run() throws {
        let scenario = try ScenarioLoader.load(contentsOf: options.scenario)
        let stats = try Workbench.simulate(scenario, options: options.runOptions(), eventsOut: eventsOut)
        print("events: \(eventsOut)")
        print(Workbench.describe(stats))
    }
}
