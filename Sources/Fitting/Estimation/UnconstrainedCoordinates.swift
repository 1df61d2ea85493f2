#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Coordinates of models in which any point is a valid model, for extrapolating EM steps (``HMMFitter``'s SQUAREM):
/// logarithms of the probabilities of each vector (shares, first states, transition rows, account size classes; mapped back by
/// normalising their exponentials), logarithms of means, dispersions and rates, log-odds of feature
/// probabilities, the inverse hyperbolic tangent of the habit strength (kept within [0, 0.999], as the M-step) and the
/// logarithms of the releases' factors.
///
/// The coordinates are laid out by a template model: an entry that is 0 in it (or a feature probability of exactly
/// 0 or 1, a rate of 0) has no coordinate and keeps the template's value, as EM would keep it.
extension HiddenMarkovModel {
    /// The coordinates of `model`, which has this model's shape, in this model's layout; non-finite where `model`
    /// has a 0 where this model has none.
    func coordinates(of model: HiddenMarkovModel) -> [Double] {
        var x: [Double] = []
        let n = stateCount
        func addProbabilities(_ template: ArraySlice<Double>, _ values: ArraySlice<Double>) {
            for (t, v) in zip(template, values) where t > 0 { x.append(log(v)) }
        }
        addProbabilities(personas.map(\.share)[...], model.personas.map(\.share)[...])
        for (mine, theirs) in zip(personas, model.personas) {
            addProbabilities(mine.initial[...], theirs.initial[...])
            for i in 0..<liveStates {
                addProbabilities(mine.transitions[(i * n)..<((i + 1) * n)], theirs.transitions[(i * n)..<((i + 1) * n)])
            }
            if accountSizeClasses > 1 { addProbabilities(mine.accountSizes[...], theirs.accountSizes[...]) }
        }
        for (mine, theirs) in zip(emissions, model.emissions) {
            if mine.sessionMean > 0 { x.append(log(theirs.sessionMean)) }
            if sessionFamily == .negativeBinomial { x.append(log(theirs.sessionDispersion)) }
            if mine.keyActionsPerSession > 0 { x.append(log(theirs.keyActionsPerSession)) }
            for (t, v) in zip(mine.featureProbabilities, theirs.featureProbabilities) where t > 0 && t < 1 {
                x.append(log(v) - log1p(-v))
            }
        }
        if let habit = model.habit { x.append(atanh(habit.strength)) }
        for release in model.releases {
            x.append(log(release.keyActionFactor))
            x += release.featureFactors.map { log($0) }
        }
        return x
    }

    /// The model at coordinates `x` of this model's layout. Dispersions are kept within ``DispersionEstimate/range``.
    func model(at x: [Double]) -> HiddenMarkovModel {
        var next = 0
        let n = stateCount
        func probabilities(_ template: [Double]) -> [Double] {
            let positive = template.indices.filter { template[$0] > 0 }
            let logs = positive.indices.map { x[next + $0] }
            next += positive.count
            let largest = logs.max() ?? 0
            var values = [Double](repeating: 0, count: template.count)
            for (j, value) in zip(positive, logs) { values[j] = exp(value - largest) }
            let total = values.reduce(0, +)
            return values.map { $0 / total }
        }
        let shares = probabilities(personas.map(\.share))
        let chains = personas.enumerated().map { k, persona in
            var transitions = persona.transitions
            let initial = probabilities(persona.initial)
            for i in 0..<liveStates {
                transitions.replaceSubrange(
                    (i * n)..<((i + 1) * n), with: probabilities(Array(persona.transitions[(i * n)..<((i + 1) * n)])))
            }
            let sizes = accountSizeClasses > 1 ? probabilities(persona.accountSizes) : persona.accountSizes
            return PersonaChain(share: shares[k], initial: initial, transitions: transitions, accountSizes: sizes)
        }
        let states = emissions.map { emission in
            var updated = emission
            func take() -> Double {
                defer { next += 1 }
                return x[next]
            }
            if emission.sessionMean > 0 { updated.sessionMean = exp(take()) }
            if sessionFamily == .negativeBinomial {
                updated.sessionDispersion = min(
                    DispersionEstimate.range.upperBound, max(DispersionEstimate.range.lowerBound, exp(take())))
            }
            if emission.keyActionsPerSession > 0 { updated.keyActionsPerSession = exp(take()) }
            for (f, p) in emission.featureProbabilities.enumerated() where p > 0 && p < 1 {
                updated.featureProbabilities[f] = 1 / (1 + exp(-take()))
            }
            return updated
        }
        var feedback = habit
        if habit != nil {
            feedback?.strength = min(HabitFeedback.strongest, max(0, tanh(x[next])))
            next += 1
        }
        let extrapolated = releases.map { release in
            let key = exp(x[next])
            let features = (0..<featureCount).map { exp(x[next + 1 + $0]) }
            next += 1 + featureCount
            return ProductRelease(day: release.day, keyActionFactor: key, featureFactors: features)
        }
        return replacing(personas: chains, emissions: states).replacing(habit: feedback).replacing(
            releases: extrapolated)
    }
}
