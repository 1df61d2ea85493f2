/// How often something the model does not describe happens in each live state: a trial converting on the day it
/// ends, a milestone reached on a day with a session. Each observation (a user, a day, whether it happened) counts in
/// every live state with the user's posterior probability of being in it that day given all the user's days, taken
/// among the live states (the observation says the user was live); the rate of a state is its weighted successes over
/// its weighted observations.
///
/// It is the M-step an extra emission of the model would get, with the states' posterior of the fitted model, in which
/// the outcome plays no part: a user who did not convert does not make a state where conversions are rare likelier.
///
/// With `personas` above 1 the rates are kept apart per persona and state, each observation counted with the joint
/// posterior of the two (``UserPosterior/probability(persona:day:state:)``); with `groups` above 1, apart per group of
/// users known beforehand as well (accounts of one user and of several, say).
public struct StateOutcomeRates: Sendable, Hashable {
    /// Kinds of outcome tallied apart (one per milestone, say).
    public let kinds: Int
    public let liveStates: Int
    /// Personas tallied apart; 1 pools them.
    public let personas: Int
    /// Groups of users tallied apart.
    public let groups: Int
    /// Posterior-weighted observations, at `((kind · personas + persona) · groups + group) · liveStates + state`.
    public private(set) var observations: [Double]
    /// Posterior-weighted successes, laid out alike.
    public private(set) var successes: [Double]

    public init(kinds: Int, liveStates: Int, personas: Int = 1, groups: Int = 1) {
        self.kinds = kinds
        self.liveStates = liveStates
        self.personas = personas
        self.groups = groups
        observations = Array(repeating: 0, count: kinds * personas * groups * liveStates)
        successes = observations
    }

    /// Adds one observation of `kind` on `day` (days since the user's sign-up) of the user whose posterior is given.
    /// A day the posterior gives no live state any probability is left out. With `givenLive` (the default) the
    /// observation says the user was live, and counts in the live states with their probabilities among them; without
    /// it, the user may have churned, and it counts with each live state's probability as it is, the rest in none.
    public mutating func add(
        _ posterior: UserPosterior, day: Int, kind: Int, success: Bool, givenLive: Bool = true, group: Int = 0
    ) {
        add(
            posterior, day: day, kinds: CollectionOfOne(kind), succeeded: success ? kind : nil, givenLive: givenLive,
            group: group)
    }

    /// Adds one observation of each of `kinds` on the same day, all with the day's weights, computed once: a success
    /// of `succeeded` and of no other (a score of 7 among the eleven scores, a move to one plan among the others).
    public mutating func add(
        _ posterior: UserPosterior, day: Int, kinds: some Sequence<Int>, succeeded: Int?, givenLive: Bool = true,
        group: Int = 0
    ) {
        let cells = personas * liveStates
        withUnsafeTemporaryAllocation(of: Double.self, capacity: cells) { weights in
            var live = 0.0
            for c in 0..<cells {
                weights[c] =
                    personas == 1
                    ? posterior.probability(day: day, state: c)
                    : posterior.probability(persona: c / liveStates, day: day, state: c % liveStates)
                live += weights[c]
            }
            guard live > 0 else { return }
            let scale = givenLive ? live : 1
            for c in 0..<cells { weights[c] /= scale }
            for kind in kinds {
                for c in 0..<cells {
                    let i = index(kind: kind, state: c % liveStates, persona: c / liveStates, group: group)
                    observations[i] += weights[c]
                    if kind == succeeded { successes[i] += weights[c] }
                }
            }
        }
    }

    /// The same tally with the personas and groups pooled.
    public var pooledOverPersonas: StateOutcomeRates {
        var pooled = StateOutcomeRates(kinds: kinds, liveStates: liveStates)
        for kind in 0..<kinds {
            for k in 0..<personas {
                for g in 0..<groups {
                    for s in 0..<liveStates {
                        let i = index(kind: kind, state: s, persona: k, group: g)
                        pooled.observations[kind * liveStates + s] += observations[i]
                        pooled.successes[kind * liveStates + s] += successes[i]
                    }
                }
            }
        }
        return pooled
    }

    private func index(kind: Int, state: Int, persona: Int, group: Int) -> Int {
        ((kind * personas + persona) * groups + group) * liveStates + state
    }

    /// Adds another tally of the same shape.
    public mutating func add(_ other: StateOutcomeRates) {
        for i in observations.indices {
            observations[i] += other.observations[i]
            successes[i] += other.successes[i]
        }
    }

    /// Weighted successes over weighted observations; nil for a state no observation of the kind fell in.
    public func rate(kind: Int, state: Int, persona: Int = 0, group: Int = 0) -> Double? {
        let i = index(kind: kind, state: state, persona: persona, group: group)
        return observations[i] > 0 ? successes[i] / observations[i] : nil
    }

    /// The expected number of observations of `kind` made in `state` (by `persona` in `group`): how much a rate
    /// rests on.
    public func weight(kind: Int, state: Int, persona: Int = 0, group: Int = 0) -> Double {
        observations[index(kind: kind, state: state, persona: persona, group: group)]
    }
}
