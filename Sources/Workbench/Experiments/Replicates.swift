import Analysis
import Dispatch
import Foundation
import Segmentation
import Simulation
import Stats

/// `results.json`'s `replicates`: the same scenario run with seeds `seed, seed + 1, …`, and for each
/// arm and metric the distribution of the measured lift, the share of replicates that detect it
/// (the power) and the share whose interval covers that replicate's true effect (the coverage).
struct ReplicateResults: Encodable {
    let count: Int
    let seeds: [UInt64]
    let alpha = 0.05
    let comparisons: [Comparison]

    struct Comparison: Encodable {
        let arm: String
        let metrics: [Metric]
    }

    struct Metric: Encodable {
        let metric: String
        let lifts: [Double]
        let pValues: [Double?]
        let trueEffects: [Double]
        let meanLift: Double
        let standardDeviationOfLift: Double?
        let meanTrueEffect: Double
        /// Mean of the standard errors implied by each replicate's interval (width / 3.92).
        let meanStandardError: Double?
        /// Share of replicates with p < alpha.
        let power: Double?
        /// Share of replicates whose 95 % interval holds their true effect.
        let coverage: Double?
        /// Analytic power of the pooled z test for the mean true effect at the mean group sizes and
        /// control rate: what the replicates' power checks.
        let analyticPower: Double?
        /// Analytic minimum detectable effect (80 % power) at the mean group sizes and control rate.
        let minimumDetectableEffect: Double?
    }

    init(seeds: [UInt64], runs: [ExperimentResults]) throws {
        count = runs.count
        self.seeds = seeds
        guard let first = runs.first else {
            comparisons = []
            return
        }
        var comparisons: [Comparison] = []
        for (k, comparison) in first.comparisons.enumerated() {
            var metrics: [Metric] = []
            for (j, metric) in comparison.metrics.enumerated() {
                let lifts = runs.map { $0.comparisons[k].metrics[j] }
                metrics.append(try Self.summarise(metric.metric, lifts, alpha: alpha))
            }
            comparisons.append(Comparison(arm: comparison.arm, metrics: metrics))
        }
        self.comparisons = comparisons
    }

    static func summarise(_ name: String, _ lifts: [ExperimentResults.Lift], alpha: Double) throws -> Metric {
        let values = lifts.map(\.absoluteLift)
        let summary = Summary(values)
        let mean = summary.mean
        let sd = values.count > 1 ? summary.standardDeviation : nil
        let trueEffects = lifts.map(\.trueEffect)
        let meanTrue = ExperimentStatistics.mean(trueEffects)
        let errors = lifts.compactMap { l in l.lower.flatMap { lo in l.upper.map { ($0 - lo) / 3.919927969 } } }
        let pValues = lifts.compactMap(\.pValue)
        let covered = lifts.compactMap(\.trueEffectCovered)
        var analytic: Double?
        var mde: Double?
        if lifts[0].kind == "proportion" {
            let n1 = lifts.reduce(0) { $0 + $1.treatment.users } / lifts.count
            let n0 = lifts.reduce(0) { $0 + $1.control.users } / lifts.count
            let p0 = lifts.reduce(0.0) { $0 + $1.control.mean } / Double(lifts.count)
            if n1 > 0, n0 > 0, p0 > 0, p0 < 1, p0 + meanTrue >= 0, p0 + meanTrue <= 1 {
                analytic = try PowerAnalysis.power(
                    baselineRate: p0, difference: meanTrue, treatmentCount: n1, controlCount: n0, alpha: alpha)
                mde = try PowerAnalysis.minimumDetectableEffect(
                    baselineRate: p0, treatmentCount: n1, controlCount: n0, alpha: alpha)
            }
        }
        return Metric(
            metric: name, lifts: values, pValues: lifts.map(\.pValue), trueEffects: trueEffects, meanLift: mean,
            standardDeviationOfLift: sd, meanTrueEffect: meanTrue,
            meanStandardError: errors.isEmpty ? nil : ExperimentStatistics.mean(errors),
            power: pValues.isEmpty ? nil : Double(pValues.filter { $0 < alpha }.count) / Double(pValues.count),
            coverage: covered.isEmpty ? nil : Double(covered.filter { $0 }.count) / Double(covered.count),
            analyticPower: analytic, minimumDetectableEffect: mde)
    }
}

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
