public import UsageModel

/// One user in one comparison (a treatment arm against the control), from their index day on.
public struct ExperimentEntry: Sendable, Equatable {
    public var user: Int32
    /// The first day a policy of the comparison's arm triggered for the user.
    public var indexDay: Int32
    /// Active days in the 28 days up to and including the index day: the CUPED covariate.
    public var activeDaysBefore: Int32 = 0
    /// Days from sign-up to the index day (0 for a user indexed on their sign-up day: no history).
    public var tenureAtIndex: Int32 = 0
    /// Revenue to date and sessions since sign-up, at the end of the index day.
    public internal(set) var revenueAtIndex: Double = 0
    public internal(set) var sessionsAtIndex: Int32 = 0
    /// The user's segment at the evaluation that indexed them, their plan at the end of the index day, and
    /// the features they used on any day up to it (bit per feature): observable, for subgroups and uplift.
    public var segmentAtIndex: UInt8 = 0
    public var planAtIndex: UInt8 = 0
    public var featuresAtIndex: UInt32 = 0
    /// The features used on any day up to the outcome day (bit per feature).
    public var featuresAtOutcome: UInt32 = 0
    /// The user's persona: known to the simulator only, for reporting who responds.
    public var persona: UInt8 = 0
    /// What the campaigns' sends to the user cost over the run (cents), and the channels they unsubscribed
    /// from: the price of contacting them, for targeting.
    public var costCents: Float = 0
    /// The user's account in the whole population: the cluster of an account-randomised experiment.
    public var account: Int32 = 0
    public var unsubscribes: UInt8 = 0
    /// Whether the run lasted `outcomeDays` after the index day; the outcomes below count only then.
    public var observed = false
    /// A session in the 7 days ending `outcomeDays` after the index day.
    public var retained = false
    /// All activation milestones reached by then.
    public var activated = false
    /// A trial converted to paid in the outcome window.
    public var converted = false
    /// A move to a dearer plan in the outcome window.
    public var upgraded = false
    /// Revenue in the outcome window, cents.
    public var revenueCents = 0.0
    /// Sessions in the outcome window (the `outcomeDays` days after the index day).
    public var sessions: Int32 = 0
    /// Days from the index day to the day that completed the first run of 30 consecutive days
    /// without a session starting on or after the index day (the observed churn), or to the last
    /// day of the run when `churnObserved` is false (censored). Idle days before the index day do
    /// not count, so no user churns earlier than 29 days after it.
    public var survivalDays: Int32 = 0
    public var churnObserved = false

    init(user: Int32, indexDay: Int32, segment: UInt8 = 0) {
        self.user = user
        self.indexDay = indexDay
        segmentAtIndex = segment
    }

    /// Writes every field, 72 bytes.
    public func pack(into w: inout ByteWriter) {
        w.put(user)
        w.put(indexDay)
        w.put(activeDaysBefore)
        w.put(tenureAtIndex)
        w.put(revenueAtIndex)
        w.put(revenueCents)
        w.put(sessionsAtIndex)
        w.put(sessions)
        w.put(survivalDays)
        w.put(featuresAtIndex)
        w.put(featuresAtOutcome)
        w.put(account)
        w.put(costCents.bitPattern)
        for byte in [segmentAtIndex, planAtIndex, persona, unsubscribes] { w.put(byte) }
        for flag in [observed, retained, activated, converted, upgraded, churnObserved] { w.put(flag) }
    }

    /// Reads what ``pack(into:)`` wrote.
    public init(unpacking r: inout ByteReader) throws(PackedBytesError) {
        user = try r.get()
        indexDay = try r.get()
        activeDaysBefore = try r.get()
        tenureAtIndex = try r.get()
        revenueAtIndex = try r.double()
        revenueCents = try r.double()
        sessionsAtIndex = try r.get()
        sessions = try r.get()
        survivalDays = try r.get()
        featuresAtIndex = try r.get()
        featuresAtOutcome = try r.get()
        account = try r.get()
        costCents = Float(bitPattern: try r.get())
        segmentAtIndex = try r.get()
        planAtIndex = try r.get()
        persona = try r.get()
        unsubscribes = try r.get()
        observed = try r.bool()
        retained = try r.bool()
        activated = try r.bool()
        converted = try r.bool()
        upgraded = try r.bool()
        churnObserved = try r.bool()
    }
}

