import UsageModel

/// The expected complete-data sufficient statistics of an E-step: everything the M-step needs, summed over users.
///
/// Laid out in one flat array so that per-chunk partial sums can be added element by element in a fixed order.
struct SufficientStatistics {
    /// Where each group of numbers starts in ``values``.
    struct Layout {
        let personas: Int
        let liveStates: Int
        let levels: Int
        let features: Int
        /// The model's account size classes (1 without accounts).
        let accountSizeClasses: Int
        /// Habit levels H of the transitions (1 without habit feedback).
        let habitLevels: Int
        /// Periods P of the model's releases (1 without releases).
        var periods = 1

        var stateCount: Int { liveStates + 1 }
        /// Σ log P(user's days).
        var logLikelihood: Int { 0 }
        /// Σ P(persona k | days), per persona.
        var personaWeight: Int { 1 }
        /// Σ P(persona k, first state i | days), at `k · S + i`.
        var initial: Int { personaWeight + personas }
        /// Σ expected transitions i → j of persona k on nights at habit level ℓ, at
        /// `((k · H + ℓ) · S + i) · (S + 1) + j`.
        var transitions: Int { initial + personas * liveStates }
        /// Expected days in each live state without a session.
        var silentDays: Int { transitions + personas * habitLevels * liveStates * stateCount }
        /// Expected days in each live state with a session.
        var activeDays: Int { silentDays + liveStates }
        /// Σ P(state) · sessions, per live state.
        var sessions: Int { activeDays + liveStates }
        /// Σ P(state) · key actions, per live state.
        var keyActions: Int { sessions + liveStates }
        /// Expected active days per live state and session level, at `s · levels + v`.
        var sessionHistogram: Int { keyActions + liveStates }
        /// Expected active days with each feature used, at `s · features + f`.
        var featureDays: Int { sessionHistogram + liveStates * levels }
        /// Σ P(persona k | days) over the users of account size class c, at `k · accountSizeClasses + c`; none
        /// for a model without account sizes.
        var accountSizes: Int { featureDays + liveStates * features }
        /// With releases (P > 1), per period and live state: expected active days, Σ P(state) · sessions,
        /// Σ P(state) · key actions, at `p · S + s`, and expected days with each feature used, at
        /// `(p · S + s) · features + f`; none without releases.
        var periodActiveDays: Int { accountSizes + (accountSizeClasses > 1 ? personas * accountSizeClasses : 0) }
        var periodSessions: Int { periodActiveDays + periodCells }
        var periodKeyActions: Int { periodSessions + periodCells }
        var periodFeatureDays: Int { periodKeyActions + periodCells }
        var periodCells: Int { periods > 1 ? periods * liveStates : 0 }
        var count: Int { periodFeatureDays + periodCells * features }
    }

    let layout: Layout
    var values: [Double]

    var logLikelihood: Double { values[layout.logLikelihood] }
}

extension HMMInference {
    var statisticsLayout: SufficientStatistics.Layout {
        SufficientStatistics.Layout(
            personas: personaCount, liveStates: liveStates, levels: emissions.levelCount, features: model.featureCount,
            accountSizeClasses: accountSizeClasses, habitLevels: levelCount, periods: model.periods)
    }

    /// Adds the user whose forward–backward pass is in `workspace` to the statistics at `sums`.
    func addUser(_ user: Int, from workspace: UserWorkspace, to sums: UnsafeMutablePointer<Double>) {
        let layout = statisticsLayout
        sums[layout.logLikelihood] += workspace.logLikelihood
        guard workspace.logLikelihood > -.infinity else { return }
        let live = liveStates
        let n = stateCount
        let sizes = accountSizeClasses > 1 ? layout.accountSizes + data.accountSizeClass(user: user) : nil
        for k in 0..<personaCount where workspace.responsibility[k] > 0 {
            sums[layout.personaWeight + k] += workspace.responsibility[k]
            if let sizes { sums[sizes + k * accountSizeClasses] += workspace.responsibility[k] }
            // Counts only from the personas the backward passes ran for.
            guard workspace.responsibility[k] > Self.negligibleResponsibility else { continue }
            for i in 0..<live {
                sums[layout.initial + k * live + i] += workspace.initialCounts[k * live + i]
            }
            let block = levelCount * live * n
            for i in 0..<block {
                sums[layout.transitions + k * block + i] += workspace.transitionCounts[k * block + i]
            }
        }
        addEmissionDays(user, from: workspace, to: sums, layout: layout)
    }

    private func addEmissionDays(
        _ user: Int, from workspace: UserWorkspace, to sums: UnsafeMutablePointer<Double>,
        layout: SufficientStatistics.Layout
    ) {
        let live = liveStates
        let silentDays = sums + layout.silentDays
        let activeDays = sums + layout.activeDays
        let sessions = sums + layout.sessions
        let keyActionSums = sums + layout.keyActions
        let histogram = sums + layout.sessionHistogram
        let featureDays = sums + layout.featureDays
        let featureCount = model.featureCount
        let range = data.activeRange(user: user)
        let activeDay = data.activeDay.baseAddress
        let level = data.sessionLevel.baseAddress
        let keyActions = data.keyActions.baseAddress
        let features = data.features.baseAddress
        let sessionValue = emissions.sessionValue.baseAddress
        var next = range.lowerBound
        for t in 0..<workspace.passedDays {
            let gamma = workspace.gamma + t * live
            guard next < range.upperBound, Int(activeDay[next]) == t else {
                for s in 0..<live { silentDays[s] += gamma[s] }
                continue
            }
            let v = Int(level[next])
            let count = sessionValue[v]
            let actions = Double(keyActions[next])
            let used = features[next]
            if layout.periodCells > 0 {
                let cell = period(ofActive: next) * live
                for s in 0..<live {
                    let g = gamma[s]
                    sums[layout.periodActiveDays + cell + s] += g
                    sums[layout.periodSessions + cell + s] += g * count
                    sums[layout.periodKeyActions + cell + s] += g * actions
                    var remaining = used
                    while remaining != 0 {
                        let f = remaining.trailingZeroBitCount
                        sums[layout.periodFeatureDays + (cell + s) * featureCount + f] += g
                        remaining &= remaining - 1
                    }
                }
            }
            for s in 0..<live {
                let g = gamma[s]
                activeDays[s] += g
                sessions[s] += g * count
                keyActionSums[s] += g * actions
                histogram[s * layout.levels + v] += g
                var remaining = used
                while remaining != 0 {
                    let f = remaining.trailingZeroBitCount
                    featureDays[s * featureCount + f] += g
                    remaining &= remaining - 1
                }
            }
            next += 1
        }
        for s in 0..<live { silentDays[s] += workspace.silentRunDays[s] }
    }
}
