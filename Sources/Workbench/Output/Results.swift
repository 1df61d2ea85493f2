import Simulation
import UsageModel

/// `results.json`: everything a run measured, with the counts behind it.
///
/// The layout is versioned by `schema_version`; a field is added, never changed in meaning,
/// without raising it. Nothing depends on the thread count or the clock, so the same scenario
/// and seed give the same bytes (invariant 1).
struct Results: Encodable {
    static let schemaVersion = 1

    let schemaVersion: Int
    let scenario: ScenarioInfo
    let population: PopulationInfo
    let states: [String]
    let plans: [PlanInfo]
    let summary: Summary
    let days: [Day]
    let segmentation: SegmentationResults
    let analysis: AnalysisResults
    /// Campaigns, arms and lift; absent when the scenario has no interventions.
    var experiment: ExperimentResults?
    /// Power and coverage over replicate seeds, with `--replicates`.
    var replicates: ReplicateResults?

    struct ScenarioInfo: Encodable {
        let name: String
        let seed: UInt64
        let startDate: String
        let days: Int
        let users: Int
        let signupDays: Int
    }

    struct PopulationInfo: Encodable {
        let users: Int
        let accounts: Int
        let personas: [PersonaInfo]
    }

    struct PersonaInfo: Encodable {
        let name: String
        let share: Double
        let users: Int
        let accounts: Int
    }

    struct PlanInfo: Encodable {
        let name: String
        let monthlyPriceCents: Int64
    }

    struct Summary: Encodable {
        let signups: Int
        let activations: Int
        /// Activated users over signed-up users.
        let activationRate: Double
        let churned: Int
        let conversions: Int
        let trialExpirations: Int
        /// Conversions over trials that ended.
        let trialConversionRate: Double
        let upgrades: Int
        let downgrades: Int
        let finalPayingUsers: Int
        let finalMrrCents: Int
        let totalRevenueCents: Int
        let sessions: Int
        let keyActions: Int
        let npsResponses: Int
        /// Promoters minus detractors, in percent of responses, over the whole run.
        let nps: Double?
        /// Mean of DAU/MAU over the days of the last 28 with MAU > 0.
        let stickinessLast28Days: Double
    }

    struct Day: Encodable {
        let day: Int
        let date: String
        let signups: Int
        let usersByState: [String: Int]
        let dau: Int
        let wau: Int
        let mau: Int
        let newActivations: Int
        let churned: Int
        let sessions: Int
        let keyActions: Int
        let npsResponses: Int
        let trialUsers: Int
        let conversions: Int
        let trialExpirations: Int
        let upgrades: Int
        let downgrades: Int
        let payingUsers: Int
        let mrrCents: Int
        /// A day's share of a year of MRR, in whole cents (rounded half up).
        let revenueCents: Int
    }
}

extension Results {
    init(
        spec: SimulationSpec, name: String, layout: PopulationLayout, metrics: [DayMetrics],
        segmentation: SegmentationResults, analysis: AnalysisResults, experiment: ExperimentResults? = nil,
        replicates: ReplicateResults? = nil
    ) {
        self.replicates = replicates
        self.segmentation = segmentation
        self.analysis = analysis
        self.experiment = experiment
        let model = spec.model
        let stateNames = model.states.map(\.name)
        var personaUsers = [Int](repeating: 0, count: model.personas.count)
        layout.persona.withUnsafeBufferPointer { for p in $0 { personaUsers[Int(p)] += 1 } }
        var personaAccounts = [Int](repeating: 0, count: model.personas.count)
        for p in layout.accountPersona { personaAccounts[Int(p)] += 1 }

        let days = metrics.map { m in
            Day(
                day: m.day, date: spec.startDate.adding(days: m.day).description, signups: m.signups,
                usersByState: Dictionary(uniqueKeysWithValues: zip(stateNames, m.usersByState)),
                dau: m.dau, wau: m.wau, mau: m.mau, newActivations: m.newActivations, churned: m.churned,
                sessions: m.sessions, keyActions: m.keyActions, npsResponses: m.npsResponses,
                trialUsers: m.trialUsers, conversions: m.conversions, trialExpirations: m.trialExpirations,
                upgrades: m.upgrades, downgrades: m.downgrades, payingUsers: m.payingUsers, mrrCents: m.mrrCents,
                revenueCents: Int((m.revenueCents + 0.5).rounded(.down)))
        }
        func total(_ key: KeyPath<DayMetrics, Int>) -> Int { metrics.reduce(0) { $0 + $1[keyPath: key] } }
        let signups = total(\.signups)
        let activations = total(\.newActivations)
        let conversions = total(\.conversions)
        let expirations = total(\.trialExpirations)
        let responses = total(\.npsResponses)
        let last28 = metrics.suffix(28).filter { $0.mau > 0 }
        let stickiness =
            last28.isEmpty ? 0 : last28.reduce(0.0) { $0 + Double($1.dau) / Double($1.mau) } / Double(last28.count)
        summary = Summary(
            signups: signups, activations: activations,
            activationRate: signups == 0 ? 0 : Double(activations) / Double(signups),
            churned: total(\.churned), conversions: conversions, trialExpirations: expirations,
            trialConversionRate: conversions + expirations == 0
                ? 0 : Double(conversions) / Double(conversions + expirations),
            upgrades: total(\.upgrades), downgrades: total(\.downgrades),
            finalPayingUsers: metrics.last?.payingUsers ?? 0, finalMrrCents: metrics.last?.mrrCents ?? 0,
            totalRevenueCents: days.reduce(0) { $0 + $1.revenueCents },
            sessions: total(\.sessions), keyActions: total(\.keyActions), npsResponses: responses,
            nps: responses == 0 ? nil : 100 * Double(total(\.promoters) - total(\.detractors)) / Double(responses),
            stickinessLast28Days: stickiness)

        schemaVersion = Results.schemaVersion
        scenario = ScenarioInfo(
            name: name, seed: spec.seed, startDate: spec.startDate.description, days: spec.days, users: spec.users,
            signupDays: spec.signupDays)
        population = PopulationInfo(
            users: spec.users, accounts: layout.directory.accountCount,
            personas: model.personas.indices.map {
                PersonaInfo(
                    name: model.personas[$0].name, share: model.personas[$0].share, users: personaUsers[$0],
                    accounts: personaAccounts[$0])
            })
        states = stateNames
        plans = model.commerce.plans.map { PlanInfo(name: $0.name, monthlyPriceCents: $0.monthlyPriceCents) }
        self.days = days
    }
}
