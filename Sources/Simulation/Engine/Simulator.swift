import Stats
public import UsageModel

/// Runs a population through the simulated days.
///
/// Users live in fixed-size columns (invariant 6). Each day, worker threads step disjoint,
/// contiguous ranges of users; every random number a user-day needs comes from streams keyed by
/// (seed, purpose, user, day), so the result does not depend on how users are split between
/// threads (invariant 1). After each day the observers see the day's observed usage.
public final class Simulator {
    public let spec: SimulationSpec
    public let layout: PopulationLayout
    public let threads: Int
    let tables: ModelTables
    let columns: UserColumns
    /// Latent truth of the run, filled as days pass.
    public let truth: TruthRecord
    /// Arms, consent and active effects when the spec has interventions.
    public let treatment: TreatmentState?
    /// The users the day loop steps: all, or the subset a counterfactual run re-simulates.
    public let selection: UserSelection
    /// The cutoffs to compute the oracle's churn probabilities on during the run (set before ``run``).
    public var forecastPlan: ChurnForecastPlan? {
        willSet {
            precondition(newValue == nil || selection.subset == nil, "the oracle needs every user simulated")
            precondition(
                newValue?.days.allSatisfy { truth.keeps(day: $0) } ?? true, "the truth must keep every cutoff day")
        }
    }
    /// The oracle's probabilities at each cutoff of ``forecastPlan``, filled as the run passes them.
    public private(set) var forecasts: [ChurnForecast] = []

    /// Builds the population and allocates every column the run needs.
    /// - Parameters:
    ///   - threads: worker threads (≥ 1); results are identical for any value.
    ///   - truthDays: the days whose latent truth is kept for analysis.
    ///   - users: the users to step (ascending), or nil for all. Every user's days depend on their own
    ///     streams only, so a user steps through the same days whoever else is simulated; the others keep
    ///     their initial columns, and the day totals count the selected users only.
    ///   - block: only these users of the population (whole accounts, see ``PopulationLayout/blocks(parts:)``),
    ///     numbered from 0 here but drawing from the streams of their index in the whole population, so
    ///     they live exactly the days they live in a run of everyone. `users` then counts within the block.
    public init(
        spec: SimulationSpec, threads: Int = 1, truthDays: TruthDays = .all, users: [Int32]? = nil,
        block: Range<Int>? = nil
    ) throws {
        precondition(threads >= 1, "threads must be ≥ 1")
        self.spec = spec
        let whole = try PopulationLayout(spec: spec)
        layout = block.map { whole.block($0) } ?? whole
        let n = layout.directory.userCount
        self.threads = min(threads, max(1, n))
        tables = ModelTables(spec.model)
        columns = UserColumns(layout: layout, tables: tables)
        truth = TruthRecord(
            users: n, days: spec.days, keeping: truthDays, persona: layout.persona, tables: tables,
            stateNames: spec.model.states.map(\.name))
        let directory = layout.directory
        treatment = spec.interventions.map {
            TreatmentState(
                spec: $0, users: n, seed: spec.seed, firstUser: directory.firstUser, account: directory.account,
                firstAccount: directory.firstAccount)
        }
        selection = users.map { UserSelection.only($0) } ?? .all(n)
        // The day's row of the truth record (its own, or the scratch row of a day not kept) holds every
        // user's state of the day until the next day's step writes it.
        treatment?.latentState = { [truth] u, day in truth.state[truth.offset(day: day) + u] }
        if let last = users?.last { precondition(last < n, "user \(last) is not in the population") }
    }

    public var directory: PopulationDirectory { layout.directory }

    /// The users simulated, numbered in the whole population: all, or a block.
    public var block: Range<Int>? {
        let d = layout.directory
        return d.firstUser == 0 && d.userCount == spec.users ? nil : d.firstUser..<(d.firstUser + d.userCount)
    }

