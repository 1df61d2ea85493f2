import ArgumentParser
import EventImport
import Foundation
import UsageModel
import Workbench

struct Twin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Set a real event log beside its twin (a fitted scenario simulated over the same days): segment sizes, "
            + "transitions, retention, DAU/WAU/MAU, feature adoption, milestones and time to value, with intervals "
            + "and the goodness of fit of each figure.",
        discussion:
            "Writes twin.json, report.html and report.md into a new folder (--out). Both populations are measured by "
            + "the same observers; the twin's log is the simulator's observed usage, as a faithful event log holds "
            + "it. See docs/fitting.md.")

    @Option(name: .customLong("events"), help: "Event log (.csv, .jsonl, .ndjson); repeat for several files.")
    var events: [String] = []

    @Option(help: "Taxonomy file (YAML): which events are sessions, key actions, features, milestones, billing.")
    var taxonomy: String

    @Option(help: "Segments file (YAML); default: the default segments of docs/segments.md.")
    var segments: String?

    @Option(help: "Alias table (CSV alias,user_id) merging duplicate identities.")
    var aliases: String?

    @Option(help: "User to account table (CSV user_id,account_id).")
    var accounts: String?

    @Option(help: "Worker threads; the results are identical for any number.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("The twin: a scenario, as segmentlab fit writes it for this log.", valueName: "FILE"))
    var scenario: String

    @Option(help: ArgumentHelp("The report's folder (new, empty, or an earlier report's).", valueName: "DIR"))
    var out: String

    func validate() throws {
        if events.isEmpty { throw ValidationError("give at least one --events FILE") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let outcome = try Workbench.twin(
            TwinOptions(
                log: SegmentOptions(
                    events: events, taxonomy: taxonomy, segments: segments, aliases: aliases, accounts: accounts,
                    threads: threads, outDirectory: out, progress: true),
                scenario: scenario))
        Terminal.error(outcome.summary.description)
        for f in outcome.figures {
            print(
                "\(f.title): \(f.agreeing) of \(f.compared) points agree"
                    + (f.pValue.map { ", test p = \(DecimalText.fixed($0, 4))" } ?? ""))
        }
        print("report: " + Terminal.escaped(outcome.directory + "/report.html"))
    }
}
