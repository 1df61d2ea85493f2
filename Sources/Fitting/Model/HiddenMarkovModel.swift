/// A hidden Markov model of user-days: the behaviour model of docs/simulation.md with its habit feedback optional
/// (``HabitFeedback``) and without team, weekday and campaign modifiers, milestones or NPS, in a form that can be
/// fitted to an event log.
///
/// Each user belongs to one persona (a finite mixture over users). The persona fixes the distribution of the first
/// latent state and the day-to-day transition matrix; the latent states are `liveStates` engagement states plus one
/// absorbing churned state that emits nothing. The emissions of a live state are **shared by all personas**: a
/// state means the same behaviour whoever is in it, and personas differ only in how they move between states. That
/// is simpler to fit and to read than per-persona emissions, and it is what lets a persona be told apart from a
/// state.
public struct HiddenMarkovModel: Sendable, Hashable {
    /// Engagement states other than churned.
    public let liveStates: Int
    /// Features whose daily use the model describes.
    public let featureCount: Int
    /// How sessions are distributed in every live state.
    public let sessionFamily: SessionFamily
    /// The personas, whose shares sum to 1.
    public let personas: [PersonaChain]
    /// The emissions of the live states, indexed by state.
    public let emissions: [StateEmission]
    /// Transitions that depend on the user's recent activity; nil for one matrix per persona.
    public let habit: HabitFeedback?
    /// Releases in calendar order (``ProductRelease``); none for a model whose emissions are the same every day.
    public let releases: [ProductRelease]

    /// Classes of account size the personas' ``PersonaChain/accountSizes`` run over; 1 without accounts.
    public var accountSizeClasses: Int { personas.first?.accountSizes.count ?? 1 }

    /// Index of the churned state.
    public var churned: Int { liveStates }
    /// Live states and churned.
    public var stateCount: Int { liveStates + 1 }

    /// Tolerance on the sums of probability vectors (the scenario format's).
    static let sumTolerance = 1e-9

    /// The most live states a model has: the scenario format's limit, and what the forward–backward passes' vectors
    /// are sized for (``HMMInference``).
    public static let maximumLiveStates = 16

    /// A validated model.
    /// - Throws: ``FittingError`` (``FittingError/Code/invalidModel``) listing every problem: shapes that do not
    ///   match, probabilities outside [0, 1] or not summing to 1 (±1e-9), a churned row that is not absorbing, initial
    ///   mass on churned, more than ``maximumLiveStates`` live states, a non-positive mean or dispersion, a finite
    ///   dispersion in a Poisson model or an infinite one in a negative binomial model, a habit strength outside
    ///   [0, 1), a half-life that is not positive or state levels not one per live state.
    public init(
        personas: [PersonaChain], emissions: [StateEmission], featureCount: Int, sessionFamily: SessionFamily,
        habit: HabitFeedback? = nil
    ) throws {
        var problems = Self.problems(
            personas: personas, emissions: emissions, featureCount: featureCount, sessionFamily: sessionFamily)
        if let habit {
            if !(habit.strength >= 0 && habit.strength < 1) { problems.append("habit.strength: must be within [0, 1)") }
            if !(habit.halfLifeDays > 0 && habit.halfLifeDays.isFinite) {
                problems.append("habit.halfLifeDays: must be finite and > 0")
            }
            if habit.stateLevels.count != emissions.count {
                problems.append(
                    "habit.stateLevels: \(habit.stateLevels.count) entries, expected \(emissions.count)")
            }
        }
        guard problems.isEmpty else {
            throw FittingError(.invalidModel, problems.joined(separator: "\n"))
        }
        self.init(
            unchecked: personas, emissions: emissions, featureCount: featureCount, sessionFamily: sessionFamily,
            habit: habit)
    }

    /// A model built by the estimator, whose M-step keeps every invariant by construction.
    init(
        unchecked personas: [PersonaChain], emissions: [StateEmission], featureCount: Int, sessionFamily: SessionFamily,
        habit: HabitFeedback?, releases: [ProductRelease] = []
    ) {
        self.liveStates = emissions.count
        self.featureCount = featureCount
        self.sessionFamily = sessionFamily
        self.personas = personas
        self.emissions = emissions
        self.habit = habit
        self.releases = releases
    }

    /// The same model with other personas or emissions (of the same shapes).
    func replacing(personas: [PersonaChain]? = nil, emissions: [StateEmission]? = nil) -> HiddenMarkovModel {
        HiddenMarkovModel(
            unchecked: personas ?? self.personas, emissions: emissions ?? self.emissions, featureCount: featureCount,
            sessionFamily: sessionFamily, habit: habit, releases: releases)
    }

