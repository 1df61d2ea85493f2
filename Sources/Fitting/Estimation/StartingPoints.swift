import Stats
import UsageModel

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Random but deterministic starting models for EM, spread around what the data look like.
///
/// Start r draws from its own stream, keyed by (seed, ``StreamPurpose/fitStart``, r), so adding starts never
/// changes the earlier ones.
struct StartingPoints {
    /// Mean sessions, key actions per session and the frequency of each feature over the active days.
    let sessionsPerActiveDay: Double
    let keyActionsPerSession: Double
    let featureFrequency: [Double]
    /// The users' shares in each of the ``AccountSizeClass``es (one class, `[1]`, when every user is alone in an
    /// account or the data have none: the sizes then say nothing).
    let accountSizeFrequency: [Double]

    init(_ data: UserDaySequences) {
        var sessions = 0.0
        var keyActions = 0.0
        var featureDays = [Double](repeating: 0, count: data.featureCount)
        for i in 0..<data.totalActiveDays {
            sessions += Double(data.sessionValues[Int(data.sessionLevel[i])])
            keyActions += Double(data.keyActions[i])
            var used = data.features[i]
            while used != 0 {
                featureDays[used.trailingZeroBitCount] += 1
                used &= used - 1
            }
        }
        let activeDays = Double(data.totalActiveDays)
        sessionsPerActiveDay = activeDays > 0 ? sessions / activeDays : 1
        keyActionsPerSession = sessions > 0 ? keyActions / sessions : 0
        featureFrequency = featureDays.map { activeDays > 0 ? $0 / activeDays : 0 }
        var classes = [Double](repeating: 0, count: data.accountSizeClassCount > 1 ? AccountSizeClass.count : 1)
        for u in 0..<data.userCount { classes[data.accountSizeClass(user: u)] += 1 }
        accountSizeFrequency = classes.map { $0 / Double(max(1, data.userCount)) }
    }

    /// Start r for S live states and K personas.
    ///
    /// Session means are spread on a log scale from 2 % to 150 % of the sessions of an active day, one per state in
    /// increasing order with a random position inside each state's slot, so every start has quiet and busy states.
    /// Key actions per session and feature probabilities are the data's, shaken by up to ±20 % and ±30 %. Each
    /// transition row stays put with probability 0.75 to 0.95 and spreads the rest at random over the other states
    /// and churned; first states and shares are random and bounded away from 0. With account sizes, each persona's
    /// classes are the users' shares (plus 0.1 % spread over the classes, so none starts at 0), each shaken by a
    /// factor of 0.5 to 1.5. When the data hold users alone in an account and users in accounts of several and there
    /// are at least two personas, the even starts split the personas between the two instead (a third of them, at
    /// least one, for the users alone): a persona of users alone has all its users in class 0 and the others none,
    /// and EM keeps those zeros. Personas of a product often divide so (freelancers and teams); whether they do in
    /// the data is left to the likelihood, which ranks the starts.
    func model(
        start r: Int, liveStates: Int, personas: Int, featureCount: Int, family: SessionFamily, seed: UInt64
    ) -> HiddenMarkovModel {
        var rng = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.fitStart, UInt64(r), 0))
        let lowest = log(0.02)
        let highest = log(1.5)
        let emissions = (0..<liveStates).map { s -> StateEmission in
            let position = (Double(s) + FastSampler.uniform(using: &rng)) / Double(liveStates)
            let mean = sessionsPerActiveDay * exp(lowest + position * (highest - lowest))
            let rate = keyActionsPerSession * (0.8 + 0.4 * FastSampler.uniform(using: &rng))
            let features = featureFrequency.map { p in
                min(0.99, max(0.01, p * (0.7 + 0.6 * FastSampler.uniform(using: &rng))))
            }
            return StateEmission(
                sessionMean: mean, sessionDispersion: family == .poisson ? .infinity : 1, keyActionsPerSession: rate,
                featureProbabilities: features)
        }
        let n = liveStates + 1
        let chains = (0..<personas).map { _ -> PersonaChain in
            var transitions = [Double](repeating: 0, count: n * n)
            for i in 0..<liveStates {
                let stay = 0.75 + 0.2 * FastSampler.uniform(using: &rng)
                var others = (0..<n).map { j in j == i ? 0 : 0.2 + FastSampler.uniform(using: &rng) }
                let total = others.reduce(0, +)
                others = others.map { $0 / total * (1 - stay) }
                others[i] = stay
                transitions.replaceSubrange((i * n)..<((i + 1) * n), with: others)
            }
            transitions[n * n - 1] = 1
            let firsts = (0..<liveStates).map { _ in 0.2 + FastSampler.uniform(using: &rng) }
            let total = firsts.reduce(0, +)
            return PersonaChain(share: 0, initial: firsts.map { $0 / total }, transitions: transitions)
        }
        let shares = (0..<personas).map { _ in 1 + FastSampler.uniform(using: &rng) }
        let shareTotal = shares.reduce(0, +)
        let floor = 1 / Double(max(1, accountSizeFrequency.count)) * 1e-3
        let banded =
            r % 2 == 0 && personas >= 2 && accountSizeFrequency.count > 1 && accountSizeFrequency[0] > 0
            && accountSizeFrequency[0] < 1
        let alonePersonas = max(1, personas / 3)
        let withShares = zip(chains, shares).enumerated().map { k, pair in
            let (chain, share) = pair
            var sizes = [1.0]
            if accountSizeFrequency.count > 1 {
                sizes = accountSizeFrequency.enumerated().map { c, frequency in
                    if banded && (k < alonePersonas) != (c == 0) { return 0 }
                    return (frequency + floor) * (0.5 + FastSampler.uniform(using: &rng))
                }
                let total = sizes.reduce(0, +)
                sizes = sizes.map { $0 / total }
            }
            return PersonaChain(
                share: share / shareTotal, initial: chain.initial, transitions: chain.transitions, accountSizes: sizes)
        }
        return HiddenMarkovModel(
            unchecked: withShares, emissions: emissions, featureCount: featureCount, sessionFamily: family, habit: nil)
    }
}