    /// Simulates every day in order.
    /// - Parameters:
    ///   - observers: called after each day, in the order given.
    ///   - progress: called after each day with the number of days done.
    /// - Returns: the population totals of each day.
    public func run(observers: [any DayObserver] = [], progress: ((Int) -> Void)? = nil) throws -> [DayMetrics] {
        for observer in observers { try observer.daysWillStart(layout.directory) }
        let width = Tally.width(stateCount: tables.stateCount)
        let tally = Column<Int>(repeating: 0, count: width * threads)
        let ranges = selection.ranges(parts: threads)
        var metrics: [DayMetrics] = []
        metrics.reserveCapacity(spec.days)
        let treatmentTables = treatment.map {
            TreatmentTables(
                $0, planPriceCents: tables.planPriceCents, features: tables.featureCount,
                milestones: tables.milestoneCount)
        }
        for day in 0..<spec.days {
            tally.fill(0)
            columns.updateTeamLevels(day: day, levels: tables.teamLevels)
            let step = DayStep(
                tables: tables, seed: spec.seed, day: day,
                factors: tables.dayFactors(day: day, weekday: spec.startDate.adding(days: day).weekday),
                weekStarts: spec.startDate.adding(days: day).weekday == 0,
                columns: columns, truth: truth, treatment: treatmentTables, tally: tally,
                tallyWidth: width, selection: selection)
            UserRanges.forEach(ranges) { w, positions in step.run(worker: w, positions: positions) }
            let forecasting = forecastPlan.map { $0.days.contains(day) } ?? false
            // Tonight's campaign effects as the day loop used them, before the day's sends replace any.
            let cutoffRows =
                forecasting
                ? treatmentTables.map {
                    ChurnForecaster.cutoffRows(tables: tables, treatment: $0, truth: truth, day: day)
                }
                : nil
            let m = tally.withUnsafeBufferPointer {
                Tally.metrics(day: day, stateCount: tables.stateCount, workers: threads, from: $0)
            }
            metrics.append(m)
            let usage = columns.usageDay(day)
            for observer in observers { try observer.dayDidEnd(usage) }
            if forecasting, let plan = forecastPlan {
                forecasts.append(forecast(day: day, plan: plan, treatment: treatmentTables, cutoffRows: cutoffRows))
            }
            progress?(day + 1)
        }
        for observer in observers { try observer.daysDidEnd() }
        return metrics
    }

    /// The oracle's probabilities on cutoff day `day`, after the day and its observers (and so its
    /// campaign sends) are done.
    private func forecast(
        day: Int, plan: ChurnForecastPlan, treatment: TreatmentTables?, cutoffRows: Column<Double>?
    ) -> ChurnForecast {
        let n = layout.directory.userCount
        let forecaster = ChurnForecaster(
            tables: tables, seed: spec.seed, day: day, horizon: plan.horizon, replicas: plan.replicas,
            startDate: spec.startDate, columns: columns, truth: truth, treatment: treatment, cutoffRows: cutoffRows)
        let probability = Column<Double>(repeating: .nan, count: n)
        let standardError = Column<Double>(repeating: .nan, count: n)
        UserRanges.forEach(UserRanges.split(users: n, parts: min(threads, max(1, n)))) { _, users in
            forecaster.run(users, probability: probability, standardError: standardError)
        }
        return ChurnForecast(
            day: day, horizon: plan.horizon, replicas: plan.replicas, probability: Array(probability),
            standardError: Array(standardError))
    }

    /// The oracle's probabilities computed on day `day`, if it was a cutoff of ``forecastPlan``.
    public func forecast(day: Int) -> ChurnForecast? { forecasts.first { $0.day == day } }
}

/// Billing status of a user.
enum Billing {
    static let trial: UInt8 = 0
    static let subscribed: UInt8 = 1
}

/// Every per-user column of a run: fixed state, evolving state and today's observed usage.
final class UserColumns: @unchecked Sendable {
    let persona: Column<UInt8>
    let signupDay: Column<Int32>
    let state: Column<UInt8>
    let habit: Column<Float>
    let plan: Column<UInt8>
    let billing: Column<UInt8>
    let reached: Column<UInt16>
    let lastActiveDay: Column<Int32>
    // Today's observed usage.
    let signedUp: Column<Bool>
    let sessions: Column<UInt16>
    let keyActions: Column<UInt16>
    let features: Column<UInt32>
    let milestones: Column<UInt16>
    let npsScore: Column<Int8>
    let commerce: Column<UInt8>
    let limits: Column<UInt8>
    let cappedFeatures: Column<UInt32>
    let premiumAttempts: Column<UInt32>
    // This calendar week's use of what the user's plan caps: key actions, and days of each feature of
    // ``ModelTables/cappedFeatures`` at `user·C + c`. Empty when no plan caps anything.
    let weekKeyActions: Column<UInt32>
    let weekFeatureDays: Column<UInt8>
    /// Index of user 0 in the whole population (not 0 for a block).
    let firstUser: Int
    /// With team influence: each user's account, the accounts' sizes, and each user's team level of the day
    /// (the share of teammates active in the 7 days before, in ``ModelTables/teamLevels`` levels).
    let account: Column<Int32>
    let accountSize: [Int32]
    let teamLevel: Column<UInt8>

