import Fitting
import UsageModel

/// What `fit` estimates a scenario from, gathered in one replay of a log. For every user who signed up on or after
/// the log's first day: the days from sign-up to the last day of the log, of which the active ones are the hidden
/// Markov model's observations; the sessions of each weekday, by account; the first billing event and the trial; the
/// first day of each milestone.
///
/// A user who signed up before the first day read (`--since`) is left out: their first day in the replay is not their
/// sign-up day, where the model starts. A day with key actions or feature use but no session event counts as one
/// session: the user was there, and the session was lost or never sent. Events of a user before their sign-up day are
/// not used.
final class FitObservations: DayObserver {
    /// The last day observed (the log's last day when nil): `evaluate` fits on the days up to its cutoff.
    let lastDay: Int?
    private(set) var directory: PopulationDirectory?
    /// Days with key actions or feature use but no session, counted as one session.
    private(set) var daysWithoutSession = 0

    // The active days of fitted users in the order the replay gives them (day by day), cut into users by
    // ``sequences()``.
    private var activeUser: ContiguousArray<Int32> = []
    private var activeDay: ContiguousArray<Int16> = []
    private var activeSessions: ContiguousArray<UInt16> = []
    private var activeKeyActions: ContiguousArray<UInt16> = []
    private var activeFeatures: ContiguousArray<UInt32> = []

    /// Sessions of each account's fitted users on each weekday (0 = Monday), at `account · 7 + weekday`.
    private(set) var accountWeekdaySessions: [Double] = []

    // Per user of the import, as days of the replay (not since sign-up); -1 for none.
    /// The day of the first trial start.
    private(set) var trialStart: [Int32] = []
    /// The first day after the trial start with a conversion or a trial expiry, and which.
    private(set) var trialEnd: [Int32] = []
    private(set) var converted: [Bool] = []
    /// The first billing event's plan and whether it started a trial, as `plan · 2 + (trial ? 1 : 0)`.
    private(set) var firstBilling: [Int16] = []
    /// The day each milestone was first reached, at `user · milestones + m`.
    private(set) var milestoneDay: [Int16] = []
    /// The day from which a user's plan may change (the day after the trial ended, or the day of a subscription
    /// without trial) and the plan then (after an expired trial, the plan the user fell back to); -1 for a user
    /// without either.
    private(set) var planChangesFrom: [Int32] = []
    private(set) var planFrom: [Int16] = []
    /// Each user's plan changes (upgrades and downgrades) in day order: the day and the plan moved to.
    private(set) var planChanges: [Int: [(day: Int32, plan: Int16)]] = [:]
    /// NPS scores answered on active days, by `user · 2¹⁶ + day` (answers are rare: a few per hundred active days).
    private(set) var npsScores: [Int: Int8] = [:]
    /// NPS answers on days without a session (the scenario format answers on active days only): left out, counted.
    private(set) var npsOnSilentDays = 0

    init(through lastDay: Int? = nil) {
        self.lastDay = lastDay
    }

    var milestoneCount: Int { directory?.milestoneNames.count ?? 0 }

    /// The days observed: the log's, or up to ``lastDay``.
    var observedDays: Int { min(directory?.days ?? 0, lastDay.map { $0 + 1 } ?? .max) }

    /// Whether user `u` of the import is fitted: signed up on or after the first day, and by the last day observed.
    func isFitted(_ u: Int) -> Bool {
        directory.map { $0.signupDay[u] >= 0 && Int($0.signupDay[u]) < observedDays } ?? false
    }

    func daysWillStart(_ population: PopulationDirectory) {
        directory = population
        let n = population.userCount
        accountWeekdaySessions = Array(repeating: 0, count: population.accountCount * 7)
        trialStart = Array(repeating: -1, count: n)
        trialEnd = Array(repeating: -1, count: n)
        converted = Array(repeating: false, count: n)
        firstBilling = Array(repeating: -1, count: n)
        planChangesFrom = Array(repeating: -1, count: n)
        planFrom = Array(repeating: -1, count: n)
        milestoneDay = Array(repeating: -1, count: n * population.milestoneNames.count)
    }

    func dayDidEnd(_ usage: UsageDay) {
        guard let directory, usage.day < observedDays else { return }
        let day = Int32(usage.day)
        let weekday = directory.startDate.adding(days: usage.day).weekday
        let signup = directory.signupDay.baseAddress
        for u in 0..<directory.userCount where signup[u] >= 0 && signup[u] <= day {
            var sessions = usage.sessions[u]
            let keyActions = usage.keyActions[u]
            let features = usage.features[u]
            if sessions == 0 && (keyActions > 0 || features != 0) {
                sessions = 1
                daysWithoutSession += 1
            }
            if sessions > 0 {
                activeUser.append(Int32(u))
                activeDay.append(Int16(day))
                activeSessions.append(sessions)
                activeKeyActions.append(keyActions)
                activeFeatures.append(features)
                accountWeekdaySessions[Int(directory.account[u]) * 7 + weekday] += Double(sessions)
            }
            if usage.npsScore[u] >= 0 {
                if sessions > 0 {
                    npsScores[u << 16 + Int(day)] = usage.npsScore[u]
                } else {
                    npsOnSilentDays += 1
                }
            }
            if usage.commerce[u] != CommerceEvent.none.rawValue {
                billing(CommerceEvent(rawValue: usage.commerce[u]), plan: usage.plan[u], user: u, day: day)
            }
            var reached = usage.milestones[u]
            while reached != 0 {
                let m = reached.trailingZeroBitCount
                reached &= reached - 1
                let i = u * milestoneCount + m
                if milestoneDay[i] < 0 { milestoneDay[i] = Int16(day) }
            }
        }
    }

