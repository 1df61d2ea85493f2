import Analysis
import Simulation
import UsageModel

extension ExperimentRun {
    /// Arms, the sample-ratio check, lift of each treatment arm against the control with the true
    /// effect beside it, survival curves, and campaign costs.
    func analyse(treated simulator: Simulator, counterfactual: OutcomeRecorder) throws -> ExperimentResults {
        let treatment = simulator.treatment!
        let directory = simulator.directory
        let days = Int32(simulator.spec.days)
        var armUsers = [Int](repeating: 0, count: spec.arms.count)
        var globalControl = 0
        for u in 0..<directory.userCount where directory.signupDay[u] < days {
            let a = treatment.arm[u]
            if a == TreatmentState.globalControl { globalControl += 1 } else { armUsers[Int(a)] += 1 }
        }
        let arms = spec.arms.enumerated().map { i, arm in
            ExperimentResults.ArmInfo(
                name: arm.name, weight: arm.weight, control: arm.isControl,
                policies: arm.policies.map { spec.policies[$0].name }, users: armUsers[i])
        }

        var comparisons: [ExperimentResults.Comparison] = []
        for (k, a) in spec.treatmentArms.enumerated() {
            let samples = ComparisonSamples(
                comparison: k, treatmentArm: a, treated: recorder, counterfactual: counterfactual,
                arm: { Int(treatment.arm[$0]) }, outcomeDays: spec.outcomeDays)
            comparisons.append(
                try ExperimentStatistics.compare(
                    samples, arm: spec.arms[a].name, control: spec.arms[spec.controlArm].name))
        }
        comparisons = try ExperimentStatistics.correctForMultipleTesting(comparisons)
        let currencyCents = 100.0
        let campaigns = spec.policies.enumerated().map { q, policy in
            let c = self.policy.counters[q]
            return ExperimentResults.Campaign(
                policy: policy.name, channel: policy.channel.rawValue,
                arms: spec.arms.filter { $0.policies.contains(q) }.map(\.name), triggered: c.triggered, sends: c.sends,
                delivered: c.delivered, opened: c.opened, unsubscribes: c.unsubscribes,
                upgradePromptsAccepted: c.upgrades,
                notSent: [
                    "already_sent": c.alreadySent, "cooldown": c.cooldown, "no_consent": c.noConsent,
                    "unsubscribed": c.unsubscribed, "frequency_cap": c.frequencyCap,
                ],
                costPerSend: policy.costCents / currencyCents, cost: Double(c.sends) * policy.costCents / currencyCents)
        }
        for (k, a) in spec.treatmentArms.enumerated() {
            comparisons[k].charge(spec.arms[a].policies.reduce(0.0) { $0 + campaigns[$1].cost })
        }
        return ExperimentResults(
            outcomeDays: spec.outcomeDays, arms: arms, globalControlUsers: globalControl,
            sampleRatio: try ExperimentStatistics.sampleRatio(
                observed: armUsers + (spec.globalControlShare > 0 ? [globalControl] : []),
                shares: expectedShares),
            comparisons: comparisons, campaigns: campaigns)
    }

    /// Each arm's share of all users, then the global control's when there is one.
    var expectedShares: [Double] {
        let total = spec.arms.reduce(0) { $0 + $1.weight }
        let g = spec.globalControlShare
        return spec.arms.map { (1 - g) * $0.weight / total } + (g > 0 ? [g] : [])
    }
}
