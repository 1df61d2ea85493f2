import Segmentation
import Simulation
import UsageModel

/// The observers that run a scenario's campaigns inside the treated run, and the counterfactual
/// run that measures the same users without any policy.
final class ExperimentRun {
    let spec: InterventionSpec
    let policy: PolicyEngine
    let recorder: OutcomeRecorder

    /// `nil` when the scenario has no interventions.
    init?(simulator: Simulator, engine: SegmentationEngine, threads: Int) {
        guard let spec = simulator.spec.interventions, let treatment = simulator.treatment else { return nil }
        self.spec = spec
        policy = PolicyEngine(
            spec: spec, engine: engine, treatment: treatment, seed: simulator.spec.seed, threads: threads)
        let model = simulator.spec.model
        let mask = model.activationMilestones.reduce(UInt16(0)) { $0 | (1 << UInt16($1)) }
        recorder = OutcomeRecorder(
            comparisons: spec.treatmentArms.count, outcomeDays: spec.outcomeDays, activationMask: mask,
            planPriceCents: model.commerce.plans.map(\.monthlyPriceCents), threads: threads)
        let recorder = self.recorder
        policy.onIndex = { day, indexed in
            for (k, u) in indexed { recorder.register(comparison: k, user: u, day: day) }
        }
    }

    /// The day observers of the treated run (the policy engine follows the segmentation engine's
    /// evaluations by itself).
    var observers: [any DayObserver] { [recorder] }

    /// Runs the same population without interventions and records the same users' outcomes from
    /// the same index days.
    func counterfactual(of simulator: Simulator, threads: Int, progress: ((Int) -> Void)? = nil) throws
        -> OutcomeRecorder
    {
        var spec = simulator.spec
        spec.interventions = nil
        let twin = try Simulator(spec: spec, threads: threads, truthDays: .only([]))
        let recorder = OutcomeRecorder(counterfactualOf: self.recorder)
        _ = try twin.run(observers: [recorder], progress: progress)
        return recorder
    }
}
