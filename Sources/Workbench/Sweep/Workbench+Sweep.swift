import Analysis
import Foundation
public import Reports
import Segmentation
import Simulation
import UsageModel
import YAMLInput

/// Where a sweep's files went, and its results.
public struct SweepOutcome: Sendable {
    public let directory: String
    public let results: SweepResults
}

extension Workbench {
    /// Runs the experiment of every variant of a scenario that `options.vary` describes, for every seed, and
    /// writes `sweep.json`, `sweep.csv`, `sweep.html` and `sweep.md` into the output folder in one step.
    ///
    /// Every variant is checked before anything runs, and nothing is written on bad input. Runs are spread over
    /// `options.threads` workers, one thread each; the files are the same bytes at any number of threads.
    public static func sweep(_ options: SweepOptions) throws -> SweepOutcome {
        if !(1...RunOptions.maxThreads).contains(options.threads) {
            throw RunError.badInput("--threads: must be in 1...\(RunOptions.maxThreads), got \(options.threads)")
        }
        let text = try YAMLInput.read(options.scenario, noun: "scenario file")
        let plan = try SweepPlan.make(options, text: text)
        try OutputDirectory.checkDestination(options.outDirectory)
        let progress = ProgressLine(enabled: options.progress)
        let replicates = try runSweep(plan, threads: options.threads) { done, total in
            progress.update("sweep", done: done, total: total)
        }
        progress.finish()
        let results = try sweepResults(plan, replicates: replicates, budget: options.budget)
        var files: [(path: String, data: Data)] = [
            ("sweep.json", try ResultsFile.encode(results)), ("sweep.csv", Data(SweepCSV.render(results).utf8)),
        ]
        files += try SweepReport.files(results)
        let directory = try OutputDirectory.produce(at: options.outDirectory) { try $0.write(files) }
        return SweepOutcome(directory: directory, results: results)
    }

    /// The sweep's figures from its runs.
    static func sweepResults(_ plan: SweepPlan, replicates: [[SweepResults.Replicate]], budget: Double?) throws
        -> SweepResults
    {
        let first = plan.variants[0]
        return try SweepResults(
            scenario: first.scenario.name, users: first.spec.users, days: first.spec.days,
            currency: first.spec.model.commerce.currency, varied: plan.varied,
            points: zip(plan.variants, replicates).map { variant, runs in
                (variant.overrides.map { SweepResults.Setting(path: $0.pathText, value: $0.value) }, runs)
            }, budget: budget)
    }

    /// Every variant × seed, each run on one thread, pulled from one queue by `threads` workers; returned per
    /// variant in seed order, whichever worker ran them. `finished` hears (done, total) from the worker that
    /// finished a run.
    static func runSweep(
        _ plan: SweepPlan, threads: Int, finished: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> [[SweepResults.Replicate]] {
        let k = plan.seeds.count
        let total = plan.variants.count * k
        let queue = SweepQueue(total: total)
        var slots = [Result<SweepResults.Replicate, any Error>?](repeating: nil, count: total)
        let workers = max(1, min(threads, total))
        slots.withUnsafeMutableBufferPointer { slots in
            UserRanges.forEach(UserRanges.split(users: workers, parts: workers)) { _, _ in
                while let job = queue.next() {
                    let variant = plan.variants[job / k]
                    var spec = variant.spec
                    spec.seed = variant.spec.seed &+ UInt64(job % k)
                    slots[job] = Result { try sweepReplicate(variant.scenario, spec: spec) }
                    finished?(queue.finish(), total)
                }
            }
        }
        let runs = try slots.map { try $0!.get() }
        return (0..<plan.variants.count).map { Array(runs[($0 * k)..<($0 * k + k)]) }
    }

    /// ``experiment(_:spec:threads:)`` on one thread, keeping for each comparison the primary metric's true
    /// differences of the treated users, summarised with their interval.
    static func sweepReplicate(_ scenario: Scenario, spec: SimulationSpec) throws -> SweepResults.Replicate {
        guard let (interventions, pieces, results) = try experimentPieces(scenario, spec: spec, threads: 1) else {
            throw RunError.badInput("\(scenario.name): the scenario has no interventions to sweep")
        }
        let primary = interventions.primaryMetric.index
        let trueEffects = try pieces.comparisons.map { pairs in
            let samples = try ComparisonSamples(pairs, spec: interventions)
            return try MeanInterval(samples.metrics[primary].trueDifference)
        }
        return SweepResults.Replicate(seed: spec.seed, experiment: results, trueEffects: trueEffects)
    }
}

/// The next run to start and how many have finished, shared by a sweep's workers.
private final class SweepQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private var started = 0
    private var finished = 0

    init(total: Int) { self.total = total }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard started < total else { return nil }
        started += 1
        return started - 1
    }

    func finish() -> Int {
        lock.lock()
        defer { lock.unlock() }
        finished += 1
        return finished
    }
}
