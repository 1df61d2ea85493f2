import ArgumentParser
import EventImport
import Foundation
import UsageModel
import Workbench

struct Fit: ParsableCommand {
    /// ``ScenarioFitOptions/defaultSelectionUsers`` grouped by thousands with a space, as the rest of the help writes
    /// numbers.
    private static let selectionUsers = String(ScenarioFitOptions.defaultSelectionUsers).reversed().enumerated()
        .reduce(into: "") { text, digit in
            text = String(digit.element) + (digit.offset > 0 && digit.offset % 3 == 0 ? " " : "") + text
        }

    static let configuration = CommandConfiguration(
        abstract:
            "Fit a scenario to a real event log: latent states and personas by a hidden Markov model, with weekday, "
            + "team, plan, trial and milestone estimates; write it as a new scenario file.",
        discussion:
            "Sizes within --states × --personas are fitted by EM along a path (live states ascending while BIC "
            + "falls, then personas, in turn), and the size with the lowest BIC is kept. On a log of more than "
            + "\(selectionUsers) users (--selection-users) every choice of structure is made on \(selectionUsers) of "
            + "them and the model refitted to all at the end. The file starts with the diagnostics (the BIC table "
            + "among them) and gives each number's standard error in a comment. See docs/fitting.md.")

    @Option(name: .customLong("events"), help: "Event log (.csv, .jsonl, .ndjson); repeat for several files.")
    var events: [String] = []

    @Option(help: "Taxonomy file (YAML): which events are sessions, key actions, features, milestones, billing.")
    var taxonomy: String

    @Option(help: "Alias table (CSV alias,user_id) merging duplicate identities.")
    var aliases: String?

    @Option(help: "User to account table (CSV user_id,account_id).")
    var accounts: String?

    @Option(help: "First day to read (YYYY-MM-DD, UTC); users who signed up before it are left out.")
    var since: CivilDate?

    @Option(name: .customLong("as-of"), help: "Last day to read (YYYY-MM-DD, UTC).")
    var asOf: CivilDate?

    @Option(help: ArgumentHelp("Live states to try: a number, or a range A-B.", valueName: "S|A-B"))
    var states = SizeRange(ScenarioFitOptions.defaultLiveStates)

    @Option(help: ArgumentHelp("Personas to try: a number, or a range A-B.", valueName: "K|A-B"))
    var personas = SizeRange(ScenarioFitOptions.defaultPersonas)

    @Option(help: "Random EM starts per size; the best after a few iterations is carried on.")
    var starts = ScenarioFitOptions.defaultStarts

    @Option(
        name: .customLong("selection-users"),
        help: ArgumentHelp(
            "Users the releases, the size, habit feedback and the account-size split are chosen on when the log has "
                + "more (evenly spaced); the model they lead to is then refitted to all users. Fewer choose faster "
                + "and tell smaller differences apart less well.", valueName: "N"))
    var selectionUsers = ScenarioFitOptions.defaultSelectionUsers

    @Option(help: "Worker threads; the scenario is identical for any number.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("The scenario file to write (.yaml or .yml); never replaced.", valueName: "FILE"))
    var out: String

    func validate() throws {
        if events.isEmpty { throw ValidationError("give at least one --events FILE") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if starts < 1 { throw ValidationError("--starts must be at least 1") }
        if selectionUsers < 2 { throw ValidationError("--selection-users must be at least 2") }
    }

    func run() throws {
        let started = Date()
        var options = ScenarioFitOptions(
            log: SegmentOptions(
                events: events, taxonomy: taxonomy, aliases: aliases, accounts: accounts, since: since,
                asOf: asOf, threads: threads, progress: true),
            out: out, liveStates: states.range, personas: personas.range, starts: starts,
            sizeFitted: { Terminal.error($0) })
        options.selectionUsers = selectionUsers
        let outcome = try Workbench.fit(options)
        Terminal.error(outcome.summary.description)
        print("scenario: " + Terminal.escaped(outcome.path))
        print(
            "\(outcome.users) users: \(outcome.size), the lowest BIC (\(DecimalText.fixed(outcome.bic, 1))) of "
                + "\(outcome.sizes) size\(outcome.sizes == 1 ? "" : "s") fitted; log-likelihood "
                + DecimalText.fixed(outcome.logLikelihood, 1))
        let seconds = Date().timeIntervalSince(started)
        Terminal.error(
            "read in \(DecimalText.fixed(outcome.readSeconds, 1)) s, fitted in "
                + "\(DecimalText.fixed(seconds - outcome.readSeconds, 1)) s (\(DecimalText.fixed(seconds, 1)) s in all)"
        )
        Terminal.error(
            "fitting steps: "
                + outcome.stepSeconds.map { "\($0.step) \(DecimalText.fixed($0.seconds, 1)) s" }.joined(separator: ", ")
        )
    }
}

/// A number of states or personas, or a range of them: `3` or `2-5`.
struct SizeRange: ExpressibleByArgument, CustomStringConvertible {
    let range: ClosedRange<Int>

    init(_ range: ClosedRange<Int>) { self.range = range }

    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let low = Int(parts[0]), let high = Int(parts[parts.count - 1]), low <= high else {
            return nil
        }
        range = low...high
    }

    var description: String {
        range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
    }
}

struct Recover: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Parameter recovery: simulate a scenario, write and import its event log, fit it with the scenario's "
            + "own numbers of states and personas, and compare every fitted number with the true one.",
        discussion:
            "What the fitted model does not describe (habit, team influence, weekday factors, product changes, "
            + "campaigns, caps, personas' own emissions) is switched off first and listed. Fitted states and "
            + "personas are matched to the true ones by the Viterbi paths; each number is compared in standard "
            + "errors of a fit of this many users. See docs/fitting.md.")

    @OptionGroup var options: SimulationOptions

    @Flag(help: "Write the log with the scenario's data-quality faults (lost, duplicated and late events).")
    var faults = false

    @Option(help: "Random EM starts; the best after a few iterations is carried on.")
    var starts = ScenarioFitOptions.defaultStarts

    @Option(help: ArgumentHelp("Markdown file to write the table to (never replaced); default: standard output."))
    var out: String?

    func run() throws {
        if let out, FileManager.default.fileExists(atPath: out) {
            throw ValidationError("--out: \(out) exists; SegmentLab never replaces a file")
        }
        let started = Date()
        let scenario = try ScenarioLoader.load(contentsOf: options.scenario)
        guard starts >= 1 else { throw ValidationError("--starts must be at least 1") }
        let result = try Workbench.recover(scenario, options: options.runOptions(), faults: faults, starts: starts)
        if let out {
            try Data(result.markdown.utf8).write(to: URL(fileURLWithPath: out), options: .withoutOverwriting)
            print("recovery: " + Terminal.escaped(out))
        } else {
            print(result.markdown, terminator: "")
        }
        Terminal.error(
            "\(result.compared.count) numbers compared, \(result.beyondBound.count) beyond "
                + "\(DecimalText.fixed(RecoveryResult.bound, 0)) SE; Viterbi agreement "
                + "\(DecimalText.fixed(100 * result.viterbiAgreement, 1)) %; "
                + "\(DecimalText.fixed(Date().timeIntervalSince(started), 1)) s")
    }
}
