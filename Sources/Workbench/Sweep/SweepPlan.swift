import Foundation
import Reports
import Simulation
public import UsageModel
import YAMLInput
import Yams

/// What `segmentlab sweep` is asked to do.
public struct SweepOptions: Sendable {
    /// The scenario file.
    public var scenario: String
    /// Each `PATH=v1,v2,…` as given.
    public var vary: [String]
    /// Seeds per grid point: the scenario's seed (or `seed`), then `seed + 1`, ….
    public var replicates: Int
    /// Names the best setting costing at most this much, in the scenario's currency.
    public var budget: Double?
    public var seed: UInt64?
    public var users: Int?
    public var days: Int?
    public var threads: Int
    public var outDirectory: String
    public var progress: Bool

    public init(
        scenario: String, vary: [String], replicates: Int = 1, budget: Double? = nil, seed: UInt64? = nil,
        users: Int? = nil, days: Int? = nil, threads: Int = 1, outDirectory: String, progress: Bool = false
    ) {
        self.scenario = scenario
        self.vary = vary
        self.replicates = replicates
        self.budget = budget
        self.seed = seed
        self.users = users
        self.days = days
        self.threads = threads
        self.outDirectory = outDirectory
        self.progress = progress
    }

    /// Grids larger than this are refused before anything runs.
    public static let maxPoints = 1000
    /// Grid points × replicates.
    public static let maxRuns = 10_000
}

/// The problems of the scenario's variants, each naming its variant: a line per problem, as the compiler's
/// `file:line:col: path: message`, then the variant's settings.
public struct SweepVariantError: ExitStatusError, Sendable {
    public var exitStatus: Int32 { 2 }
    public var isPlaced: Bool { true }
    public let lines: [String]

    public var description: String { lines.joined(separator: "\n") }
}

/// A grid of validated variants of one scenario, ready to run.
struct SweepPlan {
    struct Variant {
        let overrides: [ScenarioOverride]
        let scenario: Scenario
        let spec: SimulationSpec
    }

    let varied: [SweepResults.Varied]
    let variants: [Variant]
    /// The seeds every variant runs, in order.
    let seeds: [UInt64]

