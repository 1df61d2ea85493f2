extension HiddenMarkovModel {
    /// The M-step: the parameters that maximise the expected complete-data log-likelihood given the E-step's
    /// statistics, all in closed form except the negative binomial dispersions (``DispersionEstimate``).
    ///
    /// - Shares: expected users per persona over all users; first states, transition rows and account size classes:
    ///   expected counts, normalised. With habit feedback the transition rows and its strength by
    ///   ``HabitMaximization``.
    /// - Session mean: expected sessions over expected days in the state (silent days included); key actions per
    ///   session: expected key actions over expected sessions (the Poisson score in κ with mean sessions·κ is
    ///   Σ w(a/κ − y)); feature probabilities: expected days with the feature over expected active days.
    ///
    /// A quantity whose denominator is 0 (a persona no user belongs to, a state never visited, a state never active)
    /// keeps its current value: the data say nothing about it, and 0/0 would poison every later iteration.
    func maximized(from statistics: SufficientStatistics, sessionValues: [Int]) -> HiddenMarkovModel {
        let layout = statistics.layout
        let values = statistics.values
        let live = liveStates
        let n = stateCount
        let users = (0..<layout.personas).reduce(0.0) { $0 + values[layout.personaWeight + $1] }
        var habitRows: [[Double]?] = []
        var newHabit = habit
        if let habit {
            let block = layout.personas * HabitFeedback.levels * live * n
            let step = HabitMaximization(
                counts: values[layout.transitions..<(layout.transitions + block)], personas: layout.personas,
                habit: habit
            ).maximize()
            habitRows = step.rows
            newHabit?.strength = step.strength
        }
        let newPersonas = personas.enumerated().map { k, persona -> PersonaChain in
            let weight = values[layout.personaWeight + k]
            var updated = persona
            updated.share = users > 0 ? weight / users : persona.share
            let firsts = Array(values[(layout.initial + k * live)..<(layout.initial + (k + 1) * live)])
            updated.initial = Self.normalised(firsts) ?? persona.initial
            let classes = layout.accountSizeClasses
            if classes > 1 {
                let start = layout.accountSizes + k * classes
                updated.accountSizes = Self.normalised(Array(values[start..<(start + classes)])) ?? persona.accountSizes
            }
            for i in 0..<live {
                let start = layout.transitions + (k * live + i) * n
                let row = habit == nil ? Self.normalised(Array(values[start..<(start + n)])) : habitRows[k * live + i]
                if let row { updated.transitions.replaceSubrange((i * n)..<((i + 1) * n), with: row) }
            }
            return updated
        }
        let newEmissions = emissions.enumerated().map { s, emission in
            maximizedEmission(emission, state: s, statistics: statistics, sessionValues: sessionValues)
        }
        return replacing(personas: newPersonas, emissions: newEmissions).replacing(habit: newHabit)
    }

    private func maximizedEmission(
        _ emission: StateEmission, state s: Int, statistics: SufficientStatistics, sessionValues: [Int]
    ) -> StateEmission {
        let layout = statistics.layout
        let values = statistics.values
        let silentDays = values[layout.silentDays + s]
        let activeDays = values[layout.activeDays + s]
        let sessions = values[layout.sessions + s]
        var updated = emission
        let days = silentDays + activeDays
        guard days > 0 else { return emission }
        updated.sessionMean = sessions / days
        guard activeDays > 0 else { return updated }
        updated.keyActionsPerSession = values[layout.keyActions + s] / sessions
        updated.featureProbabilities = (0..<featureCount).map {
            min(1, values[layout.featureDays + s * featureCount + $0] / activeDays)
        }
        if sessionFamily == .negativeBinomial {
            var counts: [(value: Int, weight: Double)] = silentDays > 0 ? [(0, silentDays)] : []
            for (v, value) in sessionValues.enumerated() {
                let weight = values[layout.sessionHistogram + s * layout.levels + v]
                if weight > 0 { counts.append((value, weight)) }
            }
            counts.sort { $0.value < $1.value }
            let estimate = DispersionEstimate(mean: updated.sessionMean, counts: counts)
            updated.sessionDispersion = estimate.maximize(from: emission.sessionDispersion)
        }
        return updated
    }

    /// The vector divided by its sum, or nil when the sum is not positive.
    private static func normalised(_ vector: [Double]) -> [Double]? {
        let total = vector.reduce(0, +)
        guard total > 0 else { return nil }
        return vector.map { $0 / total }
    }
}
