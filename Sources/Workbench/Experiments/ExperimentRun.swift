import Segmentation
import Simulation
import UsageModel

/// The observers that run a scenario's campaigns inside the treated run, and the counterfactual
/// run that measures the same users without any policy.
final class ExperimentRun {
    let spec: InterventionSpec
    let policy: PolicyEngine
    let recorder: OutcomeRecorder
    let treatment: TreatmentState

    /// `nil` when the scenario has no interventions.
    init?(simulator: Simulator, engine: SegmentationEngine, threads: Int) {
        guard let spec = simulator.spec.interventions, let treatment = simulator.treatment else { return nil }
        self.spec = spec
        self.treatment = treatment
        policy = PolicyEngine(
            spec: spec, engine: engine, treatment: treatment, seed: simulator.spec.seed, threads: threads)
        let model = simulator.spec.model
        let mask = model.activationMilestones.reduce(UInt16(0)) { $0 | (1 << UInt16($1)) }
        recorder = OutcomeRecorder(
            comparisons: spec.treatmentArms.count, outcomeDays: spec.outcomeDays, activationMask: mask,
            planPriceCents: model.commerce.plans.map(\.monthlyPriceCents), threads: threads)
        let recorder = self.recorder
        policy.onIndex = { [unowned engine] day, indexed in
            let segments = engine.history[engine.history.count - 1]
            for (k, u) in indexed { recorder.register(comparison: k, user: u, day: day, segment: segments[u]) }
        }
    }

    /// The day observers of the treated run (the policy engine follows the segmentation engine's
    /// evaluations by itself).
    var observers: [any DayObserver] { [recorder] }

    /// One in this many indexed users the campaigns left alone is re-simulated all the same, so the
    /// results can show that their outcomes do not move (`control_counterfactual_difference`).
    static let unalteredSample = 16

    /// The users the counterfactual run re-simulates: every indexed user a campaign altered (an effect
    /// or an accepted upgrade prompt), and one in ``unalteredSample`` of the other indexed users, or
    /// with `everyone` all indexed users. The rest live exactly the same days in both runs, because
    /// every random number of a user-day comes from that user's own streams (DESIGN.md invariant 1),
    /// so their counterfactual outcomes are their treated ones.
    ///
    /// With team influence a user's days depend on their teammates', so whole accounts are re-simulated:
    /// every user of an account with a chosen user (a teammate a campaign altered changes the others' days).
    func counterfactualUsers(everyone: Bool, teams: Column<Int32>? = nil) -> [Int32] {
        var indexed = Set<Int32>()
        for list in recorder.entries { for entry in list { indexed.insert(entry.user) } }
        let chosen =
            everyone
            ? indexed : indexed.filter { treatment.altered[Int($0)] || Int($0) % Self.unalteredSample == 0 }
        guard let teams else { return chosen.sorted() }
        let accounts = Set(chosen.map { teams[Int($0)] })
        return teams.indices.filter { accounts.contains(teams[$0]) }.map(Int32.init)
    }

    /// Runs the same population without interventions and records the outcomes of the users
    /// ``counterfactualUsers(everyone:)`` names, from the same index days.
    func counterfactual(
        of simulator: Simulator, threads: Int, everyone: Bool = false, progress: ((Int) -> Void)? = nil
    ) throws -> OutcomeRecorder {
        var spec = simulator.spec
        spec.interventions = nil
        let users = counterfactualUsers(
            everyone: everyone,
            teams: simulator.spec.model.teamInfluence == nil ? nil : simulator.directory.account)
        let twin = try Simulator(
            spec: spec, threads: threads, truthDays: .only([]), users: users, block: simulator.block)
        let recorder = OutcomeRecorder(counterfactualOf: self.recorder, users: users)
        _ = try twin.run(observers: [recorder], progress: progress)
        return recorder
    }
}
