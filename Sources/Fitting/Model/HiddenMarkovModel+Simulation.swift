import Stats

extension HiddenMarkovModel {
    /// Draws users' days from the model, as the simulator would with the same emissions and no modifiers but habit
    /// and releases: the test bed of parameter recovery and the data of a parametric bootstrap.
    ///
    /// Each user gets a persona by share, a sign-up day uniform over the first `signupDays` days and is observed
    /// from sign-up to day `days` (calendar days from 0, which is where the releases fall); the first state comes from the persona's initial distribution and each night's
    /// transition from its matrix; with account sizes, the user's account size class is drawn last, from the
    /// persona's. Every user draws from one SplitMix64 stream keyed by (seed,
    /// ``StreamPurpose/modelSimulation``, user), so a user's days do not depend on the others.
    /// - Precondition: `users` ≥ 0 and 1 ≤ `signupDays` ≤ `days`.
    public func simulate(users: Int, days: Int, signupDays: Int = 1, seed: UInt64) -> UserDaySequences {
        precondition(users >= 0 && signupDays >= 1 && signupDays <= days, "simulate: bad users, days or signupDays")
        let n = stateCount
        let shares = cumulative(personas.map(\.share))
        let firsts = personas.map { cumulative($0.initial) }
        let sizes = personas.map { cumulative($0.accountSizes) }
        // Per persona and habit level, the cumulative rows.
        let rows = personas.indices.map { k in
            (0..<habitLevelCount).map { level in
                let matrix = transitions(persona: k, level: level)
                return (0..<liveStates).map { cumulative(Array(matrix[($0 * n)..<(($0 + 1) * n)])) }
            }
        }
        let decay = habit?.decay ?? 0
        var builder = UserDaySequences.Builder(checkedFeatureCount: featureCount, sessionValues: [])
        let keyRates = periodKeyActionRates
        let featureProbabilities = periodFeatureProbabilities
        var activeDays: [ActiveDay] = []
        for user in 0..<users {
            var rng = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.modelSimulation, UInt64(user), 0))
            let k = draw(shares, using: &rng)
            let observed = days - Int(FastSampler.uniform(using: &rng) * Double(signupDays))
            let signup = days - observed
            var state = draw(firsts[k], using: &rng)
            activeDays.removeAll(keepingCapacity: true)
            var day = 0
            var h = HabitFeedback.initialHabit
            while day < observed, state != churned {
                let cell = period(ofCalendarDay: signup + day) * liveStates + state
                let active = emit(
                    state: state, day: day, keyActionRate: keyRates[cell],
                    featureProbabilities: featureProbabilities[(cell * featureCount)..<((cell + 1) * featureCount)],
                    using: &rng)
                if let active { activeDays.append(active) }
                var level = 0
                if habit != nil { (h, level) = HabitFeedback.step(h, active: active != nil, decay: decay) }
                state = draw(rows[k][level][state], using: &rng)
                day += 1
            }
            let sizeClass = accountSizeClasses > 1 ? draw(sizes[k], using: &rng) : 0
            builder.append(
                observedDays: observed, activeDays: activeDays, accountSizeClass: sizeClass, signupDay: signup)
        }
        return builder.build()
    }

    /// One day's observations in a live state, with its period's key actions per session and feature probabilities,
    /// or nil for a day without a session.
    private func emit(
        state: Int, day: Int, keyActionRate: Double, featureProbabilities: ArraySlice<Double>,
        using rng: inout SplitMix64
    ) -> ActiveDay? {
        let emission = emissions[state]
        let sessions = FastSampler.negativeBinomial(
            mean: emission.sessionMean, dispersion: emission.sessionDispersion, using: &rng)
        guard sessions > 0 else { return nil }
        let keyActions = FastSampler.poisson(mean: Double(sessions) * keyActionRate, using: &rng)
        var features: UInt32 = 0
        for (f, p) in featureProbabilities.enumerated() where FastSampler.bernoulli(p, using: &rng) {
            features |= 1 << UInt32(f)
        }
        return ActiveDay(day: day, sessions: sessions, keyActions: keyActions, features: features)
    }

    /// Running sums of probabilities, exactly 1 from the last positive one on, so rounding can neither leave a
    /// draw beyond the table nor give mass to trailing zeros.
    private func cumulative(_ weights: [Double]) -> [Double] {
        var running = 0.0
        var table = weights.map { w in
            running += w
            return running
        }
        if let last = weights.lastIndex(where: { $0 > 0 }) {
            for i in last..<table.count { table[i] = 1 }
        }
        return table
    }

    /// The first index whose cumulative probability exceeds a uniform draw in [0, 1).
    private func draw(_ cumulative: [Double], using rng: inout SplitMix64) -> Int {
        let u = FastSampler.uniform(using: &rng)
        return cumulative.firstIndex { u < $0 } ?? cumulative.count - 1
    }
}
