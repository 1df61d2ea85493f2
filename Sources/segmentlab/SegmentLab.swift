public import ArgumentParser
import EventImport
import Foundation
public import Segmentation
public import UsageModel
public import Workbench
import YAMLInput

/// Exit statuses: 0 done, 1 failed while running, 2 bad input (invariant 5).
@main
struct SegmentLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segmentlab",
        abstract: "Simulate product-usage populations to test segments and retention campaigns before launch.",
        subcommands: [
            Validate.self, Run.self, Merge.self, Simulate.self, Segment.self, Evaluate.self, Fit.self, Twin.self,
            Recover.self, SQL.self, Report.self, Compare.self, Sweep.self,
        ]
    )

    static func main() {
        Terminal.installInterruptHandlers()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as any ExitStatusError {
            if error.isPlaced {
                Terminal.error(error.description)
                Foundation.exit(error.exitStatus)
            }
            fail(error.description, status: error.exitStatus)
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
        Terminal.error("segmentlab: " + message)
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

    // Ranges are checked with the scenario, in one place (`Workbench.prepare`).

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
        abstract: "Simulate a scenario and write its report (report.html, report.md), results.json and CSV tables.")

    @OptionGroup var options: SimulationOptions

    @Option(help: "Output folder (default: reports/<scenario>/<run-id>/).")
    var out: String?

    @Option(help: "Run the experiment with this many seeds (seed, seed + 1, ...) for power and coverage.")
    var replicates: Int = 1

    @Option(
        help: ArgumentHelp(
            "Simulate only shard I of N (from 0): a block of whole accounts and every Nth replicate; "
                + "combine all N with `segmentlab merge`.", valueName: "I/N"))
    var shard: ShardIndex?

    func run() throws {
        let text = try YAMLInput.read(options.scenario, noun: "scenario file")
        let scenario = try ScenarioLoader.parse(yaml: text, file: options.scenario)
        let started = Date()
        var runOptions = options.runOptions(out: out)
        runOptions.replicates = replicates
        runOptions.shard = shard
        if shard != nil {
            let folder = try Workbench.runShard(
                scenario, scenarioFile: options.scenario, scenarioText: text, options: runOptions)
            print("shard: \(folder)/shard.json")
            return
        }
        let outcome = try Workbench.run(scenario, options: runOptions)
        let seconds = Date().timeIntervalSince(started)
        print("results: \(outcome.directory)/results.json")
        print("markdown: \(outcome.directory)/report.md")
        print("report: \(outcome.directory)/report.html")
        FileHandle.standardError.write(Data("simulated in \(String(format: "%.1f", seconds)) s\n".utf8))
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Combine the folders of every shard of a run or log (run, segment or evaluate --shard I/N) into the "
            + "outputs of the whole run.")

    @Argument(help: "The folders the shards wrote, in any order.")
    var shards: [String]

    @Option(help: "Output folder (default: reports/<scenario>/<run-id>/).")
    var out: String?

    @Option(help: "Worker threads; results are identical for any number.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let directory = try Workbench.merge(shards, outDirectory: out, threads: threads)
        print("results: \(directory)/results.json")
        print("report: \(directory)/report.html")
    }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Simulate a scenario (with its campaigns) and stream its event log (CSV or JSONL), with data-quality "
            + "faults applied, and the experiment's exposures.")

    @OptionGroup var options: SimulationOptions

    @Option(name: .customLong("events-out"), help: "Event log to write: a .csv, .jsonl or .ndjson file.")
    var eventsOut: String

    @Option(
        name: .customLong("assignments-out"),
        help: "With an experiment: its exposure table to write (CSV: comparison, user, account, arm, index date).")
    var assignmentsOut: String?

    @Flag(help: "Leave out the scenario's data_quality faults: the log as it would be with perfect tracking.")
    var faithful = false

    func run() throws {
        let scenario = try ScenarioLoader.load(contentsOf: options.scenario)
        let stats = try Workbench.simulate(
            scenario, options: options.runOptions(),
            outputs: SimulateOutputs(events: eventsOut, assignments: assignmentsOut, faithful: faithful))
        print("events: \(eventsOut)")
        if let assignmentsOut { print("assignments: \(assignmentsOut)") }
        print(Workbench.describe(stats))
    }
}