    private func billing(_ event: CommerceEvent?, plan: UInt8, user u: Int, day: Int32) {
        switch event {
        case .trialStarted where firstBilling[u] < 0:
            firstBilling[u] = Int16(plan) * 2 + 1
            trialStart[u] = day
        case .subscribed where firstBilling[u] < 0:
            firstBilling[u] = Int16(plan) * 2
            planChangesFrom[u] = day
            planFrom[u] = Int16(plan)
        case .converted, .trialExpired:
            guard trialStart[u] >= 0, trialEnd[u] < 0 else { return }
            trialEnd[u] = day
            converted[u] = event == .converted
            planChangesFrom[u] = day + 1
            planFrom[u] = Int16(plan)
        case .upgraded, .downgraded:
            guard planChangesFrom[u] >= 0, day >= planChangesFrom[u] else { return }
            planChanges[u, default: []].append((day, Int16(plan)))
        default:
            break
        }
    }

    /// For each milestone, the milestones listed before it that it is taken to require: those that every user of
    /// `users` who reached it had reached on the same day or before (none when nobody reached it). A log says nothing
    /// more about requirements; on a log the simulator wrote this finds the scenario's chain of requirements, with the
    /// chain's earlier links, which change nothing.
    func inferredRequirements(users: [Int]) -> [[Int]] {
        let count = milestoneCount
        return (0..<count).map { j in
            var requirements = Array(0..<j)
            var reached = false
            for u in users where milestoneDay[u * count + j] >= 0 {
                reached = true
                let day = milestoneDay[u * count + j]
                requirements.removeAll { i in
                    milestoneDay[u * count + i] < 0 || milestoneDay[u * count + i] > day
                }
            }
            return reached ? requirements : []
        }
    }

    /// User-days observed on each weekday, per account, laid out as ``accountWeekdaySessions``: each fitted user
    /// from sign-up to the last day.
    func accountWeekdayDays() -> [Double] {
        guard let directory else { return [] }
        var days = [Double](repeating: 0, count: directory.accountCount * 7)
        let first = directory.startDate.weekday
        for u in 0..<directory.userCount where isFitted(u) {
            let signup = Int(directory.signupDay[u])
            let observed = observedDays - signup
            let row = Int(directory.account[u]) * 7
            for w in 0..<7 {
                // Days d in signup..<days with weekday w: whole weeks, plus one if w comes up in the last part week.
                let offset = ((w - first - signup) % 7 + 7) % 7
                days[row + w] += Double(observed / 7 + (offset < observed % 7 ? 1 : 0))
            }
        }
        return days
    }

    /// The hidden Markov model's data, one user per fitted user in import order with the size class of the user's
    /// account (its fitted users), and the import index of each; the active days collected are released.
    /// - Throws: ``FittingError`` if the taxonomy declares more than 32 features.
    func sequences() throws -> (data: UserDaySequences, users: [Int]) {
        guard let directory else { return (try UserDaySequences.Builder(featureCount: 0).build(), []) }
        let n = directory.userCount
        // A counting sort by user keeps each user's days in day order.
        var start = [Int](repeating: 0, count: n + 1)
        for u in activeUser { start[Int(u) + 1] += 1 }
        for u in 0..<n { start[u + 1] += start[u] }
        var order = [Int32](repeating: 0, count: activeUser.count)
        var next = start
        for (i, u) in activeUser.enumerated() {
            order[next[Int(u)]] = Int32(i)
            next[Int(u)] += 1
        }
        var accountUsers = [Int](repeating: 0, count: directory.accountCount)
        for u in 0..<n where isFitted(u) { accountUsers[Int(directory.account[u])] += 1 }
        var builder = try UserDaySequences.Builder(featureCount: directory.featureNames.count)
        var users: [Int] = []
        var days: [ActiveDay] = []
        for u in 0..<n where isFitted(u) {
            let signup = Int(directory.signupDay[u])
            days.removeAll(keepingCapacity: true)
            for k in start[u]..<start[u + 1] {
                let i = Int(order[k])
                days.append(
                    ActiveDay(
                        day: Int(activeDay[i]) - signup, sessions: Int(activeSessions[i]),
                        keyActions: Int(activeKeyActions[i]), features: activeFeatures[i]))
            }
            try builder.addUser(
                observedDays: observedDays - signup, activeDays: days,
                accountSizeClass: AccountSizeClass.of(size: accountUsers[Int(directory.account[u])]), signupDay: signup)
            users.append(u)
        }
        activeUser = []
        activeDay = []
        activeSessions = []
        activeKeyActions = []
        activeFeatures = []
        return (builder.build(), users)
    }
}
