extension HiddenMarkovModel {
    /// One number of a model, named by its place (`personas[1].transitions[0][3]`, `emissions[2].sessionMean`).
    public struct NamedParameter: Sendable, Hashable {
        public let name: String
        public let value: Double
    }

    /// Every parameter of the model, in a fixed order: per persona its share, initial probabilities and the live
    /// rows of its transition matrix (every entry, so each has a standard error); then per live state its session
    /// mean, dispersion (negative binomial only), key actions per session and feature probabilities; then, with
    /// account sizes, each persona's account size classes; then, with habit feedback, its strength; last, per release,
    /// its key-action factor and feature factors.
    ///
    /// The list holds redundant entries (a row's last entry follows from the others); ``freeParameterCount`` counts
    /// only the free ones.
    public var namedParameters: [NamedParameter] {
        var list: [NamedParameter] = []
        for (k, persona) in personas.enumerated() {
            list.append(NamedParameter(name: "personas[\(k)].share", value: persona.share))
            for (i, p) in persona.initial.enumerated() {
                list.append(NamedParameter(name: "personas[\(k)].initial[\(i)]", value: p))
            }
            for i in 0..<liveStates {
                for j in 0..<stateCount {
                    list.append(
                        NamedParameter(
                            name: "personas[\(k)].transitions[\(i)][\(j)]", value: persona.transition(from: i, to: j)))
                }
            }
        }
        for (s, emission) in emissions.enumerated() {
            list.append(NamedParameter(name: "emissions[\(s)].sessionMean", value: emission.sessionMean))
            if sessionFamily == .negativeBinomial {
                list.append(
                    NamedParameter(name: "emissions[\(s)].sessionDispersion", value: emission.sessionDispersion))
            }
            list.append(
                NamedParameter(name: "emissions[\(s)].keyActionsPerSession", value: emission.keyActionsPerSession))
            for (f, p) in emission.featureProbabilities.enumerated() {
                list.append(NamedParameter(name: "emissions[\(s)].featureProbabilities[\(f)]", value: p))
            }
        }
        if accountSizeClasses > 1 {
            for (k, persona) in personas.enumerated() {
                for (c, p) in persona.accountSizes.enumerated() {
                    list.append(NamedParameter(name: "personas[\(k)].accountSizes[\(c)]", value: p))
                }
            }
        }
        if let habit { list.append(NamedParameter(name: "habit.strength", value: habit.strength)) }
        for (j, release) in releases.enumerated() {
            list.append(NamedParameter(name: "releases[\(j)].keyActionFactor", value: release.keyActionFactor))
            for (f, factor) in release.featureFactors.enumerated() {
                list.append(NamedParameter(name: "releases[\(j)].featureFactors[\(f)]", value: factor))
            }
        }
        return list
    }

    /// The number of free parameters, the `p` of BIC: with K personas, S live states and F features,
    /// (K − 1) shares + K(S − 1) initial probabilities + K·S² transition probabilities (S free entries in each of S
    /// live rows; the churned row is fixed) + S(2 + F) emissions (session mean, key actions per session, features),
    /// plus S dispersions for negative binomial sessions, K(C − 1) account size probabilities with C classes and,
    /// with habit feedback, its strength and half-life (the half-life is chosen among a few, but chosen from the
    /// data all the same), and per release its day and 1 + F factors (the day is chosen among the log's days, but
    /// chosen from the data all the same).
    public var freeParameterCount: Int {
        let k = personas.count
        let s = liveStates
        let perState = 2 + featureCount + (sessionFamily == .negativeBinomial ? 1 : 0)
        return (k - 1) + k * (s - 1) + k * s * s + s * perState + k * (accountSizeClasses - 1) + (habit == nil ? 0 : 2)
            + releases.count * (2 + featureCount)
    }

    /// The same model with live states sorted by session mean (ascending) and personas by share (descending), ties
    /// kept in their order.
    ///
    /// EM finds states and personas in an arbitrary order (label switching); this order makes fits comparable.
    public func canonicallyOrdered() -> HiddenMarkovModel {
        let stateOrder = (0..<liveStates).sorted {
            (emissions[$0].sessionMean, $0) < (emissions[$1].sessionMean, $1)
        }
        let personaOrder = personas.indices.sorted { (-personas[$0].share, $0) < (-personas[$1].share, $1) }
        return relabeled(states: stateOrder, personas: personaOrder)
    }

    /// The same model with its live states and personas listed in another order: new live state i is old state
    /// `states[i]` and new persona k old persona `personas[k]`; churned stays last. Both must be permutations.
    public func relabeled(states: [Int], personas order: [Int]) -> HiddenMarkovModel {
        precondition(states.sorted() == Array(0..<liveStates), "states must be a permutation of the live states")
        precondition(order.sorted() == Array(personas.indices), "personas must be a permutation of the personas")
        // New state index → old one.
        let old = states + [churned]
        let n = stateCount
        let reordered = order.map { k in
            let persona = personas[k]
            var transitions = [Double](repeating: 0, count: n * n)
            for i in 0..<n {
                for j in 0..<n {
                    transitions[i * n + j] = persona.transitions[old[i] * n + old[j]]
                }
            }
            return PersonaChain(
                share: persona.share, initial: states.map { persona.initial[$0] }, transitions: transitions,
                accountSizes: persona.accountSizes)
        }
        var levels = habit
        levels?.stateLevels = states.map { habit!.stateLevels[$0] }
        return replacing(personas: reordered, emissions: states.map { emissions[$0] }).replacing(habit: levels)
    }
}
