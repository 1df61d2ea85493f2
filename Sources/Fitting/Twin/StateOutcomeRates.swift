/// How often something the model does not describe happens in each live state: a trial converting on the day it
/// ends, a milestone reached on a day with a session. Each observation (a user, a day, whether it happened) counts in
/// every live state with the user's posterior probability of being in it that day given all the user's days, taken
/// among the live states (the observation says the user was live); the rate of a state is its weighted successes over
/// its weighted observations.
///
/// It is the M-step an extra emission of the model would get, with the states' posterior of the fitted model, in which
/// the outcome plays no part: a user who did not convert does not make a state where conversions are rare likelier.
public struct StateOutcomeRates: Sendable, Hashable {
    /// Kinds of outcome tallied apart (one per milestone, say).
    public let kinds: Int
    public let liveStates: Int
    /// Posterior-weighted observations, at `kind · liveStates + state`.
    public private(set) var observations: [Double]
    /// Posterior-weighted successes, laid out alike.
    public private(set) var successes: [Double]

    public init(kinds: Int, liveStates: Int) {
        self.kinds = kinds
        self.liveStates = liveStates
        observations = Array(repeating: 0, count: kinds * liveStates)
        successes = Array(repeating: 0, count: kinds * liveStates)
    }

    /// Adds one observation of `kind` on `day` (days since the user's sign-up) of the user whose posterior is given.
    /// A day the posterior gives no live state any probability is left out. With `givenLive` (the default) the
    /// observation says the user was live, and counts in the live states with their probabilities among them; without
    /// it, the user may have churned, and it counts with each live state's probability as it is, the rest in none.
    public mutating func add(_ posterior: UserPosterior, day: Int, kind: Int, success: Bool, givenLive: Bool = true) {
        add(posterior, day: day, kinds: CollectionOfOne(kind), succeeded: success ? kind : nil, givenLive: givenLive)
    }

    /// Adds one observation of each of `kinds` on the same day, all with the day's weights, computed once: a success
    /// of `succeeded` and of no other (a score of 7 among the eleven scores, a move to one plan among the others).
    public mutating func add(
        _ posterior: UserPosterior, day: Int, kinds: some Sequence<Int>, succeeded: Int?, givenLive: Bool = true
    ) {
        var live = 0.0
        for s in 0..<liveStates { live += posterior.probability(day: day, state: s) }
        guard live > 0 else { return }
        let scale = givenLive ? live : 1
        withUnsafeTemporaryAllocation(of: Double.self, capacity: liveStates) { weights in
            for s in 0..<liveStates { weights[s] = posterior.probability(day: day, state: s) / scale }
            for kind in kinds {
                for s in 0..<liveStates {
                    observations[kind * liveStates + s] += weights[s]
                    if kind == succeeded { successes[kind * liveStates + s] += weights[s] }
                }
            }
        }
    }

    /// Adds another tally of the same shape.
    public mutating func add(_ other: StateOutcomeRates) {
        for i in observations.indices {
            observations[i] += other.observations[i]
            successes[i] += other.successes[i]
        }
    }

    /// Weighted successes over weighted observations; nil for a state no observation of the kind fell in.
    public func rate(kind: Int, state: Int) -> Double? {
        let n = observations[kind * liveStates + state]
        return n > 0 ? successes[kind * liveStates + state] / n : nil
    }

    /// The expected number of observations of `kind` made in `state`: how much a rate rests on.
    public func weight(kind: Int, state: Int) -> Double { observations[kind * liveStates + state] }
}
