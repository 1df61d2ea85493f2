public import UsageModel

/// The external ids of an imported population, by user and account index.
///
/// ``PopulationDirectory`` carries indices only (the simulator's ids are derived from them); an imported log
/// keeps the ids it read, so results can be joined back to the source.
public struct ImportedPopulation: Sendable, Equatable {
    /// The user id of each user index (after aliases).
    public let userIDs: [String]
    /// The account id of each account index; a user without an account has one of their own, named by
    /// their user id.
    public let accountIDs: [String]
    /// When each account's first user had their first event (milliseconds since 1970, UTC). Accounts are
    /// ordered by it, ties by that user's id (bytes): how shards of one log find their common order.
    public let accountFirstEvent: [Int64]

    public init(userIDs: [String], accountIDs: [String], accountFirstEvent: [Int64]) {
        self.userIDs = userIDs
        self.accountIDs = accountIDs
        self.accountFirstEvent = accountFirstEvent
    }

    /// The index of a user id, or nil. Linear: for tests and look-ups, not for loops.
    public func userIndex(of id: String) -> Int? { userIDs.firstIndex(of: id) }
}

/// An observer that also wants the external ids of an imported population.
public protocol ImportObserver: DayObserver {
    /// Called once per replay, before ``DayObserver/daysWillStart(_:)``.
    func importWillStart(_ population: ImportedPopulation) throws
}

/// An imported event log, ready to replay into the day observers as if the simulator ran it.
public final class ImportedEventLog {
    public let directory: PopulationDirectory
    public let population: ImportedPopulation
    public let summary: ImportSummary
    let cells: UsageCells
    let earlyMilestones: Column<UInt16>
    let earlyPlan: Column<Int16>

    init(
        directory: PopulationDirectory, population: ImportedPopulation, summary: ImportSummary, cells: UsageCells,
        earlyMilestones: Column<UInt16>, earlyPlan: Column<Int16>
    ) {
        self.directory = directory
        self.population = population
        self.summary = summary
        self.cells = cells
        self.earlyMilestones = earlyMilestones
        self.earlyPlan = earlyPlan
    }

    /// Calls the observers exactly as ``Simulator`` does: `daysWillStart` once, `dayDidEnd` for each
    /// day in order, `daysDidEnd`. ``ImportObserver``s first get the ids.
    ///
    /// Derived per day: `signedUp` from the sign-up day on; a milestone only on the first day it is seen,
    /// or on the user's first day in the replay (the start date, or the sign-up day) when it was seen
    /// before; the NPS score of the day's last answer;
    /// the day's last billing event; the plan of the last billing event naming one, carried forward, and 0
    /// (the taxonomy's first plan) before any. A user-day without a used event has no cell: nothing used,
    /// no answer (-1), no billing event. The day's columns are reused: read them during `dayDidEnd`.
    ///
    /// `progress` is told the number of days replayed after each day.
    public func replay(observers: [any DayObserver], progress: ((Int) -> Void)? = nil) throws {
        for observer in observers {
            if let observer = observer as? any ImportObserver { try observer.importWillStart(population) }
        }
        for observer in observers { try observer.daysWillStart(directory) }
        let columns = ReplayColumns(userCount: directory.userCount, cells: cells, earlyMilestones: earlyMilestones)
        for u in 0..<directory.userCount where earlyPlan[u] >= 0 { columns.plan[u] = UInt8(earlyPlan[u]) }
        for day in 0..<directory.days {
            columns.fill(day: day, signup: directory.signupDay)
            let usage = UsageDay(
                day: day, sessions: columns.sessions, keyActions: columns.keyActions, features: columns.features,
                milestones: columns.milestones, npsScore: columns.nps, commerce: columns.commerce, plan: columns.plan,
                signedUp: columns.signedUp, limits: columns.limits, cappedFeatures: columns.cappedFeatures,
                premiumAttempts: columns.premium)
            for observer in observers { try observer.dayDidEnd(usage) }
            progress?(day + 1)
        }
        for observer in observers { try observer.daysDidEnd() }
    }
}

extension ImportedEventLog {
    /// Each user's amounts of money on days `0 ... day` (signed up or not), summed in the unit of the log
    /// (day after day, so the sum is the same for any order of lines), and their days with a non-zero
    /// amount; nil when the taxonomy has no `revenue` rule.
    public func revenue(through day: Int) -> (total: [Double], days: [Int32])? {
        guard let revenue = cells.revenue else { return nil }
        let n = directory.userCount
        var total = [Double](repeating: 0, count: n)
        var days = [Int32](repeating: 0, count: n)
        let index = cells.index
        for d in 0...min(day, index.days - 1) {
            var cell = index.dayStart[d]
            for w in 0..<index.wordsPerDay {
                var active = index.bits.baseAddress[d * index.wordsPerDay + w]
                while active != 0 {
                    let u = 64 * w + active.trailingZeroBitCount
                    active &= active - 1
                    let amount = revenue.baseAddress[cell]
                    cell += 1
                    guard amount != 0 else { continue }
                    total[u] += Double(amount) / 1e6
                    days[u] += 1
                }
            }
        }
        return (total, days)
    }
}

