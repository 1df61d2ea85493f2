import UsageModel

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A model paired with the data it describes, ready for forward–backward passes: the model's numbers laid out
/// flat and the emission and silent-run tables computed once.
///
/// Build one per model and data set, then ask it for a user's posterior state probabilities
/// (``posterior(user:)``), the most likely path (``viterbi(user:)``), every user's state on the last observed day
/// (``lastDayStateProbabilities(threads:)``) or the log-likelihood of all users (``logLikelihood(threads:)``).
public struct HMMInference: Sendable {
    public let model: HiddenMarkovModel
    public let data: UserDaySequences
    let emissions: EmissionTables
    /// Per persona, the tables of runs of silent days up to the longest observation; empty when they would exceed
    /// ``SilentRunTables/largestSize``, and every day is then passed one by one.
    let silentRuns: [SilentRunTables]
    /// log(share) per persona.
    let logShares: [Double]
    /// log P(account size class c | persona k) at `k · classes + c`; `[0, …]` (one class) for a model without
    /// accounts, which then ignores the data's classes.
    let logAccountSizes: [Double]
    let accountSizeClasses: Int
    /// First-day distribution over all states (churned 0), at `k · (S + 1) + i`.
    let initial: Column<Double>
    /// Habit levels H the transitions run over (``HiddenMarkovModel/habitLevelCount``).
    let levelCount: Int
    /// Transition matrices per persona and habit level, at `((k · H + ℓ) · (S + 1) + i) · (S + 1) + j`.
    let transitions: Column<Double>
    /// The same matrices transposed, at `((k · H + ℓ) · (S + 1) + j) · (S + 1) + i`: the forward pass takes each
    /// day's vector as dot products with their rows.
    let transposedTransitions: Column<Double>
    /// The period (``HiddenMarkovModel/period(ofCalendarDay:)``) of every active day of the data, in the data's
    /// order; empty for a model without releases, where every day is in period 0.
    let activePeriod: Column<UInt8>

    /// - Throws: ``FittingError`` (``FittingError/Code/invalidModel``) when the model describes another number of
    ///   features than the data records, or a model with account sizes has fewer classes than the data.
    public init(model: HiddenMarkovModel, data: UserDaySequences) throws {
        guard model.featureCount == data.featureCount else {
            throw FittingError(
                .invalidModel,
                "the model describes \(model.featureCount) features, the data records \(data.featureCount)")
        }
        guard model.accountSizeClasses == 1 || model.accountSizeClasses >= data.accountSizeClassCount else {
            throw FittingError(
                .invalidModel,
                "the model describes \(model.accountSizeClasses) account size classes, the data has "
                    + "\(data.accountSizeClassCount)")
        }
        self.init(checked: model, data: data)
    }

    /// For a model whose feature count is known to match the data's.
    init(checked model: HiddenMarkovModel, data: UserDaySequences) {
        self.model = model
        self.data = data
        let emissions = EmissionTables(model: model, sessionValues: data.sessionValues)
        self.emissions = emissions
        let silentDay = Array(emissions.silentDay)
        let longestRun = max(0, data.maximumObservedDays - 1)
        levelCount = model.habitLevelCount
        let matrices = model.personas.indices.flatMap { k in
            (0..<model.habitLevelCount).map { model.transitions(persona: k, level: $0) }
        }
        // Silent runs come after the habit has fallen to level 0 (``fillHabitLevels(user:days:into:)``).
        silentRuns =
            SilentRunTables.size(liveStates: model.liveStates, longestRun: longestRun) <= SilentRunTables.largestSize
            ? model.personas.indices.map {
                SilentRunTables(
                    transitions: matrices[$0 * model.habitLevelCount], silentDay: silentDay, longestRun: longestRun)
            } : []
        logShares = model.personas.map { log($0.share) }
        logAccountSizes = model.personas.flatMap { $0.accountSizes.map { log($0) } }
        accountSizeClasses = model.accountSizeClasses
        initial = Column(model.personas.flatMap { $0.initial + [0] })
        transitions = Column(matrices.flatMap { $0 })
        let n = model.stateCount
        transposedTransitions = Column(
            matrices.flatMap { matrix in
                (0..<(n * n)).map { matrix[($0 % n) * n + $0 / n] }
            })
        if model.releases.isEmpty {
            activePeriod = Column([])
        } else {
            var periods = [UInt8](repeating: 0, count: data.totalActiveDays)
            for u in 0..<data.userCount {
                let signup = data.signupDay(user: u)
                for i in data.activeRange(user: u) {
                    periods[i] = UInt8(model.period(ofCalendarDay: signup + Int(data.activeDay[i])))
                }
            }
            activePeriod = Column(periods)
        }
    }

    /// The period of active day `i` (a position of the data's day columns).
    @inline(__always)
    func period(ofActive i: Int) -> Int { activePeriod.isEmpty ? 0 : Int(activePeriod[i]) }

    /// log P(persona k) + log P(`user`'s account size class | persona k): the persona's prior for the user, before
    /// the user's days.
    @inline(__always)
    func logPersonaPrior(_ k: Int, user: Int) -> Double {
        logShares[k]
            + logAccountSizes[k * accountSizeClasses + (accountSizeClasses > 1 ? data.accountSizeClass(user: user) : 0)]
    }

    var liveStates: Int { model.liveStates }
    var stateCount: Int { model.stateCount }
    var personaCount: Int { model.personas.count }

    /// A workspace for passes over any user of the data.
    func makeWorkspace() -> UserWorkspace {
        UserWorkspace(
            liveStates: liveStates, personas: personaCount, levels: levelCount, days: max(1, data.maximumObservedDays))
    }

    /// Writes the habit level of each of `user`'s first `days` days (the level after the day, which sets that
    /// night's transition) to `level` and returns the first day from which every level up to the
    /// user's last observed day is 0: the days from there on can be passed as one silent run. Without habit feedback
    /// every level is 0: nothing is written (a workspace's levels stay 0) and the result is 0.
    func fillHabitLevels(user: Int, days: Int, into level: UnsafeMutablePointer<UInt8>) -> Int {
        guard let habit = model.habit else { return 0 }
        let range = data.activeRange(user: user)
        let decay = habit.decay
        let activeDay = data.activeDay.baseAddress
        let observed = Int(data.observedDays[user])
        var next = range.lowerBound
        var h = HabitFeedback.initialHabit
        var zeroFrom = 0
        for t in 0..<observed {
            let active = next < range.upperBound && Int(activeDay[next]) == t
            if active { next += 1 }
            let today: Int
            (h, today) = HabitFeedback.step(h, active: active, decay: decay)
            if t < days { level[t] = UInt8(today) }
            if today != 0 {
                zeroFrom = t + 1
            } else if next == range.upperBound {
                // No session ahead: the habit only decays, and the level stays 0.
                for later in (t + 1)..<max(t + 1, days) { level[later] = 0 }
                break
            }
        }
        return zeroFrom
    }

    /// The habit level of each of `user`'s observed days (all 0 without habit feedback).
    func habitLevels(user: Int) -> [UInt8] {
        var levels = [UInt8](repeating: 0, count: Int(data.observedDays[user]))
        levels.withUnsafeMutableBufferPointer {
            _ = fillHabitLevels(user: user, days: $0.count, into: $0.baseAddress!)
        }
        return levels
    }
}
