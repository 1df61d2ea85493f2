import Simulation

extension Scenario {
    /// One line on what the scenario simulates, for `segmentlab validate`.
    public var overview: String {
        let model = spec.model
        return "\(spec.users) users, \(spec.days) days, \(model.personas.count) personas, "
            + "\(model.states.count) latent states, \(model.features.count) features, "
            + "\(model.milestones.count) milestones, \(model.commerce.plans.count) plans"
    }
}
