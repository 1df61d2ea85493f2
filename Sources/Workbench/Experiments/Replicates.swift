import Analysis
import Dispatch
import Foundation
import Segmentation
import Simulation
import Stats

extension Workbench {
    /// Runs only what an experiment needs (segments, campaigns, outcomes, the counterfactual) for
    /// one seed.
    static func experiment(_ scenario: Scenario, spec: SimulationSpec, threads: Int) throws -> ExperimentResults? {
        let simulator = try Simulator(spec: spec, threads: threads)
        let engine = SegmentationEngine(scenario.segmentation, threads: threads)
        guard let run = ExperimentRun(simulator: simulator, engine: engine, threads: threads) else { return nil }
        _ = try simulator.run(observers: [engine] + run.observers)
        return try run.analyse(
            treated: simulator, counterfactual: try run.counterfactual(of: simulator, threads: threads))
    }

    /// Replicates `1 ..< count` of a scenario (seeds `seed + r`), `threads` at a time with one
    /// thread each, in the order of their seeds whatever finishes first.
    static func replicates(_ scenario: Scenario, spec: SimulationSpec, count: Int, threads: Int) throws
        -> [ExperimentResults]
    {
        let indices = Array(1..<max(1, count))
        var results = [Result<ExperimentResults, any Error>?](repeating: nil, count: indices.count)
        let box = ReplicateBox(results.count)
        for start in stride(from: 0, to: indices.count, by: threads) {
            let batch = start..<min(indices.count, start + threads)
            DispatchQueue.concurrentPerform(iterations: batch.count) { i in
                let r = indices[batch.lowerBound + i]
                var replicate = spec
                replicate.seed = spec.seed &+ UInt64(r)
                let outcome = Result { () throws -> ExperimentResults in
                    guard let e = try Workbench.experiment(scenario, spec: replicate, threads: 1) else {
                        throw RunError.badInput("--replicates needs a scenario with interventions")
                    }
                    return e
                }
                box.set(batch.lowerBound + i, outcome)
            }
        }
        results = box.values
        return try results.map { try $0!.get() }
    }
}

/// Slots filled from concurrent replicates, each by exactly one of them.
private final class ReplicateBox: @unchecked Sendable {
    private(set) var values: [Result<ExperimentResults, any Error>?]
    private let lock = NSLock()

    init(_ count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: Result<ExperimentResults, any Error>) {
        lock.lock()
        values[i] = value
        lock.unlock()
    }
}
