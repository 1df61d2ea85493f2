import Reports
import Analysis
import Foundation
import Segmentation
public import Simulation
import UsageModel

/// What a finished run produced.
public struct RunOutcome: Sendable {
    /// The folder holding the run's report (`report.html`, `report.md`, `figures/`), `results.json` and
    /// its CSV tables.
    public let directory: String
    public let metrics: [DayMetrics]
}

/// Loads nothing and prints nothing: the steps of a run, for the command line and the tests.
public enum Workbench {
    /// The scenario's spec with the command line's overrides applied, checked, and refused when the
    /// machine lacks the memory for it.
    public static func prepare(_ scenario: Scenario, options: RunOptions, writesEventLog: Bool) throws(RunError)
        -> SimulationSpec
    {
        var spec = scenario.spec
        var problems: [String] = []
        if let seed = options.seed { spec.seed = seed }
        if let users = options.users {
            if (1...RunOptions.maxUsers).contains(users) {
                spec.users = users
            } else {
                problems.append("--users: must be in 1...\(RunOptions.maxUsers), got \(users)")
            }
        }
        if let days = options.days {
            if (1...RunOptions.maxDays).contains(days) {
                spec.days = days
                spec.signupDays = min(spec.signupDays, days)
            } else {
                problems.append("--days: must be in 1...\(RunOptions.maxDays), got \(days)")
            }
        }
        if !(1...RunOptions.maxReplicates).contains(options.replicates) {
            problems.append("--replicates: must be in 1...\(RunOptions.maxReplicates), got \(options.replicates)")
        } else if options.replicates > 1, spec.interventions == nil {
            problems.append("--replicates: the scenario has no interventions to replicate")
        }
        if !(1...RunOptions.maxThreads).contains(options.threads) {
            problems.append("--threads: must be in 1...\(RunOptions.maxThreads), got \(options.threads)")
        }
        guard problems.isEmpty else { throw .badInput(problems.joined(separator: "\n")) }

        var need = estimatedBytes(scenario, spec: spec, writesEventLog: writesEventLog)
        if let shard = options.shard {
            // A block holds its share of the users and at most one account more; the whole
            // population's layout is drawn first (persona, account, sign-up day, initial state).
            let largestTeam =
                spec.model.personas.map { persona -> Int in
                    switch persona.teamSize {
                    case .fixed(let n): n
                    case .poisson(_, let max), .lognormal(_, _, let max): max
                    }
                }.max() ?? 1
            var block = spec
            block.users = min(spec.users, spec.users / shard.count + largestTeam)
            need = estimatedBytes(scenario, spec: block, writesEventLog: writesEventLog) + spec.users * 40
        }
        if let available = SystemMemory.availableBytes(), need > available * 9 / 10 {
            throw .badInput(
                "\(scenario.name): \(spec.users) users × \(spec.days) days need about \(gib(need)) of memory; "
                    + "this machine has \(gib(available)) available. Lower population.users or days "
                    + "(--users, --days).")
        }
        return spec
    }

    /// Simulates a scenario (with its counterfactual when it has campaigns), analyses it and writes
    /// `report.html`, `report.md`, `results.json`, `segments.csv`, `transitions.csv` and
    /// `predictions.csv` into the output folder, through a staging folder and one rename.
    public static func run(_ scenario: Scenario, options: RunOptions) throws -> RunOutcome {
        let spec = try prepare(scenario, options: options, writesEventLog: false)
        let destination = options.outDirectory ?? defaultDirectory(scenario: scenario.name, seed: spec.seed)
        try OutputDirectory.checkDestination(destination)
        let progress = ProgressLine(enabled: options.progress)
        defer { progress.finish() }
        let (pieces, layout) = try simulate(scenario, spec: spec, block: nil, threads: options.threads) {
            progress.update("simulating day", done: $0, total: $1)
        }
        var others: [ExperimentResults] = []
        if options.replicates > 1, pieces.experiment != nil {
            others = try replicates(scenario, spec: spec, count: options.replicates, threads: options.threads) {
                progress.update("replicate", done: $0, total: options.replicates - 1)
            }
        }
        let (results, predictions) = try pieces.results(
            scenario: scenario, spec: spec, layout: layout, segmentation: scenario.segmentation, replicates: others)
        let directory = try OutputDirectory.produce(at: destination) { output in
            try output.write(Data(predictions.utf8), to: "predictions.csv")
            try output.write(try ResultsFile.Contents.run(results).files())
        }
        return RunOutcome(directory: directory, metrics: pieces.metrics)
    }

