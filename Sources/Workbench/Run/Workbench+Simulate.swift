import Foundation
import Segmentation
public import Simulation
import UsageModel

/// What `segmentlab simulate` writes: the event log, and the experiment's exposures when asked.
public struct SimulateOutputs: Sendable {
    /// The event log (CSV or JSONL by extension).
    public var events: String
    /// The exposure table (CSV) of the scenario's experiment, or nil for none.
    public var assignments: String?
    /// Write the log as the product would have logged it had nothing been lost, duplicated or late: the
    /// scenario's `data_quality` is left out.
    public var faithful = false

    public init(events: String, assignments: String? = nil, faithful: Bool = false) {
        self.events = events
        self.assignments = assignments
        self.faithful = faithful
    }
}

extension Workbench {
    /// Simulates a scenario and streams its event log; with campaigns, the segmentation and the policies
    /// run in the loop as in `segmentlab run`, so the log holds what the treated users did (the same days
    /// as the run's, DESIGN.md invariant 1), and `assignments` receives who was in which arm from when.
    public static func simulate(_ scenario: Scenario, options: RunOptions, outputs: SimulateOutputs) throws
        -> EventLogStats
    {
        guard let format = EventLogFormat.inferred(fromPath: outputs.events) else {
            throw RunError.badInput(
                "--events-out: \(outputs.events): the name must end in .csv, .jsonl or .ndjson")
        }
        for (option, path) in [("--events-out", outputs.events), ("--assignments-out", outputs.assignments)] {
            guard let path else { continue }
            if FileManager.default.fileExists(atPath: path) {
                throw RunError.badInput(
                    "\(option): \(path) exists; SegmentLab never replaces a file. Remove it or choose another name.")
            }
        }
        if let path = outputs.assignments {
            guard path.lowercased().hasSuffix(".csv") else {
                throw RunError.badInput("--assignments-out: \(path): the name must end in .csv")
            }
            guard scenario.spec.interventions != nil else {
                throw RunError.badInput(
                    "--assignments-out: \(scenario.name) has no interventions, so no experiment to write")
            }
            guard path != outputs.events else {
                throw RunError.badInput("--assignments-out: the same file as --events-out")
            }
        }
        let spec = try prepare(scenario, options: options, writesEventLog: true)
        let simulator = try Simulator(spec: spec, threads: options.threads, truthDays: .only([]))
        let writer = try EventLogWriter(
            path: outputs.events, format: format, seed: spec.seed,
            dataQuality: outputs.faithful ? .none : spec.dataQuality)
        var observers: [any DayObserver] = [writer]
        var experiment: ExperimentRun?
        if spec.interventions != nil {
            let engine = SegmentationEngine(scenario.segmentation, threads: options.threads)
            experiment = ExperimentRun(simulator: simulator, engine: engine, threads: options.threads)
            observers = [engine] + (experiment?.observers ?? []) + observers
        }
        let progress = ProgressLine(enabled: options.progress)
        defer { progress.finish() }
        _ = try simulator.run(observers: observers) { progress.update("simulating day", done: $0, total: spec.days) }
        if let path = outputs.assignments, let experiment {
            try writeAssignments(experiment, simulator: simulator, to: path)
        }
        return writer.stats
    }

    /// The exposure table: one line per user and comparison (a treatment arm against the control), with
    /// the arm the user was in and the index day, the first day a policy of the comparison's arm triggered
    /// for them (for a control user: would have). Users are those of the event log (`docs/event-log-format.md`);
    /// lines go by comparison, then index day.
    static func writeAssignments(_ experiment: ExperimentRun, simulator: Simulator, to path: String) throws {
        let spec = experiment.spec
        let directory = simulator.directory
        let start = simulator.spec.startDate
        var text = "comparison,user_id,account_id,arm,index_date\n"
        for (k, a) in spec.treatmentArms.enumerated() {
            for entry in experiment.recorder.entries[k] {
                let u = Int(entry.user)
                let arm = simulator.treatment!.arm[u]
                let armName = arm == TreatmentState.globalControl ? "global_control" : spec.arms[Int(arm)].name
                text +=
                    "\(spec.arms[a].name),\(EventLogIDs.user(u)),"
                    + "\(EventLogIDs.account(Int(directory.account[u]))),\(armName),"
                    + "\(start.adding(days: Int(entry.indexDay)))\n"
            }
        }
        let folder = (path as NSString).deletingLastPathComponent
        let staged = StagedOutput(name: (path as NSString).lastPathComponent, in: folder, kind: .file)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: staged.staging))
            try staged.commit()
        } catch {
            staged.discard()
            throw RunError.failed("--assignments-out: cannot write \(path): \(error)")
        }
    }
}