    init(layout: PopulationLayout, tables: ModelTables) {
        let n = layout.directory.userCount
        firstUser = layout.directory.firstUser
        account = layout.directory.account
        var size = [Int32](repeating: 0, count: tables.teamLevels > 1 ? layout.directory.accountCount : 0)
        if !size.isEmpty { for u in 0..<n { size[Int(account[u])] += 1 } }
        accountSize = size
        teamLevel = Column(repeating: UInt8(tables.teamLevels / 2), count: tables.teamLevels > 1 ? n : 0)
        persona = layout.persona
        signupDay = layout.directory.signupDay
        state = Column(layout.initialState)
        habit = Column(repeating: HabitRule.initialHabit, count: n)
        plan = Column(repeating: 0, count: n)
        billing = Column(repeating: 0, count: n)
        for u in 0..<n {
            let p = Int(persona[u])
            plan[u] = tables.personaPlan[p]
            billing[u] = tables.trialDays[p] > 0 ? Billing.trial : Billing.subscribed
        }
        reached = Column(repeating: 0, count: n)
        lastActiveDay = Column(repeating: Int32.min / 2, count: n)
        signedUp = Column(repeating: false, count: n)
        sessions = Column(repeating: 0, count: n)
        keyActions = Column(repeating: 0, count: n)
        features = Column(repeating: 0, count: n)
        milestones = Column(repeating: 0, count: n)
        npsScore = Column(repeating: -1, count: n)
        commerce = Column(repeating: 0, count: n)
        limits = Column(repeating: 0, count: n)
        cappedFeatures = Column(repeating: 0, count: n)
        premiumAttempts = Column(repeating: 0, count: n)
        weekKeyActions = Column(repeating: 0, count: tables.hasLimits ? n : 0)
        weekFeatureDays = Column(repeating: 0, count: tables.hasLimits ? n * tables.cappedFeatures.count : 0)
    }

    /// Sets every user's team level for day `day` from their teammates' sessions in days `day − 7 ... day − 1`:
    /// the share `a` of active teammates in `levels` equal intervals; the middle level for a user without
    /// teammates.
    func updateTeamLevels(day: Int, levels: Int) {
        guard levels > 1 else { return }
        let since = Int32(day - 7)
        var active = [Int32](repeating: 0, count: accountSize.count)
        let n = account.count
        for u in 0..<n where lastActiveDay[u] >= since { active[Int(account[u])] += 1 }
        for u in 0..<n {
            let a = Int(account[u])
            let own = lastActiveDay[u] >= since ? 1 : 0
            teamLevel[u] = Self.teamLevel(
                activeTeammates: Int(active[a]) - own, teammates: Int(accountSize[a]) - 1, levels: levels)
        }
    }

    /// The level of the share of active teammates: `levels` equal intervals of [0, 1], the top one closed;
    /// the middle level (a = ½) for a user without teammates.
    static func teamLevel(activeTeammates: Int, teammates: Int, levels: Int) -> UInt8 {
        guard teammates > 0 else { return UInt8(levels / 2) }
        let share = Double(activeTeammates) / Double(teammates)
        return UInt8(min(levels - 1, Int(share * Double(levels))))
    }

    func usageDay(_ day: Int) -> UsageDay {
        UsageDay(
            day: day, sessions: sessions, keyActions: keyActions, features: features, milestones: milestones,
            npsScore: npsScore, commerce: commerce, plan: plan, signedUp: signedUp, limits: limits,
            cappedFeatures: cappedFeatures, premiumAttempts: premiumAttempts)
    }

    /// Bytes of per-user state, excluding the truth record and the weekly counters of caps
    /// (``bytesPerUser(limits:)``).
    static let bytesPerUser = 1 + 4 + 4 + 1 + 4 + 1 + 1 + 2 + 4 + 1 + 2 + 2 + 4 + 2 + 1 + 1 + 1 + 4 + 4

    /// Bytes of the weekly counters of a model's caps per user (none without caps), and of the team level
    /// and the active-teammate count of its account (none without team influence).
    static func bytesPerUser(limits tables: ModelTables) -> Int {
        (tables.hasLimits ? 4 + tables.cappedFeatures.count : 0) + (tables.teamLevels > 1 ? 1 + 8 : 0)
    }
}