/// Records what every indexed user did in the days after their index day, from observed usage
/// only, so the treated run and its counterfactual twin are measured the same way.
public final class OutcomeRecorder: DayObserver {
    public let comparisons: Int
    public let outcomeDays: Int
    /// Days without a session after which a user counts as churned for survival curves.
    public static let churnGapDays: Int32 = 30
    /// Number of days from the first day of the run of idle days to the day it completes.
    static let gapSpan = churnGapDays - 1
    let activationMask: UInt16
    let planPriceCents: [Int64]
    /// Worker threads of the daily pass over users; the outcomes do not depend on it.
    let threads: Int
    /// The users whose days are followed: all of the population unless a counterfactual run names them.
    var selection: UserSelection?
    /// Entries per comparison, in the order registered.
    public private(set) var entries: [[ExperimentEntry]]
    /// Entries whose baseline is taken on a given day, and whose outcome is taken on a given day.
    var startingOn: [Int32: [(Int, Int)]] = [:]
    var dueOn: [Int32: [(Int, Int)]] = [:]
    /// Entries whose first ``churnGapDays`` days from the index day on are checked on a given day.
    var idleCheckOn: [Int32: [(Int, Int)]] = [:]
    /// Per entry: no session on any of the first ``churnGapDays`` days from the index day on.
    var idleFromIndex: [[Bool]] = []
    var days = 0

    var lastSession = Column<Int32>(repeating: 0, count: 0)
    var activeBits = Column<UInt32>(repeating: 0, count: 0)
    var reached = Column<UInt16>(repeating: 0, count: 0)
    var activatedDay = Column<Int32>(repeating: 0, count: 0)
    var convertedDay = Column<Int32>(repeating: 0, count: 0)
    var upgradeDay = Column<Int32>(repeating: 0, count: 0)
    var inTrial = Column<Bool>(repeating: false, count: 0)
    var cancelled = Column<Bool>(repeating: false, count: 0)
    var revenue = Column<Double>(repeating: 0, count: 0)
    /// Features used on any day so far (bit per feature).
    var adopted = Column<UInt32>(repeating: 0, count: 0)
    /// Sessions since sign-up.
    var sessionCount = Column<Int32>(repeating: 0, count: 0)
    var signupDay = Column<Int32>(repeating: 0, count: 0)
    /// Days on which a user completed 30 days without a session (few per user).
    var gapCompleted: [Int32: [Int32]] = [:]

    static let never = Int32.min / 2

    /// - Parameters:
    ///   - activationMask: the milestones (bits) that make a user activated.
    ///   - planPriceCents: monthly price of each plan; revenue accrues at 12/365 of it a paying day.
    ///   - threads: worker threads of the daily pass over users.
    public init(
        comparisons: Int, outcomeDays: Int, activationMask: UInt16, planPriceCents: [Int64], threads: Int = 1
    ) {
        self.threads = max(1, threads)
        self.comparisons = comparisons
        self.outcomeDays = outcomeDays
        self.activationMask = activationMask
        self.planPriceCents = planPriceCents
        entries = Array(repeating: [], count: comparisons)
        idleFromIndex = Array(repeating: [], count: comparisons)
    }

    /// A recorder for a counterfactual run that re-simulates `users` (ascending): the entries of `treated`
    /// for those users, in the same order and from the same index days.
    public convenience init(counterfactualOf treated: OutcomeRecorder, users: [Int32]) {
        self.init(
            comparisons: treated.comparisons, outcomeDays: treated.outcomeDays, activationMask: treated.activationMask,
            planPriceCents: treated.planPriceCents, threads: treated.threads)
        selection = .only(users)
        var followed = [Bool](repeating: false, count: Int(users.last ?? -1) + 1)
        for u in users { followed[Int(u)] = true }
        for (k, list) in treated.entries.enumerated() {
            for entry in list where Int(entry.user) < followed.count && followed[Int(entry.user)] {
                register(comparison: k, user: Int(entry.user), day: Int(entry.indexDay), segment: entry.segmentAtIndex)
            }
        }
    }

