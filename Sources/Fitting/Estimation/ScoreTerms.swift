#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A model's free parameters and each one's score — the derivative of a user's log-likelihood — as a function of the
/// user's expected sufficient statistics.
///
/// By Fisher's identity the score of the observed data equals the expected score of the complete data given them,
/// and the complete-data log-likelihood is linear in the statistics the E-step collects, so one forward–backward pass
/// per user gives every user's score exactly.
///
/// Each probability vector (the shares, a persona's first states, a transition row) keeps its largest entry as the
/// reference, written as 1 minus the others, so its free entries are the rest: for counts c and probabilities p the
/// score of a free entry j is c_j/p_j − c_r/p_r. An entry that is exactly 0 (or a feature probability of exactly 0
/// or 1, a rate of 0) lies on the boundary, where the likelihood is not differentiable; it is left out.
struct ScoreTerms {
    /// How one free parameter's score is computed from a user's statistics (indices into their layout).
    enum Term {
        /// c/p − c_ref/p_ref.
        case simplex(count: Int, probability: Double, referenceCount: Int, referenceProbability: Double)
        case sessionMean(state: Int)
        case dispersion(state: Int)
        case keyActionRate(state: Int)
        case feature(state: Int, feature: Int)
        /// Under habit feedback, base move `to` ≠ `from` of persona k's row `from` (the stay is the reference):
        /// Σ_ℓ c_ℓj / a_j − Σ_ℓ c_ℓi g_ℓj / P_ℓ(stay), g_ℓj = f_ℓ for a decline and 1 otherwise.
        case habitMove(persona: Int, from: Int, to: Int)
        /// Σ over live rows and levels of −d_ℓ Σ_{j ∈ D} c_ℓj / f_ℓ + c_ℓi d_ℓ x_D / P_ℓ(stay), d_ℓ = 2h_ℓ − 1 and
        /// x_D the row's base declines.
        case habitStrength
        /// Release j's key-action factor m: Σ over periods after it and states of (K_ps − κ_s M_p Y_ps)/m.
        case releaseKeyActions(release: Int)
        /// Release j's factor of feature f: Σ over periods after it and states of
        /// [U_psf − (A_ps − U_psf) q/(1 − q)]/m, q = p_sf M_pf.
        case releaseFeature(release: Int, feature: Int)
    }

    /// What one named parameter (``HiddenMarkovModel/namedParameters``) is in terms of the free ones.
    enum Role {
        /// Free parameter number i.
        case free(Int)
        /// 1 minus the sum of these free parameters (a reference entry; none for a vector of one entry).
        case reference([Int])
        /// On the boundary of the parameter space.
        case boundary
    }

    let terms: [Term]
    let roles: [Role]
    let model: HiddenMarkovModel
    let layout: SufficientStatistics.Layout
    /// Σ_{j<y} 1/(k + j) = ψ(y + k) − ψ(k) for each state and session level (negative binomial only).
    let digammaDifferences: [[Double]]
    /// Under habit feedback, each live row's stay probability per level, at `(k · S + i) · H + ℓ`.
    let habitStays: [Double]
    /// Per period, the cumulative key-action factor, and the feature factors at `p · F + f`.
    let keyFactors: [Double]
    let featureFactors: [Double]