    /// The same model with other habit feedback (nil: none).
    func replacing(habit: HabitFeedback?) -> HiddenMarkovModel {
        HiddenMarkovModel(
            unchecked: personas, emissions: emissions, featureCount: featureCount, sessionFamily: sessionFamily,
            habit: habit, releases: releases)
    }

    /// The same model with these releases (days ascending; factors checked by the caller).
    public func replacing(releases: [ProductRelease]) -> HiddenMarkovModel {
        precondition(
            zip(releases, releases.dropFirst()).allSatisfy { $0.day < $1.day }
                && releases.allSatisfy { $0.featureFactors.count == featureCount && $0.keyActionFactor > 0 },
            "releases: days ascending, one factor per feature")
        return HiddenMarkovModel(
            unchecked: personas, emissions: emissions, featureCount: featureCount, sessionFamily: sessionFamily,
            habit: habit, releases: releases)
    }

    private static func problems(
        personas: [PersonaChain], emissions: [StateEmission], featureCount: Int, sessionFamily: SessionFamily
    ) -> [String] {
        var problems: [String] = []
        let live = emissions.count
        let states = live + 1
        if live < 1 { problems.append("emissions: at least one live state is needed") }
        if live > maximumLiveStates {
            problems.append("emissions: at most \(maximumLiveStates) live states (the scenario format's), got \(live)")
        }
        if personas.isEmpty { problems.append("personas: at least one persona is needed") }
        if !(0...32).contains(featureCount) { problems.append("featureCount: must be between 0 and 32") }
        func isProbability(_ p: Double) -> Bool { p >= 0 && p <= 1 }
        func checkDistribution(_ values: ArraySlice<Double>, _ place: String) {
            if let bad = values.firstIndex(where: { !isProbability($0) }) {
                problems.append("\(place)[\(bad - values.startIndex)]: must be a probability in [0, 1]")
                return
            }
            let sum = values.reduce(0, +)
            if abs(sum - 1) > sumTolerance { problems.append("\(place): probabilities sum to \(sum), must sum to 1") }
        }
        let shares = personas.map(\.share)
        checkDistribution(shares[...], "personas.share")
        for (k, persona) in personas.enumerated() {
            let place = "personas[\(k)]"
            guard persona.initial.count == live else {
                problems.append("\(place).initial: \(persona.initial.count) entries, expected \(live)")
                continue
            }
            checkDistribution(persona.initial[...], "\(place).initial")
            guard persona.transitions.count == states * states else {
                problems.append(
                    "\(place).transitions: \(persona.transitions.count) entries, expected \(states * states)")
                continue
            }
            for i in 0..<live {
                checkDistribution(persona.transitions[(i * states)..<((i + 1) * states)], "\(place).transitions[\(i)]")
            }
            if persona.accountSizes.count != personas[0].accountSizes.count {
                problems.append(
                    "\(place).accountSizes: \(persona.accountSizes.count) classes, the first persona has "
                        + "\(personas[0].accountSizes.count)")
            } else {
                checkDistribution(persona.accountSizes[...], "\(place).accountSizes")
            }
            let churnedRow = persona.transitions[(live * states)..<(states * states)]
            if churnedRow.dropLast().contains(where: { $0 != 0 }) || churnedRow.last != 1 {
                problems.append("\(place).transitions[\(live)]: churned is absorbing, its row must be [0, …, 0, 1]")
            }
        }
        for (s, emission) in emissions.enumerated() {
            let place = "emissions[\(s)]"
            if !(emission.sessionMean >= 0 && emission.sessionMean.isFinite) {
                problems.append("\(place).sessionMean: must be finite and ≥ 0")
            }
            switch sessionFamily {
            case .poisson where emission.sessionDispersion != .infinity:
                problems.append("\(place).sessionDispersion: must be infinite in a Poisson model")
            case .negativeBinomial where !(emission.sessionDispersion > 0 && emission.sessionDispersion.isFinite):
                problems.append("\(place).sessionDispersion: must be finite and > 0 in a negative binomial model")
            default: break
            }
            if !(emission.keyActionsPerSession >= 0 && emission.keyActionsPerSession.isFinite) {
                problems.append("\(place).keyActionsPerSession: must be finite and ≥ 0")
            }
            if emission.featureProbabilities.count != featureCount {
                problems.append(
                    "\(place).featureProbabilities: \(emission.featureProbabilities.count) entries, expected \(featureCount)"
                )
            } else if let bad = emission.featureProbabilities.firstIndex(where: { !isProbability($0) }) {
                problems.append("\(place).featureProbabilities[\(bad)]: must be a probability in [0, 1]")
            }
        }
        return problems
    }
}