/// Options shared by the commands that read a real event log.
struct LogOptions: ParsableArguments {
    @Option(name: .customLong("events"), help: "Event log (.csv, .jsonl, .ndjson); repeat for several files.")
    var events: [String] = []

    @Option(help: "Taxonomy file (YAML): which events are sessions, key actions, features, milestones.")
    var taxonomy: String

    @Option(help: "Segments file (YAML); default: the default segments of docs/segments.md.")
    var segments: String?

    @Option(help: "Alias table (CSV alias,user_id) merging duplicate identities.")
    var aliases: String?

    @Option(help: "User to account table (CSV user_id,account_id).")
    var accounts: String?

    @Option(help: "First day to read (YYYY-MM-DD, UTC); earlier events still date sign-ups and milestones.")
    var since: CivilDate?

    @Option(help: "Evaluate every day or week (default: the segments file's, else week).")
    var every: EvaluationInterval?

    @Flag(help: "Stop at the first malformed line.")
    var strict = false

    @Option(help: "Worker threads; results are identical for any number.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Output folder (default: reports/<log name>/<run-id>/).")
    var out: String?

    @Option(
        help: ArgumentHelp(
            "Import only shard I of N (from 0): the accounts whose id hashes to I; combine all N with "
                + "`segmentlab merge`.", valueName: "I/N"))
    var shard: ShardIndex?

    @Flag(help: "With --shard: the files are this shard's part of a log split by account; keep everyone in them.")
    var ownFiles = false

    func validate() throws {
        if events.isEmpty { throw ValidationError("give at least one --events FILE") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if ownFiles && shard == nil { throw ValidationError("--own-files: give --shard I/N too") }
    }

    func segmentOptions(asOf: CivilDate? = nil, once: Bool = false) -> SegmentOptions {
        SegmentOptions(
            events: events, taxonomy: taxonomy, segments: segments, aliases: aliases, accounts: accounts,
            since: since, asOf: asOf, once: once, every: every,
            strict: strict, threads: threads, outDirectory: out, progress: true, shard: shard, ownFiles: ownFiles)
    }
}

struct Segment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Segment a real event log: memberships.csv, segment sizes per evaluation, results.json, report.md.")

    @OptionGroup var log: LogOptions

    @Option(
        name: .customLong("as-of"),
        help: "Last day to segment (YYYY-MM-DD, UTC); an evaluation falls on it, the others every interval before.")
    var asOf: CivilDate?

    @Flag(help: "Evaluate once, on the last day (--as-of, or the log's last day): who is in which segment that day.")
    var once = false

    @Option(
        help: ArgumentHelp(
            "Also load the memberships into a PostgreSQL table through psql (a connection URI, postgres://…); "
                + "it refuses a table that already holds memberships of the log's days.", valueName: "URI"))
    var to: String?

    @Option(name: .customLong("to-table"), help: "The table --to loads (created when missing).")
    var toTable = "segment_memberships"