    /// Bytes per user for the memory estimate: the columns and about one entry per comparison (the
    /// entry, its flag and its places in the three day schedules).
    public static func bytesPerUser(_ spec: InterventionSpec) -> Int {
        4 + 4 + 2 + 4 + 4 + 4 + 1 + 1 + 8 + 4 + 4 + 4 + spec.treatmentArms.count * 113
    }

    /// Adds a user to a comparison from `day` on, in `segment` at the evaluation that indexed them; the
    /// baseline is taken at the end of that day.
    public func register(comparison k: Int, user: Int, day: Int, segment: UInt8 = 0) {
        entries[k].append(ExperimentEntry(user: Int32(user), indexDay: Int32(day), segment: segment))
        idleFromIndex[k].append(false)
        startingOn[Int32(day), default: []].append((k, entries[k].count - 1))
    }

    public func daysWillStart(_ population: PopulationDirectory) {
        let n = population.userCount
        if selection == nil { selection = .all(n) }
        days = population.days
        signupDay = population.signupDay
        lastSession = Column(repeating: Self.never, count: n)
        activeBits = Column(repeating: 0, count: n)
        reached = Column(repeating: 0, count: n)
        activatedDay = Column(repeating: Self.never, count: n)
        convertedDay = Column(repeating: Self.never, count: n)
        upgradeDay = Column(repeating: Self.never, count: n)
        inTrial = Column(repeating: false, count: n)
        cancelled = Column(repeating: false, count: n)
        revenue = Column(repeating: 0, count: n)
        sessionCount = Column(repeating: 0, count: n)
        adopted = Column(repeating: 0, count: n)
    }

