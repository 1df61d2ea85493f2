import ArgumentParser
import Foundation
import Workbench

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run a scenario's experiment over a grid of settings and report which settings retain the most users "
            + "for what they cost (sweep.json, sweep.csv, sweep.html, sweep.md).",
        discussion:
            "PATH is dotted keys into the scenario; in a list, a number picks an element by position and a word the "
            + "element of that name: interventions.policies.dormant_email.cooldown_days=7,14,28. See docs/sweep.md.")

    @OptionGroup var options: SimulationOptions

    @Option(
        help: ArgumentHelp(
            "A value to vary and its settings (repeat for a grid of every combination).", valueName: "PATH=v1,v2,…"))
    var vary: [String] = []

    @Option(help: "Seeds per grid point (seed, seed + 1, …).")
    var replicates: Int = 1

    @Option(help: "Name the best setting that costs at most this much (in the scenario's currency).")
    var budget: Double?

    @Option(help: "Output folder (new, empty, or written by an earlier sweep).")
    var out: String

    func validate() throws {
        if vary.isEmpty { throw ValidationError("give at least one --vary PATH=v1,v2,…") }
    }

    func run() throws {
        let started = Date()
        let outcome = try Workbench.sweep(
            SweepOptions(
                scenario: options.scenario, vary: vary, replicates: replicates, budget: budget, seed: options.seed,
                users: options.users, days: options.days, threads: options.threads, outDirectory: out, progress: true))
        print("results: \(outcome.directory)/sweep.json")
        print("table: \(outcome.directory)/sweep.csv")
        print("markdown: \(outcome.directory)/sweep.md")
        print("report: \(outcome.directory)/sweep.html")
        let seconds = Date().timeIntervalSince(started)
        FileHandle.standardError.write(Data("swept in \(String(format: "%.1f", seconds)) s\n".utf8))
    }
}