    func run() throws {
        var options = log.segmentOptions(asOf: asOf, once: once)
        options.to = to
        options.toTable = toTable
        let outcome = try Workbench.segment(options)
        Terminal.error(outcome.summary.description)
        if log.shard != nil {
            print("shard: \(outcome.directory)/shard.json")
            return
        }
        print("memberships: \(outcome.directory)/memberships.csv")
        print("report: \(outcome.directory)/report.html")
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Split a real event log at a cutoff: segments and churn predictions from before it, outcomes after it.")

    @OptionGroup var log: LogOptions

    @Option(help: "Last day whose events build the windows (YYYY-MM-DD, UTC).")
    var cutoff: CivilDate

    @Option(help: "Days after the cutoff in which outcomes are observed; a user with no key action in them churned.")
    var horizon: Int = 28

    @Option(
        help: ArgumentHelp(
            "Do not score the users in this segment on the cutoff (repeat for several); by default everyone "
                + "signed up by the cutoff is scored.", valueName: "SEGMENT"))
    var exclude: [String] = []

    @Option(
        help: ArgumentHelp(
            "An experiment's exposure table (CSV: comparison, user_id, account_id, arm, index_date, as "
                + "`simulate --assignments-out` writes): measure each comparison's retention on the log.",
            valueName: "FILE"))
    var assignments: String?

    @Option(help: "With --assignments: retention is a session in the 7 days ending this many days after the index day.")
    var outcomeDays: Int = 30

    @Flag(
        name: .customLong("hmm"),
        help: ArgumentHelp(
            "Add a hidden Markov model of the users' days (3 live states, 2 personas) to the churn predictors: "
                + "its forecast from each user's filtered state on the cutoff day (docs/fitting.md)."))
    var hiddenMarkov = false

    func validate() throws {
        if !(1...365).contains(horizon) { throw ValidationError("--horizon: must be in 1...365, got \(horizon)") }
        if !(1...365).contains(outcomeDays) {
            throw ValidationError("--outcome-days: must be in 1...365, got \(outcomeDays)")
        }
    }

    func run() throws {
        let outcome = try Workbench.evaluate(
            EvaluateOptions(
                log: log.segmentOptions(), cutoff: cutoff, horizon: horizon, exclude: exclude,
                assignments: assignments, outcomeDays: outcomeDays, hiddenMarkov: hiddenMarkov))
        Terminal.error(outcome.summary.description)
        if log.shard != nil {
            print("shard: \(outcome.directory)/shard.json")
            return
        }
        print("predictions: \(outcome.directory)/predictions.csv")
        print("report: \(outcome.directory)/report.html")
    }
}

struct SQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one SQL query that computes the segments and tags in a warehouse, as `segment` does.")

    @Option(help: "Taxonomy file (YAML): what the events in the table mean.")
    var taxonomy: String

    @Option(help: "Segments file (YAML); default: the default segments of docs/segments.md.")
    var segments: String?

    @Option(help: "postgres, duckdb or clickhouse.")
    var dialect: SQLDialect

    @Option(
        name: .customLong("as-of"),
        help: "Evaluate once, on this day (YYYY-MM-DD, UTC), as `segment --as-of DATE --once`.")
    var asOf: CivilDate?

    @Option(help: "Evaluate every day or week from the first day (default: the segments file's, else week).")
    var every: EvaluationInterval?

    @Option(help: "First day (YYYY-MM-DD, UTC); earlier events still date sign-ups and milestones.")
    var since: CivilDate?

    @Option(
        name: .customLong("events-table"), help: "The events table (user_id, account_id, event, timestamp, properties)."
    )
    var eventsTable = "events"

    @Option(name: .customLong("aliases-table"), help: "A table (alias, user_id) merging duplicate identities.")
    var aliasesTable: String?

    @Option(name: .customLong("accounts-table"), help: "A table (user_id, account_id) overriding the events' accounts.")
    var accountsTable: String?

    func run() throws {
        print(
            try Workbench.sql(
                SQLOptions(
                    taxonomy: taxonomy, segments: segments, dialect: dialect, asOf: asOf, since: since, every: every,
                    eventsTable: eventsTable, aliasesTable: aliasesTable, accountsTable: accountsTable)),
            terminator: "")
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Render the report of a results.json (or twin.json) again (after an upgrade, say) without re-running "
            + "anything.")

    @Argument(help: "The results.json written by run, segment or evaluate, or the twin.json written by twin.")
    var results: String

    @Option(help: "Folder for the report (new or empty; default: reports/<name>/<UTC time>).")
    var out: String?

    func run() throws {
        let directory = try Workbench.report(results: results, outDirectory: out)
        print("report: \(directory)/report.html")
    }
}

// Dates and intervals are parsed once, where the option is declared.
extension CivilDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
}

extension EvaluationInterval: ExpressibleByArgument {}

extension SQLDialect: ExpressibleByArgument {}

extension ShardIndex: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