    /// Simulates the users of `block` (all when nil) with segmentation and campaigns, and their
    /// counterfactual run when the scenario has campaigns, and returns the pieces its results are
    /// computed from, with the layout of the whole population.
    /// `progress` is told the days simulated and the days to simulate.
    static func simulate(
        _ scenario: Scenario, spec: SimulationSpec, block: Range<Int>?, threads: Int,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> (RunPieces, layout: PopulationLayout) {
        let whole = try PopulationLayout(spec: spec)
        let simulator = try Simulator(
            spec: spec, threads: threads, truthDays: truthDays(scenario, spec: spec), block: block)
        let engine = SegmentationEngine(scenario.segmentation, threads: threads)
        let cutoffs = ChurnPrediction.cutoffDays(
            days: spec.days, every: scenario.segmentation.spec.every.days, horizon: scenario.horizonDays)
        let snapshot = CutoffSnapshot(engine: engine, days: cutoffs, startDate: spec.startDate)
        simulator.forecastPlan = ChurnForecastPlan(days: cutoffs, horizon: scenario.horizonDays)
        let conversions = ConversionDays()
        let experiment = ExperimentRun(simulator: simulator, engine: engine, threads: threads)
        // With campaigns the population is simulated twice: treated, then its counterfactual.
        let simulatedDays = spec.days * (experiment == nil ? 1 : 2)
        let metrics = try simulator.run(observers: [engine, conversions] + (experiment?.observers ?? [])) {
            progress?($0, simulatedDays)
        }
        engine.releaseWorkingState()
        let experimentPieces = try experiment.map { run in
            let counterfactual = try run.counterfactual(of: simulator, threads: threads) {
                progress?(spec.days + $0, simulatedDays)
            }
            return run.pieces(treated: simulator, counterfactual: counterfactual)
        }
        let pieces = RunPieces(
            simulator: simulator, metrics: metrics, engine: engine, snapshot: snapshot, conversions: conversions,
            experiment: experimentPieces, horizon: scenario.horizonDays)
        return (pieces, whole)
    }

    /// Peak memory of a run with segmentation, known before it starts: the larger of the day loop,
    /// which holds the usage windows, and the analyses after it, which hold their own data once the
    /// windows are freed.
    public static func estimatedBytes(_ scenario: Scenario, spec: SimulationSpec, writesEventLog: Bool) -> Int {
        guard !writesEventLog else {
            // Campaigns need the segmentation in the loop: their triggers read it.
            return MemoryEstimate.bytes(for: spec, writesEventLog: true, truthDays: .only([]))
                + (spec.interventions == nil
                    ? 0 : segmentationBytes(scenario.segmentation, users: spec.users, days: spec.days))
        }
        let held =
            MemoryEstimate.bytes(for: spec, writesEventLog: false, truthDays: truthDays(scenario, spec: spec))
            + segmentationBytes(scenario.segmentation, users: spec.users, days: spec.days)
            + spec.users * snapshotBytesPerUser
            + spec.users * ChurnForecast.bytesPerUser(cutoffs: 2, withCampaigns: spec.interventions != nil)
        let windows = spec.users * windowBytesPerUser(scenario.segmentation)
        return held + max(0, analysisBytes(spec) - windows)
    }

    /// The churn-prediction snapshot of both cutoffs, held from the first cutoff on: the features,
    /// the user and the flag, 17 bytes and 4 a feature (single precision) each with allocator overhead.
    static let snapshotBytesPerUser = 2 * (17 + 4 * ChurnPrediction.featureNames.count)

    /// What the analyses after the day loop add, per user, with allocator overhead: the fit on
    /// half of the users of one cutoff (a standardised row as an array, 136, and its design-matrix
    /// rows in the fit, 2 × 96) and the scores of the other half (rule, model, oracle, outcome, the
    /// score record: 72), `predictions.csv` held as text and bytes (about 60 bytes a row, twice,
    /// for half the users of each cutoff), a user's conversion days (48), and with campaigns each
    /// comparison's samples of an indexed user (five outcomes and their true differences, the
    /// covariate, survival: 104).
    static func analysisBytes(_ spec: SimulationSpec) -> Int {
        let fit = (136 + 2 * 96) / 2 + 72 / 2
        let predictions = 2 * 2 * 60 / 2
        let experiment = (spec.interventions?.treatmentArms.count ?? 0) * 104
        return spec.users * (fit + predictions + 48 + experiment)
    }

    /// The days whose latent state a run's analyses read: every evaluation day (segment validity),
    /// and so the churn-prediction cutoffs, which are evaluation days. Churn a horizon later is read
    /// from each user's churn day, which the truth record keeps for every day.
    public static func truthDays(_ scenario: Scenario, spec: SimulationSpec) -> TruthDays {
        let every = scenario.segmentation.spec.every.days
        return .only(Set((0..<spec.days).filter { EvaluationSchedule.grid(offset: 0).includes($0, every: every) }))
    }

    /// Usage windows plus one byte per user and evaluation of membership history.
    static func segmentationBytes(_ s: CompiledSegmentation, users: Int, days: Int) -> Int {
        users * (windowBytesPerUser(s) + days / s.spec.every.days + 8)
    }

    /// The usage windows of one user: the engine's working state, freed after the day loop.
    static func windowBytesPerUser(_ s: CompiledSegmentation) -> Int {
        UsageWindows.bytesPerUser(features: s.vocabulary.features.count, milestones: s.vocabulary.milestones.count)
    }

    /// The name a log's output folder is filed under: its first file's name without extension.
    static func logName(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    /// `reports/<scenario>/<UTC time>-seed<seed>`: sortable and unique per run.
    static func defaultDirectory(scenario: String, seed: UInt64?) -> String {
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        func two(_ n: Int?) -> String {
            let v = n ?? 0
            return v < 10 ? "0\(v)" : "\(v)"
        }
        let stamp = "\(c.year ?? 0)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
        return "reports/\(scenario)/\(stamp)" + (seed.map { "-seed\($0)" } ?? "")
    }

    static func gib(_ bytes: Int) -> String {
        DecimalText.fixed(Double(bytes) / Double(1 << 30), 1) + " GiB"
    }
}