    init(model: HiddenMarkovModel, layout: SufficientStatistics.Layout, sessionValues: [Int]) {
        self.model = model
        self.layout = layout
        digammaDifferences = model.emissions.map { emission in
            let k = emission.sessionDispersion
            guard k.isFinite else { return [] }
            return sessionValues.map { y in (0..<y).reduce(0) { $0 + 1 / (k + Double($1)) } }
        }
        let live = model.liveStates
        let n = model.stateCount
        var terms: [Term] = []
        var roles = [Role](repeating: .boundary, count: model.namedParameters.count)
        /// Adds a probability vector: `places` its named-parameter positions, `counts` its statistics' positions.
        func addSimplex(_ probabilities: [Double], places: [Int], counts: [Int]) {
            let reference = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
            var free: [Int] = []
            for j in probabilities.indices where j != reference && probabilities[j] > 0 {
                roles[places[j]] = .free(terms.count)
                free.append(terms.count)
                terms.append(
                    .simplex(
                        count: counts[j], probability: probabilities[j], referenceCount: counts[reference],
                        referenceProbability: probabilities[reference]))
            }
            roles[places[reference]] = .reference(free)
        }
        func addScalar(_ term: Term, place: Int, interior: Bool) {
            guard interior else { return }
            roles[place] = .free(terms.count)
            terms.append(term)
        }
        // Positions in namedParameters: per persona 1 + S + S(S + 1), then per state its emissions.
        let perPersona = 1 + live + live * n
        addSimplex(
            model.personas.map(\.share), places: model.personas.indices.map { $0 * perPersona },
            counts: model.personas.indices.map { layout.personaWeight + $0 })
        for (k, persona) in model.personas.enumerated() {
            let base = k * perPersona
            addSimplex(
                persona.initial, places: (0..<live).map { base + 1 + $0 },
                counts: (0..<live).map { layout.initial + k * live + $0 })
            for i in 0..<live {
                let places = (0..<n).map { base + 1 + live + i * n + $0 }
                guard model.habit != nil else {
                    addSimplex(
                        Array(persona.transitions[(i * n)..<((i + 1) * n)]), places: places,
                        counts: (0..<n).map { layout.transitions + (k * live + i) * n + $0 })
                    continue
                }
                var free: [Int] = []
                for j in 0..<n where j != i && persona.transition(from: i, to: j) > 0 {
                    roles[places[j]] = .free(terms.count)
                    free.append(terms.count)
                    terms.append(.habitMove(persona: k, from: i, to: j))
                }
                roles[places[i]] = .reference(free)
            }
        }
        var place = model.personas.count * perPersona
        for (s, emission) in model.emissions.enumerated() {
            addScalar(.sessionMean(state: s), place: place, interior: emission.sessionMean > 0)
            place += 1
            if model.sessionFamily == .negativeBinomial {
                addScalar(.dispersion(state: s), place: place, interior: emission.sessionMean > 0)
                place += 1
            }
            addScalar(.keyActionRate(state: s), place: place, interior: emission.keyActionsPerSession > 0)
            place += 1
            for (f, p) in emission.featureProbabilities.enumerated() {
                addScalar(.feature(state: s, feature: f), place: place, interior: p > 0 && p < 1)
                place += 1
            }
        }
        let classes = model.accountSizeClasses
        if classes > 1 {
            for (k, persona) in model.personas.enumerated() {
                addSimplex(
                    persona.accountSizes, places: (0..<classes).map { place + k * classes + $0 },
                    counts: (0..<classes).map { layout.accountSizes + k * classes + $0 })
            }
        }
        let releaseParameters = model.releases.count * (1 + model.featureCount)
        if model.habit != nil {
            roles[roles.count - 1 - releaseParameters] = .free(terms.count)
            terms.append(.habitStrength)
            habitStays = model.personas.indices.flatMap { k in
                (0..<live).flatMap { i in
                    (0..<HabitFeedback.levels).map { model.transitions(persona: k, level: $0)[i * n + i] }
                }
            }
        } else {
            habitStays = []
        }
        var releasePlace = roles.count - releaseParameters
        for j in model.releases.indices {
            addScalar(.releaseKeyActions(release: j), place: releasePlace, interior: true)
            releasePlace += 1
            for f in 0..<model.featureCount {
                addScalar(.releaseFeature(release: j, feature: f), place: releasePlace, interior: true)
                releasePlace += 1
            }
        }
        keyFactors = model.periodKeyActionFactors
        featureFactors = model.periodFeatureFactors
        self.terms = terms
        self.roles = roles
    }

    /// Writes the score of every free parameter for one user's statistics `t`.
    func scores(_ t: UnsafePointer<Double>, into score: UnsafeMutablePointer<Double>) {
        for (index, term) in terms.enumerated() {
            score[index] =
                switch term {
                case .simplex(let count, let p, let referenceCount, let referenceP):
                    t[count] / p - t[referenceCount] / referenceP
                case .sessionMean(let s): sessionMeanScore(s, t)
                case .dispersion(let s): dispersionScore(s, t)
                case .keyActionRate(let s): keyActionScore(s, t)
                case .feature(let s, let f):
                    featureScore(s, f, t)
                case .habitMove(let k, let i, let j): habitMoveScore(k, i, j, t)
                case .habitStrength: habitStrengthScore(t)
                case .releaseKeyActions(let j): releaseKeyActionScore(j, t)
                case .releaseFeature(let j, let f): releaseFeatureScore(j, f, t)
                }
        }
    }

    /// Σ over days of ∂ log p(y)/∂μ: y/μ − (k + y)/(k + μ) for the negative binomial, y/μ − 1 for the Poisson.
    private func sessionMeanScore(_ s: Int, _ t: UnsafePointer<Double>) -> Double {
        let mu = model.emissions[s].sessionMean
        let k = model.emissions[s].sessionDispersion
        let days = t[layout.silentDays + s] + t[layout.activeDays + s]
        let sessions = t[layout.sessions + s]
        guard k.isFinite else { return sessions / mu - days }
        return sessions / mu - (k * days + sessions) / (k + mu)
    }

    /// Σ over days of ∂ log p(y)/∂k = Σ_{j<y} 1/(k + j) + log(k/(k + μ)) + 1 − (k + y)/(k + μ).
    private func dispersionScore(_ s: Int, _ t: UnsafePointer<Double>) -> Double {
        let mu = model.emissions[s].sessionMean
        let k = model.emissions[s].sessionDispersion
        let days = t[layout.silentDays + s] + t[layout.activeDays + s]
        let sessions = t[layout.sessions + s]
        var sum = 0.0
        for (v, difference) in digammaDifferences[s].enumerated() {
            sum += t[layout.sessionHistogram + s * layout.levels + v] * difference
        }
        return sum + days * (log(k / (k + mu)) + 1) - (k * days + sessions) / (k + mu)
    }

