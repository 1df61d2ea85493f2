import UsageModel

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension HMMInference {
    /// P(no key action on any of the `horizon` days after the user's last observed day | all the user's days), for
    /// every user: churn as a log defines it (docs/analysis.md), forecast from the filtered state of the last day.
    ///
    /// For persona k with transition matrix A and the chance qₛ of a day without a key action in state s
    /// (``noKeyActionProbability(_:)``; 1 when churned), the chance over the horizon from state s is
    /// wₖ = (A·diag(q))^horizon·1, and a user's forecast is Σₖ P(k | days) Σₛ P(sₗₐₛₜ = s | days, k)·wₖ(s). A user
    /// the model cannot produce (likelihood 0) gets NaN. Each user's number depends only on that user, so the
    /// result is the same at any thread count.
    ///
    /// Under habit feedback each night's matrix depends on the habit, which the days ahead would move. The forecast
    /// lets the habit decay as over silent days from its value after the last observed day: the days it sums over
    /// have no key action, and most of them no session either (an approximation only for sessions without a key
    /// action, which would hold the habit up).
    public func probabilityOfNoKeyAction(horizon: Int, threads: Int = 1) -> [Double] {
        precondition(horizon >= 0, "the horizon is a number of days")
        let n = stateCount
        let quiet = (0..<n).map { s in
            s == model.churned ? 1 : Self.noKeyActionProbability(model.emissions[s])
        }
        /// wₖ for the nights' habit levels `levels` (the first night's first).
        func ahead(_ k: Int, levels: [Int]) -> [Double] {
            var w = [Double](repeating: 1, count: n)
            for level in levels.reversed() {
                let a = transitions.baseAddress + (k * levelCount + level) * n * n
                w = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * quiet[$1] * w[$1] } }
            }
            return w
        }
        let still = model.personas.indices.map { ahead($0, levels: [Int](repeating: 0, count: horizon)) }
        let users = data.userCount
        var result = [Double](repeating: .nan, count: users)
        result.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let ranges = UserRanges.split(users: users, parts: max(1, min(threads, users)))
            UserRanges.forEach(ranges) { _, range in
                let workspace = makeWorkspace()
                for user in range {
                    let days = Int(data.observedDays[user])
                    forwardBackward(user: user, in: workspace, silentRunShortcut: false, backward: false)
                    guard workspace.logLikelihood > -.infinity else { continue }
                    let habitAhead = model.habit.map { habit in
                        let levels = futureHabitLevels(user: user, horizon: horizon, decay: habit.decay)
                        return model.personas.indices.map { ahead($0, levels: levels) }
                    }
                    var total = 0.0
                    for k in 0..<personaCount {
                        let weight = workspace.responsibility[k]
                        guard weight > 0 else { continue }
                        let last = workspace.alpha + (k * workspace.capacity + days - 1) * n
                        var sum = 0.0
                        let w = habitAhead?[k] ?? still[k]
                        for s in 0..<n { sum += last[s] * w[s] }
                        total += weight * sum
                    }
                    base[user] = total
                }
            }
        }
        return result
    }

    /// The habit levels of the `horizon` nights from the user's last observed day on: the level after that day, then
    /// the habit decaying as over silent days.
    private func futureHabitLevels(user: Int, horizon: Int, decay: Float) -> [Int] {
        let range = data.activeRange(user: user)
        var next = range.lowerBound
        var h = HabitFeedback.initialHabit
        var level = 0
        for t in 0..<Int(data.observedDays[user]) {
            let active = next < range.upperBound && Int(data.activeDay[next]) == t
            if active { next += 1 }
            (h, level) = HabitFeedback.step(h, active: active, decay: decay)
        }
        var levels: [Int] = []
        for _ in 0..<horizon {
            levels.append(level)
            (h, level) = HabitFeedback.step(h, active: false, decay: decay)
        }
        return levels
    }

    /// The chance of a day without a key action in a live state: Σₙ P(N = n)·e^(−n·κ), the probability
    /// generating function of the day's sessions N at e^(−κ), since key actions are Poisson with mean n·κ given
    /// n sessions. Negative binomial with mean μ and dispersion k: (1 + μ(1 − z)/k)^(−k); Poisson: e^(−μ(1 − z)).
    static func noKeyActionProbability(_ e: StateEmission) -> Double {
        let z = exp(-e.keyActionsPerSession)
        guard e.sessionDispersion.isFinite else { return exp(-e.sessionMean * (1 - z)) }
        return pow(1 + e.sessionMean * (1 - z) / e.sessionDispersion, -e.sessionDispersion)
    }
}