    public func dayDidEnd(_ usage: UsageDay) {
        let today = Int32(usage.day)
        let dailyShare = 12.0 / 365.0
        // Raw pointers: this pass touches every user every day.
        let signed = usage.signedUp.baseAddress
        let sessions = usage.sessions.baseAddress
        let milestonesToday = usage.milestones.baseAddress
        let commerce = usage.commerce.baseAddress
        let plan = usage.plan.baseAddress
        let signup = signupDay.baseAddress
        let last = lastSession.baseAddress
        let bits = activeBits.baseAddress
        let reachedSoFar = reached.baseAddress
        let activated = activatedDay.baseAddress
        let converted = convertedDay.baseAddress
        let upgraded = upgradeDay.baseAddress
        let trial = inTrial.baseAddress
        let gone = cancelled.baseAddress
        let earned = revenue.baseAddress
        let sessionTotal = sessionCount.baseAddress
        let features = usage.features.baseAddress
        let used = adopted.baseAddress
        let goal = activationMask
        let converting = CommerceEvent.converted.rawValue
        let started = CommerceEvent.trialStarted.rawValue
        let expired = CommerceEvent.trialExpired.rawValue
        let upgrading = CommerceEvent.upgraded.rawValue
        let cancelling = CommerceEvent.cancelled.rawValue
        // Users are independent: contiguous ranges in parallel, each collecting the users whose
        // 30 days without a session ended today, merged in range order.
        let selection = self.selection ?? .all(usage.sessions.count)
        let ranges = selection.ranges(parts: threads)
        var gaps = [[Int32]](repeating: [], count: ranges.count)
        gaps.withUnsafeMutableBufferPointer { gaps in
            planPriceCents.withUnsafeBufferPointer { price in
                UserRanges.forEach(ranges) { worker, positions in
                    selection.forEach(positions) { u in
                        guard signed[u] else { return }
                        if signup[u] == today { last[u] = today - 1 }
                        let active = sessions[u] > 0
                        sessionTotal[u] = sessionTotal[u] &+ Int32(sessions[u])
                        used[u] |= features[u]
                        bits[u] = (bits[u] << 1) | (active ? 1 : 0)
                        if active {
                            last[u] = today
                        } else if today - last[u] == Self.churnGapDays {
                            gaps[worker].append(Int32(u))
                        }
                        if activated[u] == Self.never {
                            reachedSoFar[u] |= milestonesToday[u]
                            if goal == 0 {
                                activated[u] = signup[u]
                            } else if reachedSoFar[u] & goal == goal {
                                activated[u] = today
                            }
                        }
                        let event = commerce[u]
                        if event != 0 {
                            if event == started {
                                trial[u] = true
                            } else if event == converting {
                                trial[u] = false
                                converted[u] = today
                            } else if event == expired {
                                trial[u] = false
                            } else if event == upgrading {
                                upgraded[u] = today
                            } else if event == cancelling {
                                gone[u] = true
                            }
                        }
                        let monthly = price[Int(plan[u])]
                        if monthly > 0, !trial[u], !gone[u] { earned[u] += Double(monthly) * dailyShare }
                    }
                }
            }
        }
        for list in gaps {
            for u in list { gapCompleted[u, default: []].append(today) }
        }
        for (k, i) in startingOn.removeValue(forKey: today) ?? [] {
            let u = Int(entries[k][i].user)
            entries[k][i].activeDaysBefore = Int32((activeBits[u] & 0x0FFF_FFFF).nonzeroBitCount)
            entries[k][i].revenueAtIndex = revenue[u]
            entries[k][i].sessionsAtIndex = sessionCount[u]
            entries[k][i].tenureAtIndex = today - signupDay[u]
            entries[k][i].planAtIndex = usage.plan[u]
            entries[k][i].featuresAtIndex = adopted[u]
            dueOn[today + Int32(outcomeDays), default: []].append((k, i))
            idleCheckOn[today + Self.gapSpan, default: []].append((k, i))
        }
        // Checked after the baselines, so that a one-day gap would be checked on its index day.
        for (k, i) in idleCheckOn.removeValue(forKey: today) ?? [] {
            idleFromIndex[k][i] = lastSession[Int(entries[k][i].user)] < entries[k][i].indexDay
        }
        for (k, i) in dueOn.removeValue(forKey: today) ?? [] {
            let u = Int(entries[k][i].user)
            let t = entries[k][i].indexDay
            entries[k][i].observed = true
            entries[k][i].retained = lastSession[u] > today - 7
            entries[k][i].activated = activatedDay[u] != Self.never && activatedDay[u] <= today
            entries[k][i].converted = convertedDay[u] > t
            entries[k][i].upgraded = upgradeDay[u] > t
            entries[k][i].revenueCents = revenue[u] - entries[k][i].revenueAtIndex
            entries[k][i].sessions = sessionCount[u] &- entries[k][i].sessionsAtIndex
            entries[k][i].featuresAtOutcome = adopted[u]
        }
    }

    public func daysDidEnd() {
        let last = Int32(days - 1)
        for k in entries.indices {
            for i in entries[k].indices {
                let t = entries[k][i].indexDay
                let (time, event) = Self.churnEvent(
                    indexDay: t, idleFromIndex: idleFromIndex[k][i],
                    gapsCompleted: gapCompleted[entries[k][i].user] ?? [], lastDay: last)
                entries[k][i].survivalDays = time
                entries[k][i].churnObserved = event
            }
        }
    }

    /// Survival from the index day `t`: the event is the first run of ``churnGapDays`` consecutive
    /// days without a session that starts on or after `t`, dated by the day that completes it.
    ///
    /// A run that started before `t` and lasts through day `t + 29` contains such a run (days `t`
    /// to `t + 29`), so the event falls on `t + 29` (`idleFromIndex`). Otherwise the user had a
    /// session on one of those days, and every later run starts after `t`: the event is the first
    /// day at or after `t + 29` on which a run reached ``churnGapDays`` days (`gapsCompleted`,
    /// ascending). Without either, the user is censored on `lastDay`.
    /// - Returns: days from `t` to the event or to `lastDay`, and whether the event was seen.
    static func churnEvent(indexDay t: Int32, idleFromIndex: Bool, gapsCompleted: [Int32], lastDay: Int32)
        -> (days: Int32, event: Bool)
    {
        let earliest = t + gapSpan
        if idleFromIndex, earliest <= lastDay { return (gapSpan, true) }
        if let gap = gapsCompleted.first(where: { $0 >= earliest }), gap <= lastDay { return (gap - t, true) }
        return (max(0, lastDay - t), false)
    }
}