    /// Expected transitions of persona k from live state i to j on nights at level ℓ.
    private func habitCount(_ k: Int, _ l: Int, _ i: Int, _ j: Int, _ t: UnsafePointer<Double>) -> Double {
        let n = model.stateCount
        return t[layout.transitions + ((k * HabitFeedback.levels + l) * model.liveStates + i) * n + j]
    }

    private func habitMoveScore(_ k: Int, _ i: Int, _ j: Int, _ t: UnsafePointer<Double>) -> Double {
        let habit = model.habit!
        let a = model.personas[k].transition(from: i, to: j)
        let decline = habit.isDecline(from: i, to: j)
        var score = 0.0
        for l in 0..<HabitFeedback.levels {
            score += habitCount(k, l, i, j, t) / a
            let stays = habitCount(k, l, i, i, t)
            if stays > 0 {
                let g = decline ? habit.declineFactor(level: l) : 1
                score -= stays * g / habitStays[(k * model.liveStates + i) * HabitFeedback.levels + l]
            }
        }
        return score
    }

    private func habitStrengthScore(_ t: UnsafePointer<Double>) -> Double {
        let habit = model.habit!
        let n = model.stateCount
        var score = 0.0
        for k in model.personas.indices {
            for i in 0..<model.liveStates {
                let declines = (0..<n).filter { $0 != i && habit.isDecline(from: i, to: $0) }
                let base = declines.reduce(0.0) { $0 + model.personas[k].transition(from: i, to: $1) }
                for l in 0..<HabitFeedback.levels {
                    let d = HabitFeedback.centred(level: l)
                    let f = habit.declineFactor(level: l)
                    for j in declines { score -= habitCount(k, l, i, j, t) * d / f }
                    let stays = habitCount(k, l, i, i, t)
                    if stays > 0 {
                        score += stays * d * base / habitStays[(k * model.liveStates + i) * HabitFeedback.levels + l]
                    }
                }
            }
        }
        return score
    }

    /// Σ over active days of ∂ log p/∂p = used/p − (1 − used)/(1 − p); with releases, the probability is p M_pf in
    /// period p, so Σ_p [U_p/p − (A_p − U_p) M_pf/(1 − p M_pf)].
    private func featureScore(_ s: Int, _ f: Int, _ t: UnsafePointer<Double>) -> Double {
        let p = model.emissions[s].featureProbabilities[f]
        guard layout.periodCells > 0 else {
            let used = t[layout.featureDays + s * model.featureCount + f]
            let active = t[layout.activeDays + s]
            return used / p - (active - used) / (1 - p)
        }
        var score = 0.0
        for period in 0..<layout.periods {
            let cell = period * model.liveStates + s
            let used = t[layout.periodFeatureDays + cell * model.featureCount + f]
            let unused = t[layout.periodActiveDays + cell] - used
            let factor = featureFactors[period * model.featureCount + f]
            score += used / p - unused * factor / (1 - p * factor)
        }
        return score
    }

    /// Σ over active days of ∂/∂κ [a log(y κ M) − y κ M] = K/κ − Σ_p M_p Y_p.
    private func keyActionScore(_ s: Int, _ t: UnsafePointer<Double>) -> Double {
        let kappa = model.emissions[s].keyActionsPerSession
        guard layout.periodCells > 0 else { return t[layout.keyActions + s] / kappa - t[layout.sessions + s] }
        var exposure = 0.0
        for period in 0..<layout.periods {
            exposure += keyFactors[period] * t[layout.periodSessions + period * model.liveStates + s]
        }
        return t[layout.keyActions + s] / kappa - exposure
    }

    private func releaseKeyActionScore(_ j: Int, _ t: UnsafePointer<Double>) -> Double {
        let m = model.releases[j].keyActionFactor
        var score = 0.0
        for period in (j + 1)..<layout.periods {
            for s in 0..<model.liveStates {
                let cell = period * model.liveStates + s
                score +=
                    (t[layout.periodKeyActions + cell]
                        - model.emissions[s].keyActionsPerSession * keyFactors[period]
                        * t[layout.periodSessions + cell]) / m
            }
        }
        return score
    }

    private func releaseFeatureScore(_ j: Int, _ f: Int, _ t: UnsafePointer<Double>) -> Double {
        let m = model.releases[j].featureFactors[f]
        let features = model.featureCount
        var score = 0.0
        for period in (j + 1)..<layout.periods {
            for s in 0..<model.liveStates {
                let cell = period * model.liveStates + s
                let used = t[layout.periodFeatureDays + cell * features + f]
                let unused = t[layout.periodActiveDays + cell] - used
                let q = model.emissions[s].featureProbabilities[f] * featureFactors[period * features + f]
                score += (used - unused * q / (1 - q)) / m
            }
        }
        return score
    }
}
