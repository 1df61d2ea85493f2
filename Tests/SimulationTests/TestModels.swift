import Simulation
import UsageModel

/// Small hand-built models whose parameters the tests recover from simulated data.
enum TestModels {
    /// Three states (active, idle, churned) and two personas; no habit, no seasonality, so the
    /// daily transition probabilities are exactly the rows below.
    static func small(
        users: Int = 20_000, days: Int = 60, seed: UInt64 = 7, signupDays: Int = 1, habit: Habit? = nil,
        trialDays: Int = 0, fallbackPlan: Int? = 0
    ) -> SimulationSpec {
        let states = [
            LatentState(name: "active", level: 2), LatentState(name: "idle", level: 1),
            LatentState(name: "churned", level: 0),
        ]
        let features = ["reports", "exports"]
        let milestones = [Milestone(name: "setup", requires: []), Milestone(name: "invite", requires: [0])]
        let uniformNPS = [Double](repeating: 1.0 / 11, count: 11)
        func behaviour(
            next: [Double], sessions: SessionModel, kaps: Double, features: [Double], hazards: [Double], nps: Double
        ) -> StateBehaviour {
            StateBehaviour(
                next: next, sessions: sessions, keyActionsPerSession: kaps, featureUse: features,
                milestoneHazard: hazards, npsAnswerProbability: nps,
                npsScoreWeights: [0, 0, 0, 0, 0, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2])
        }
        let absorbing = StateBehaviour(
            next: [0, 0, 1], sessions: .poisson(mean: 0), keyActionsPerSession: 0, featureUse: [0, 0],
            milestoneHazard: [0, 0], npsAnswerProbability: 0, npsScoreWeights: uniformNPS)
        let solo = Persona(
            name: "solo", share: 0.3, plan: 1, trialDays: trialDays, teamSize: .fixed(1),
            initialStates: [1, 0, 0],
            states: [
                behaviour(
                    next: [0.90, 0.08, 0.02], sessions: .poisson(mean: 2.0), kaps: 3.0, features: [0.5, 0.2],
                    hazards: [0.3, 0.2], nps: 0.05),
                behaviour(
                    next: [0.10, 0.85, 0.05], sessions: .poisson(mean: 0.3), kaps: 1.0, features: [0.1, 0.0],
                    hazards: [0.1, 0.05], nps: 0.02),
                absorbing,
            ])
        let team = Persona(
            name: "team", share: 0.7, plan: 2, trialDays: trialDays, teamSize: .poisson(mean: 5, max: 40),
            initialStates: [0.6, 0.4, 0],
            states: [
                behaviour(
                    next: [0.95, 0.04, 0.01], sessions: .negativeBinomial(mean: 3.0, dispersion: 1.5), kaps: 4.0,
                    features: [0.7, 0.4], hazards: [0.4, 0.3], nps: 0.05),
                behaviour(
                    next: [0.15, 0.82, 0.03], sessions: .negativeBinomial(mean: 0.5, dispersion: 0.8), kaps: 1.5,
                    features: [0.2, 0.05], hazards: [0.1, 0.05], nps: 0.02),
                absorbing,
            ])
        let commerce = Commerce(
            currency: "USD",
            plans: [
                Plan(name: "free", monthlyPriceCents: 0), Plan(name: "team", monthlyPriceCents: 1500),
                Plan(name: "business", monthlyPriceCents: 3900),
            ],
            fallbackPlan: fallbackPlan, conversion: [0.6, 0.1, 0],
            planChanges: [
                PlanChange(from: 1, to: 2, dailyProbability: [0.01, 0, 0]),
                PlanChange(from: 2, to: 1, dailyProbability: [0, 0.02, 0]),
            ])
        let model = BehaviourModel(
            states: states, churnedState: 2, features: features, milestones: milestones, activationMilestones: [0, 1],
            personas: [solo, team], habit: habit, weekdayFactors: [Double](repeating: 1, count: 7),
            productChanges: [], commerce: commerce)
        return SimulationSpec(
            seed: seed, startDate: CivilDate(year: 2026, month: 1, day: 5)!, days: days, users: users,
            signupDays: signupDays, model: model, dataQuality: .none)
    }
}
