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

    public init(userIDs: [String], accountIDs: [String]) {
        self.userIDs = userIDs
        self.accountIDs = accountIDs
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
    let table: UsageTable
    let earlyMilestones: Column<UInt16>
    let earlyPlan: Column<Int16>

    init(
        directory: PopulationDirectory, population: ImportedPopulation, summary: ImportSummary, table: UsageTable,
        earlyMilestones: Column<UInt16>, earlyPlan: Column<Int16>
    ) {
        self.directory = directory
        self.population = population
        self.summary = summary
        self.table = table
        self.earlyMilestones = earlyMilestones
        self.earlyPlan = earlyPlan
    }

    /// Calls the observers exactly as ``Simulator`` does: `daysWillStart` once, `dayDidEnd` for each
    /// day in order, `daysDidEnd`. ``ImportObserver``s first get the ids.
    ///
    /// Derived per day: `signedUp` from the sign-up day on; a milestone only on the first day it is seen
    /// (never again after the start date if reached before it); the NPS score of the day's last answer;
    /// the day's last billing event; the plan of the last billing event naming one, carried forward, and 0
    /// (the taxonomy's first plan) before any. The day's columns are reused: read them during `dayDidEnd`.
    ///
    /// `progress` is told the number of days replayed after each day.
    public func replay(observers: [any DayObserver], progress: ((Int) -> Void)? = nil) throws {
        for observer in observers {
            if let observer = observer as? any ImportObserver { try observer.importWillStart(population) }
        }
        for observer in observers { try observer.daysWillStart(directory) }
        let n = directory.userCount
        let sessions = Column<UInt16>(repeating: 0, count: n)
        let keyActions = Column<UInt16>(repeating: 0, count: n)
        let features = Column<UInt32>(repeating: 0, count: n)
        let milestones = Column<UInt16>(repeating: 0, count: n)
        let nps = Column<Int8>(repeating: -1, count: n)
        let commerce = Column<UInt8>(repeating: 0, count: n)
        let plan = Column<UInt8>(repeating: 0, count: n)
        let signedUp = Column<Bool>(repeating: false, count: n)
        let reached = Column<UInt16>(earlyMilestones)
        for u in 0..<n where earlyPlan[u] >= 0 { plan[u] = UInt8(earlyPlan[u]) }
        let signup = directory.signupDay.baseAddress
        for day in 0..<directory.days {
            let base = day * n
            if n > 0 {
                sessions.baseAddress.update(from: table.sessions.baseAddress + base, count: n)
                keyActions.baseAddress.update(from: table.keyActions.baseAddress + base, count: n)
                features.baseAddress.update(from: table.features.baseAddress + base, count: n)
            }
            let rawMilestones = table.milestones.baseAddress + base
            let rawNPS = table.nps.baseAddress + base
            let rawCommerce = table.commerce.baseAddress + base
            let rawPlan = table.plan.baseAddress + base
            let reachedOut = reached.baseAddress
            let milestonesOut = milestones.baseAddress
            let npsOut = nps.baseAddress
            let commerceOut = commerce.baseAddress
            let planOut = plan.baseAddress
            let signedUpOut = signedUp.baseAddress
            let today = Int32(day)
            for u in 0..<n {
                signedUpOut[u] = today >= signup[u]
                let fresh = rawMilestones[u] & ~reachedOut[u]
                reachedOut[u] |= fresh
                milestonesOut[u] = fresh
                let answer = rawNPS[u]
                npsOut[u] = answer == 0 ? -1 : Int8(answer & 15)
                commerceOut[u] = UInt8(rawCommerce[u] & 7)
                let p = rawPlan[u]
                if p != 0 { planOut[u] = UInt8((p & 31) - 1) }
            }
            let usage = UsageDay(
                day: day, sessions: sessions, keyActions: keyActions, features: features, milestones: milestones,
                npsScore: nps, commerce: commerce, plan: plan, signedUp: signedUp)
            for observer in observers { try observer.dayDidEnd(usage) }
            progress?(day + 1)
        }
        for observer in observers { try observer.daysDidEnd() }
    }
}