/// The day columns a replay hands to the observers, filled day after day from the cells.
private struct ReplayColumns {
    let sessions: Column<UInt16>
    let keyActions: Column<UInt16>
    let features: Column<UInt32>
    let milestones: Column<UInt16>
    let nps: Column<Int8>
    let commerce: Column<UInt8>
    let plan: Column<UInt8>
    let signedUp: Column<Bool>
    let limits: Column<UInt8>
    /// Always empty: a log says that a cap was reached, not which.
    let cappedFeatures: Column<UInt32>
    let premium: Column<UInt32>
    /// Milestones reached so far: a milestone counts on the first day it is seen.
    let reached: Column<UInt16>
    /// Milestones seen before the user's first day in the replay (before the start date, or before
    /// sign-up): they count on that first day, as nothing before it is replayed for the user.
    let pending: Column<UInt16>
    let cells: UsageCells

    init(userCount n: Int, cells: UsageCells, earlyMilestones: Column<UInt16>) {
        sessions = Column(repeating: 0, count: n)
        keyActions = Column(repeating: 0, count: n)
        features = Column(repeating: 0, count: n)
        milestones = Column(repeating: 0, count: n)
        nps = Column(repeating: -1, count: n)
        commerce = Column(repeating: 0, count: n)
        plan = Column(repeating: 0, count: n)
        signedUp = Column(repeating: false, count: n)
        limits = Column(repeating: 0, count: n)
        cappedFeatures = Column(repeating: 0, count: n)
        premium = Column(repeating: 0, count: n)
        reached = Column(repeating: 0, count: n)
        pending = Column(earlyMilestones)
        self.cells = cells
    }

    /// Sets every user's columns for `day`: their cell's when they have one that day, else nothing used.
    func fill(day: Int, signup: Column<Int32>) {
        let index = cells.index
        let today = Int32(day)
        var cell = index.dayStart[day]
        for w in 0..<index.wordsPerDay {
            var active = index.bits.baseAddress[day * index.wordsPerDay + w]
            for u in 64 * w..<min(64 * w + 64, sessions.count) {
                let signup = signup.baseAddress[u]
                let signed = today >= signup
                signedUp.baseAddress[u] = signed
                if active & 1 != 0 {
                    let seen = take(cell, user: u)
                    cell += 1
                    if signed {
                        let fresh = (seen | pending.baseAddress[u]) & ~reached.baseAddress[u]
                        pending.baseAddress[u] = 0
                        reached.baseAddress[u] |= fresh
                        milestones.baseAddress[u] = fresh
                    } else {
                        pending.baseAddress[u] |= seen
                        milestones.baseAddress[u] = 0
                    }
                } else {
                    clear(user: u)
                    // Milestones seen earlier count on the user's first signed-up day, active or not;
                    // on other days an idle user costs nothing more.
                    if signed && (signup == today || day == 0) && pending.baseAddress[u] != 0 {
                        milestones.baseAddress[u] = pending.baseAddress[u]
                        reached.baseAddress[u] = pending.baseAddress[u]
                        pending.baseAddress[u] = 0
                    }
                }
                active >>= 1
            }
        }
    }

    /// Nothing used today.
    @inline(__always)
    private func clear(user u: Int) {
        sessions.baseAddress[u] = 0
        keyActions.baseAddress[u] = 0
        features.baseAddress[u] = 0
        milestones.baseAddress[u] = 0
        nps.baseAddress[u] = -1
        commerce.baseAddress[u] = 0
        limits.baseAddress[u] = 0
        premium.baseAddress[u] = 0
    }

    /// The user's cell of today; returns its milestones.
    @inline(__always)
    private func take(_ i: Int, user u: Int) -> UInt16 {
        let cell = cells.cells.baseAddress[i]
        sessions.baseAddress[u] = cell.sessions
        keyActions.baseAddress[u] = cell.keyActions
        features.baseAddress[u] = cell.features
        limits.baseAddress[u] = cell.flags & UsageCell.capReached != 0 ? UsageDay.Limit.capReached : 0
        premium.baseAddress[u] = cells.premium?.baseAddress[i] ?? 0
        if cell.flags & UsageCell.hasRare != 0 {
            let rare = cells.rare.entry(cell: i)
            nps.baseAddress[u] = rare.nps == 0 ? -1 : Int8(rare.nps & 15)
            commerce.baseAddress[u] = UInt8(rare.commerce & 7)
            if rare.plan != 0 { plan.baseAddress[u] = UInt8((rare.plan & 31) - 1) }
        } else {
            nps.baseAddress[u] = -1
            commerce.baseAddress[u] = 0
        }
        return cell.milestones
    }
}
