import Analysis
import Foundation
import Segmentation
import Simulation
import UsageModel

extension Workbench {
    /// Runs only what an experiment needs (segments, campaigns, outcomes, the counterfactual) for
    /// one seed.
    static func experiment(_ scenario: Scenario, spec: SimulationSpec, threads: Int) throws -> ExperimentResults? {
        try experimentPieces(scenario, spec: spec, threads: threads)?.results
    }

    /// ``experiment(_:spec:threads:)`` with the pieces its results were computed from, and the campaigns' spec.
    static func experimentPieces(_ scenario: Scenario, spec: SimulationSpec, threads: Int) throws -> (
        interventions: InterventionSpec, pieces: ExperimentPieces, results: ExperimentResults
    )? {
        let simulator = try Simulator(spec: spec, threads: threads, truthDays: .only([]))
        let engine = SegmentationEngine(scenario.segmentation, threads: threads)
        guard let run = ExperimentRun(simulator: simulator, engine: engine, threads: threads) else { return nil }
        _ = try simulator.run(observers: [engine] + run.observers)
        let pieces = run.pieces(
            treated: simulator, counterfactual: try run.counterfactual(of: simulator, threads: threads))
        let results = try run.spec.results(
            pieces, context: ExperimentContext(segmentation: scenario.segmentation, spec: spec, detail: false))
        return (run.spec, pieces, results)
    }

    /// Replicates `1 ..< count` of a scenario (seeds `seed + r`), split over `threads` workers
    /// with one thread each, returned in the order of their seeds.
    /// `finished` is told how many have finished, from the worker that finished one.
    static func replicates(
        _ scenario: Scenario, spec: SimulationSpec, count: Int, threads: Int, finished: (@Sendable (Int) -> Void)? = nil
    ) throws -> [ExperimentResults] {
        let others = max(0, count - 1)
        let counter = FinishedCount()
        let ranges = UserRanges.split(users: others, parts: max(1, min(threads, others)))
        var perWorker = [[Result<ExperimentResults, any Error>]](repeating: [], count: ranges.count)
        perWorker.withUnsafeMutableBufferPointer { slots in
            UserRanges.forEach(ranges) { worker, range in
                slots[worker] = range.map { i in
                    var replicate = spec
                    replicate.seed = spec.seed &+ UInt64(i + 1)
                    let result = Result {
                        guard let e = try Workbench.experiment(scenario, spec: replicate, threads: 1) else {
                            throw RunError.badInput("--replicates needs a scenario with interventions")
                        }
                        return e
                    }
                    finished?(counter.increment())
                    return result
                }
            }
        }
        return try perWorker.joined().map { try $0.get() }
    }
}

/// How many replicates have finished, counted from several workers.
private final class FinishedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