    /// Each `--vary` as a path and its values, refusing what cannot make a grid.
    static func axes(_ vary: [String]) throws(RunError) -> [(path: [String], values: [String])] {
        guard !vary.isEmpty else { throw .badInput("give at least one --vary PATH=v1,v2,…") }
        var axes: [(path: [String], values: [String])] = []
        for text in vary {
            guard let equals = text.firstIndex(of: "=") else {
                throw .badInput("--vary \(text): write PATH=v1,v2,… (no '=' found)")
            }
            let path = try ScenarioOverride.path(String(text[..<equals]))
            let values = text[text.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let shown = path.joined(separator: ".")
            guard !values.contains(where: \.isEmpty) else {
                throw .badInput("--vary \(shown): an empty value in '\(text[text.index(after: equals)...])'")
            }
            if let repeated = values.enumerated().first(where: { values[..<$0.offset].contains($0.element) }) {
                throw .badInput("--vary \(shown): the value \(repeated.element) is given twice")
            }
            if let other = axes.first(where: { $0.path == path }) {
                throw .badInput("--vary \(other.path.joined(separator: ".")): the path is given twice")
            }
            if let other = axes.first(where: { $0.path.starts(with: path) || path.starts(with: $0.path) }) {
                throw .badInput(
                    "--vary \(shown) and --vary \(other.path.joined(separator: ".")): one path is inside the other")
            }
            axes.append((path, values))
        }
        return axes
    }

    /// The Cartesian product of the axes' values, the last axis varying fastest.
    static func grid(_ axes: [(path: [String], values: [String])]) -> [[ScenarioOverride]] {
        axes.reduce([[]]) { grid, axis in
            grid.flatMap { prefix in axis.values.map { prefix + [ScenarioOverride(path: axis.path, value: $0)] } }
        }
    }

    /// Reads the scenario, sets every variant's values in its composed document and validates each variant as
    /// `validate` does, then applies the command line's seed, users and days as `run` does.
    ///
    /// - Throws: ``InputError`` for the scenario file itself, ``RunError/badInput(_:)`` for an option, a path
    ///   or a value, and ``SweepVariantError`` listing every variant's problems with their places.
    static func make(_ options: SweepOptions, text: String) throws -> SweepPlan {
        let file = options.scenario
        var problems: [String] = []
        if !(1...RunOptions.maxReplicates).contains(options.replicates) {
            problems.append("--replicates: must be in 1...\(RunOptions.maxReplicates), got \(options.replicates)")
        }
        if let budget = options.budget, !(budget.isFinite && budget >= 0) {
            problems.append("--budget: must be a number ≥ 0, got \(budget)")
        }
        guard problems.isEmpty else { throw RunError.badInput(problems.joined(separator: "\n")) }
        let axes = try axes(options.vary)
        let points = axes.reduce(1) { product, axis in
            let (next, overflow) = product.multipliedReportingOverflow(by: axis.values.count)
            return overflow ? Int.max : next
        }
        guard points <= SweepOptions.maxPoints, points * options.replicates <= SweepOptions.maxRuns else {
            throw RunError.badInput(
                "the grid has \(points) points × \(options.replicates) replicates; at most "
                    + "\(SweepOptions.maxPoints) points and \(SweepOptions.maxRuns) runs in all are swept")
        }

        // The file as it is must be a valid scenario: its own problems are listed once, as `validate` lists them.
        _ = try ScenarioLoader.parse(yaml: text, file: file)
        guard let root = try YAMLInput.root(of: text, file: file) else {
            throw RunError.badInput("\(file): the scenario has no content")
        }
        // A path that leads nowhere does so for every value: say it once.
        for axis in axes {
            var probe = root
            try ScenarioOverride(path: axis.path, value: axis.values[0]).apply(to: &probe)
        }

        let runOptions = RunOptions(
            seed: options.seed, users: options.users, days: options.days, threads: options.threads,
            replicates: options.replicates)
        var variants: [Variant] = []
        var lines: [String] = []
        var unlisted = 0
        func note(_ line: String) {
            if lines.count < YAMLInput.listedProblems { lines.append(line) } else { unlisted += 1 }
        }
        for overrides in grid(axes) {
            let tag = "(variant " + overrides.map(\.description).joined(separator: ", ") + ")"
            var document = root
            for o in overrides { try o.apply(to: &document) }
            let source = "# swept with " + overrides.map(\.description).joined(separator: ", ") + "\n" + text
            do {
                let scenario = try ScenarioLoader.scenario(from: document, source: source, file: file)
                let spec = try Workbench.prepare(scenario, options: runOptions, writesEventLog: false)
                guard spec.interventions != nil else {
                    note("\(file): the variant has no interventions, so nothing to compare \(tag)")
                    continue
                }
                variants.append(Variant(overrides: overrides, scenario: scenario, spec: spec))
            } catch let error as InputError {
                for p in error.problems { note("\(file):" + (p.line == nil ? " " : "") + "\(p) \(tag)") }
                unlisted += error.unkept
            } catch let error as RunError {
                note("\(error.description) \(tag)")
            }
        }
        if unlisted > 0 { lines.append("\(file): … and \(unlisted) more problem\(unlisted == 1 ? "" : "s")") }
        guard lines.isEmpty else { throw SweepVariantError(lines: lines) }
        let first = variants[0].spec.seed
        return SweepPlan(
            varied: axes.map { SweepResults.Varied(path: $0.path.joined(separator: "."), values: $0.values) },
            variants: variants,
            seeds: (0..<options.replicates).map { first &+ UInt64($0) })
    }
}
