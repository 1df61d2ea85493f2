/// How the number of sessions on a day is distributed in a live state.
public enum SessionFamily: String, Sendable, Hashable, CaseIterable {
    /// Poisson with the state's mean (variance = mean).
    case poisson
    /// Negative binomial with the state's mean and dispersion k (variance mean + mean²/k): the scenario format's
    /// burstier usage, and the Poisson as k → ∞.
    case negativeBinomial
}

/// What a user in one live engagement state does on a day, as the simulator draws it (docs/simulation.md, step 1):
/// sessions from a Poisson or negative binomial; on a day with at least one session, key actions Poisson with mean
/// sessions × ``keyActionsPerSession`` and each feature used with its own probability.
///
/// Milestones and NPS answers are not part of this model.
public struct StateEmission: Sendable, Hashable {
    /// Mean sessions a day, ≥ 0.
    public var sessionMean: Double
    /// The negative binomial's dispersion k > 0, or `.infinity` for Poisson sessions.
    public var sessionDispersion: Double
    /// Mean key actions per session, ≥ 0.
    public var keyActionsPerSession: Double
    /// Chance of using each feature on a day with a session, one per feature of the data.
    public var featureProbabilities: [Double]

    public init(
        sessionMean: Double, sessionDispersion: Double = .infinity, keyActionsPerSession: Double,
        featureProbabilities: [Double]
    ) {
        self.sessionMean = sessionMean
        self.sessionDispersion = sessionDispersion
        self.keyActionsPerSession = keyActionsPerSession
        self.featureProbabilities = featureProbabilities
    }
}
