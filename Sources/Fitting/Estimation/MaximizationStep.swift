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
        let updated = replacing(personas: newPersonas, emissions: newEmissions).replacing(habit: newHabit)
        return releases.isEmpty ? updated : updated.maximizedReleases(from: statistics)
    }

    /// With releases, key actions per session and feature probabilities jointly with the releases' factors, from the
    /// statistics per period, by coordinate ascent on the expected complete-data log-likelihood (each step maximises
    /// it in one block, so it never falls).
    ///
    /// Key actions are Poisson with mean sessions · κ_s · M_p (M_p the period's cumulative factor), so
    /// κ_s = Σ_p K_ps / Σ_p M_p Y_ps and M_p = Σ_s K_ps / Σ_s κ_s Y_ps (K expected key actions, Y expected sessions);
    /// in log κ and log M the problem is concave, and the alternation converges to its maximum. A feature is used
    /// with probability p_sf · M_pf: the expected log-likelihood Σ U log(p M) + (A − U) log(1 − p M) (U expected days
    /// used, A expected active days) is concave in p for fixed M and in M for fixed p; each is solved by bisection on
    /// its decreasing derivative, below the bound that keeps every p · M under 1.
    private func maximizedReleases(from statistics: SufficientStatistics) -> HiddenMarkovModel {
        let layout = statistics.layout
        let values = statistics.values
        let live = liveStates
        let periods = self.periods
        let features = featureCount
        func cell(_ p: Int, _ s: Int) -> Int { p * live + s }
        var kappa = emissions.map(\.keyActionsPerSession)
        var keyFactor = periodKeyActionFactors
        for _ in 0..<200 {
            var change = 0.0
            for s in 0..<live {
                var actions = 0.0
                var exposure = 0.0
                for p in 0..<periods {
                    actions += values[layout.periodKeyActions + cell(p, s)]
                    exposure += keyFactor[p] * values[layout.periodSessions + cell(p, s)]
                }
                guard exposure > 0 else { continue }
                change = max(change, abs(actions / exposure - kappa[s]) / max(kappa[s], 1e-300))
                kappa[s] = actions / exposure
            }
            for p in 1..<periods {
                var actions = 0.0
                var exposure = 0.0
                for s in 0..<live {
                    actions += values[layout.periodKeyActions + cell(p, s)]
                    exposure += kappa[s] * values[layout.periodSessions + cell(p, s)]
                }
                guard actions > 0, exposure > 0 else { continue }
                change = max(change, abs(actions / exposure - keyFactor[p]) / keyFactor[p])
                keyFactor[p] = actions / exposure
            }
            if change < 1e-13 { break }
        }
        var probability = emissions.map(\.featureProbabilities)
        var featureFactor = periodFeatureFactors
        for f in 0..<features {
            func used(_ p: Int, _ s: Int) -> Double { values[layout.periodFeatureDays + cell(p, s) * features + f] }
            func active(_ p: Int, _ s: Int) -> Double { values[layout.periodActiveDays + cell(p, s)] }
            for _ in 0..<100 {
                var change = 0.0
                for s in 0..<live {
                    let terms = (0..<periods).map {
                        (used($0, s), active($0, s) - used($0, s), featureFactor[$0 * features + f])
                    }
                    guard let x = Self.bernoulliScale(terms) else { continue }
                    change = max(change, abs(x - probability[s][f]))
                    probability[s][f] = x
                }
                for p in 1..<periods {
                    let terms = (0..<live).map { (used(p, $0), active(p, $0) - used(p, $0), probability[$0][f]) }
                    guard let x = Self.bernoulliScale(terms), x > 0 else { continue }
                    change = max(change, abs(x - featureFactor[p * features + f]) / featureFactor[p * features + f])
                    featureFactor[p * features + f] = x
                }
                if change < 1e-12 { break }
            }
        }
        let newEmissions = emissions.enumerated().map { s, emission -> StateEmission in
            var updated = emission
            updated.keyActionsPerSession = kappa[s]
            updated.featureProbabilities = probability[s]
            return updated
        }
        let newReleases = releases.enumerated().map { j, release -> ProductRelease in
            ProductRelease(
                day: release.day, keyActionFactor: keyFactor[j + 1] / keyFactor[j],
                featureFactors: (0..<features).map {
                    featureFactor[(j + 1) * features + $0] / featureFactor[j * features + $0]
                })
        }
        return replacing(emissions: newEmissions).replacing(releases: newReleases)
    }

    /// The x > 0 that maximises Σ u log(c x) + v log(1 − c x) over terms (u used, v unused, c the other factor), with
    /// c x < 1 for every term: the root of Σ u/x − Σ v c/(1 − c x), which falls in x, by bisection. nil when no term
    /// has weight (the data say nothing); 0 when nothing was used.
    static func bernoulliScale(_ terms: [(used: Double, unused: Double, factor: Double)]) -> Double? {
        let used = terms.reduce(0) { $0 + $1.used }
        let unused = terms.reduce(0) { $0 + $1.unused }
        guard used + unused > 0 else { return nil }
        guard used > 0 else { return 0 }
        let largest = terms.filter { $0.used + $0.unused > 0 }.map(\.factor).max() ?? 1
        guard largest > 0 else { return nil }
        let bound = 1 / largest
        // With nothing unused the likelihood rises up to the bound: stay a hair below it, where log(1 − c x) is finite.
        guard unused > 0 else { return bound * (1 - 1e-9) }
        var low = 0.0
        var high = bound
        for _ in 0..<200 {
            let x = (low + high) / 2
            var slope = used / x
            for term in terms where term.unused > 0 { slope -= term.unused * term.factor / (1 - term.factor * x) }
            if slope > 0 { low = x } else { high = x }
            if high - low <= 1e-15 * high { break }
        }
        return (low + high) / 2
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
