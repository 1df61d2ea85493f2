import Analysis
import Reports
import Segmentation
import Simulation
import UsageModel

extension RunResults {
    /// The results of a finished run: the scenario as run, the population as drawn, every day's
    /// measures and their totals, and the analyses.
    init(
        scenario: Scenario, spec: SimulationSpec, layout: PopulationLayout, metrics: [DayMetrics],
        segmentation: SegmentationResults, analysis: AnalysisResults, experiment: ExperimentResults? = nil,
        replicates: ReplicateResults? = nil
    ) {
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
        let summary = Summary(
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
        let q = spec.dataQuality
        self.init(
            schemaVersion: ResultsFile.schemaVersion,
            scenario: ScenarioInfo(
                name: scenario.name, description: scenario.description, source: scenario.source,
                currency: model.commerce.currency, seed: spec.seed, startDate: spec.startDate.description,
                days: spec.days, users: spec.users, signupDays: spec.signupDays),
            population: PopulationInfo(
                users: spec.users, accounts: layout.directory.accountCount,
                personas: model.personas.indices.map {
                    PersonaInfo(
                        name: model.personas[$0].name, share: model.personas[$0].share, users: personaUsers[$0],
                        accounts: personaAccounts[$0])
                }),
            states: stateNames,
            plans: model.commerce.plans.map { PlanInfo(name: $0.name, monthlyPriceCents: $0.monthlyPriceCents) },
            summary: summary, days: days, segmentation: segmentation, analysis: analysis,
            dataQuality: DataQualityInfo(
                lostEvents: q.lostEvents, duplicateUserShare: q.duplicateUserShare,
                duplicateEventShare: q.duplicateEventShare, lateEventProbability: q.lateEventProbability,
                lateDelayMedianHours: q.lateDelayMedianHours),
            experiment: experiment, replicates: replicates)
    }
}

extension SegmentationResults {
    /// Definitions, sizes at every evaluation and transition counts of a finished engine.
    init(_ engine: SegmentationEngine) {
        self.init(engine.compiled, evaluations: engine.evaluations)
    }

    init(_ compiled: CompiledSegmentation, evaluations engineEvaluations: [SegmentEvaluation]) {
        let names = compiled.segmentNames
        let states = names + ["unmatched", "not_signed_up"]
        let k = states.count
        func matrix(_ flat: [Int]) -> [[Int]] { (0..<k).map { Array(flat[($0 * k)..<($0 * k + k)]) } }
        var total = [Int](repeating: 0, count: k * k)
        let evaluations = engineEvaluations.map { e in
            if let t = e.transitions { for i in total.indices { total[i] += t[i] } }
            return Evaluation(
                index: e.index, day: e.day, date: e.date.description,
                sizes: Dictionary(uniqueKeysWithValues: zip(names, e.sizes)), unmatched: e.unmatched,
                notSignedUp: e.notSignedUp, tags: Dictionary(uniqueKeysWithValues: zip(compiled.tagNames, e.tagCounts)),
                transitions: e.transitions.map(matrix))
        }
        self.init(
            every: compiled.spec.every.rawValue,
            segments: compiled.spec.segments.map {
                Definition(name: $0.name, when: $0.when, description: $0.description)
            },
            tags: compiled.spec.tags.map { Definition(name: $0.name, when: $0.when, description: $0.description) },
            transitionStates: states, evaluations: evaluations, totalTransitions: matrix(total))
    }
}
