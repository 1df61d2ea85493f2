public import UsageModel

/// Per-user usage windows, updated once per day from the day's observed usage.
///
/// Every user has the same fixed-size state (invariant 6): a 28-day ring of sessions, key
/// actions and feature bits, running sums over 1, 7, 14 and 28 days, and the days of last use,
/// first activity, milestones and activation. The same windows are filled from a simulated run
/// and from an imported log (invariant 3): they see only `UsageDay`.
public final class UsageWindows: @unchecked Sendable {
    public static let span = 28

    public let users: Int
    public let featureCount: Int
    public let milestoneCount: Int
    let settings: WindowSettings
    let activationMask: UInt16
    /// The last day folded in (−1 before the first).
    public private(set) var day = -1

    // 28-day rings, slot `day % 28`, entry `slot · users + user`.
    let ringSessions: Column<UInt16>
    let ringKeys: Column<UInt16>
    let ringFeatures: Column<UInt32>
    // Running sums.
    let sessions7: Column<UInt32>
    let sessions28: Column<UInt32>
    let keys7: Column<UInt32>
    let keys28: Column<UInt32>
    let keysLastWeek: Column<UInt32>
    let active7: Column<UInt8>
    let active28: Column<UInt8>
    let activeLastWeek: Column<UInt8>
    /// Entry `user · features + feature`.
    let featureDays7: Column<UInt8>
    let featureDays28: Column<UInt8>
    let featuresEver: Column<UInt32>
    // Days of events; `Int32.min` for never.
    let lastSession: Column<Int32>
    let lastKey: Column<Int32>
    let firstKey: Column<Int32>
    let milestones: Column<UInt16>
    /// Entry `user · milestones + milestone`.
    let milestoneDay: Column<Int32>
    let activationDay: Column<Int32>
    let signupDay: Column<Int32>
    let signedUp: Column<Bool>
    let npsScore: Column<Int8>
    let plan: Column<UInt8>
    let trial: Column<Bool>
    let cancelled: Column<Bool>

    static let never = Int32.min

    /// Whether the user has reached milestone `m` by the latest day folded in.
    public func hasReached(milestone m: Int, user u: Int) -> Bool { milestones[u] & (1 << UInt16(m)) != 0 }

    /// The columns' addresses and the settings as plain values, for readers that run per user and
    /// must not touch reference counts.
    struct View {
        let users: Int
        let features: Int
        let milestones: Int
        let habitualFeatureDays: Int
        let heavyDays: Int
        let moderateDays: Int
        let activationMask: UInt16
        let engagement: EngagementWeights
        let ringSessions: UnsafeMutablePointer<UInt16>
        let ringKeys: UnsafeMutablePointer<UInt16>
        let sessions7: UnsafeMutablePointer<UInt32>
        let sessions28: UnsafeMutablePointer<UInt32>
        let keys7: UnsafeMutablePointer<UInt32>
        let keys28: UnsafeMutablePointer<UInt32>
        let keysLastWeek: UnsafeMutablePointer<UInt32>
        let active7: UnsafeMutablePointer<UInt8>
        let active28: UnsafeMutablePointer<UInt8>
        let activeLastWeek: UnsafeMutablePointer<UInt8>
        let featureDays7: UnsafeMutablePointer<UInt8>
        let featureDays28: UnsafeMutablePointer<UInt8>
        let featuresEver: UnsafeMutablePointer<UInt32>
        let lastSession: UnsafeMutablePointer<Int32>
        let lastKey: UnsafeMutablePointer<Int32>
        let milestonesReached: UnsafeMutablePointer<UInt16>
        let milestoneDay: UnsafeMutablePointer<Int32>
        let activationDay: UnsafeMutablePointer<Int32>
        let signupDay: UnsafeMutablePointer<Int32>
        let signedUp: UnsafeMutablePointer<Bool>
        let npsScore: UnsafeMutablePointer<Int8>
        let plan: UnsafeMutablePointer<UInt8>
        let trial: UnsafeMutablePointer<Bool>
        let cancelled: UnsafeMutablePointer<Bool>
    }

    /// Valid while the windows live.
    var view: View {
        View(
            users: users, features: featureCount, milestones: milestoneCount,
            habitualFeatureDays: settings.habitualFeatureDays, heavyDays: settings.heavyDays,
            moderateDays: settings.moderateDays, activationMask: activationMask, engagement: settings.engagement,
            ringSessions: ringSessions.baseAddress, ringKeys: ringKeys.baseAddress, sessions7: sessions7.baseAddress,
            sessions28: sessions28.baseAddress, keys7: keys7.baseAddress, keys28: keys28.baseAddress,
            keysLastWeek: keysLastWeek.baseAddress, active7: active7.baseAddress, active28: active28.baseAddress,
            activeLastWeek: activeLastWeek.baseAddress, featureDays7: featureDays7.baseAddress,
            featureDays28: featureDays28.baseAddress, featuresEver: featuresEver.baseAddress,
            lastSession: lastSession.baseAddress, lastKey: lastKey.baseAddress,
            milestonesReached: milestones.baseAddress, milestoneDay: milestoneDay.baseAddress,
            activationDay: activationDay.baseAddress, signupDay: signupDay.baseAddress,
            signedUp: signedUp.baseAddress, npsScore: npsScore.baseAddress, plan: plan.baseAddress,
            trial: trial.baseAddress, cancelled: cancelled.baseAddress)
    }

    public init(users: Int, featureCount: Int, milestoneCount: Int, settings: WindowSettings) {
        self.users = users
        self.featureCount = featureCount
        self.milestoneCount = milestoneCount
        self.settings = settings
        activationMask = settings.activationMilestones.reduce(UInt16(0)) { $0 | (1 << UInt16($1)) }
        let n = users
        ringSessions = Column(repeating: 0, count: Self.span * n)
        ringKeys = Column(repeating: 0, count: Self.span * n)
        ringFeatures = Column(repeating: 0, count: Self.span * n)
        sessions7 = Column(repeating: 0, count: n)
        sessions28 = Column(repeating: 0, count: n)
        keys7 = Column(repeating: 0, count: n)
        keys28 = Column(repeating: 0, count: n)
        keysLastWeek = Column(repeating: 0, count: n)
        active7 = Column(repeating: 0, count: n)
        active28 = Column(repeating: 0, count: n)
        activeLastWeek = Column(repeating: 0, count: n)
        featureDays7 = Column(repeating: 0, count: n * featureCount)
        featureDays28 = Column(repeating: 0, count: n * featureCount)
        featuresEver = Column(repeating: 0, count: n)
        lastSession = Column(repeating: Self.never, count: n)
        lastKey = Column(repeating: Self.never, count: n)
        firstKey = Column(repeating: Self.never, count: n)
        milestones = Column(repeating: 0, count: n)
        milestoneDay = Column(repeating: Self.never, count: n * milestoneCount)
        activationDay = Column(repeating: Self.never, count: n)
        signupDay = Column(repeating: Self.never, count: n)
        signedUp = Column(repeating: false, count: n)
        npsScore = Column(repeating: -1, count: n)
        plan = Column(repeating: 0, count: n)
        trial = Column(repeating: false, count: n)
        cancelled = Column(repeating: false, count: n)
    }

    /// Bytes of window state per user, for memory estimates.
    public static func bytesPerUser(features: Int, milestones: Int) -> Int {
        span * (2 + 2 + 4) + 5 * 4 + 3 + 2 * features + 4 + 3 * 4 + 2 + 4 * milestones + 4 + 4 + 1 + 1 + 1 + 1 + 1
    }

    /// Folds one day into the windows of users `range`; days must come in order.
    /// - Complexity: O(users in range × features).
    public func fold(_ usage: UsageDay, users range: Range<Int>) {
        let d = usage.day
        let n = users
        let F = featureCount
        let M = milestoneCount
        let today = Int32(d)
        let slot = d % Self.span
        let slot7 = (d - 7 + Self.span) % Self.span
        let slot14 = (d - 14 + Self.span) % Self.span
        let rs = ringSessions.baseAddress
        let rk = ringKeys.baseAddress
        let rf = ringFeatures.baseAddress
        let s7 = sessions7.baseAddress
        let s28 = sessions28.baseAddress
        let k7 = keys7.baseAddress
        let k28 = keys28.baseAddress
        let kLast = keysLastWeek.baseAddress
        let a7 = active7.baseAddress
        let a28 = active28.baseAddress
        let aLast = activeLastWeek.baseAddress
        let fd7 = featureDays7.baseAddress
        let fd28 = featureDays28.baseAddress
        let inSessions = usage.sessions.baseAddress
        let inKeys = usage.keyActions.baseAddress
        let inFeatures = usage.features.baseAddress
        let inMilestones = usage.milestones.baseAddress
        let inSigned = usage.signedUp.baseAddress
        let inNPS = usage.npsScore.baseAddress
        let inPlan = usage.plan.baseAddress
        let inCommerce = usage.commerce.baseAddress
        let signed = signedUp.baseAddress
        let signup = signupDay.baseAddress
        let ever = featuresEver.baseAddress
        let lastS = lastSession.baseAddress
        let lastK = lastKey.baseAddress
        let firstK = firstKey.baseAddress
        let reachedSoFar = milestones.baseAddress
        let reachedDay = milestoneDay.baseAddress
        let activated = activationDay.baseAddress
        let nps = npsScore.baseAddress
        let plans = plan.baseAddress
        let inTrial = trial.baseAddress
        let isCancelled = cancelled.baseAddress
        let goal = activationMask
        for u in range {
            guard inSigned[u] else { continue }
            if !signed[u] {
                signed[u] = true
                signup[u] = today
            }
            let s = inSessions[u]
            let k = inKeys[u]
            let f = inFeatures[u]
            let here = slot * n + u
            let back7 = slot7 * n + u
            let back14 = slot14 * n + u
            // The slot being overwritten holds day d − 28; the others d − 7 and d − 14.
            let oldS = rs[here]
            let oldK = rk[here]
            let oldF = rf[here]
            let s7Out = rs[back7]
            let k7Out = rk[back7]
            let f7Out = rf[back7]
            let k14Out = rk[back14]
            s28[u] = s28[u] &+ UInt32(s) &- UInt32(oldS)
            s7[u] = s7[u] &+ UInt32(s) &- UInt32(s7Out)
            k28[u] = k28[u] &+ UInt32(k) &- UInt32(oldK)
            k7[u] = k7[u] &+ UInt32(k) &- UInt32(k7Out)
            kLast[u] = kLast[u] &+ UInt32(k7Out) &- UInt32(k14Out)
            let on: UInt8 = k > 0 ? 1 : 0
            let on28Out: UInt8 = oldK > 0 ? 1 : 0
            let on7Out: UInt8 = k7Out > 0 ? 1 : 0
            let on14Out: UInt8 = k14Out > 0 ? 1 : 0
            a28[u] = a28[u] &+ on &- on28Out
            a7[u] = a7[u] &+ on &- on7Out
            aLast[u] = aLast[u] &+ on7Out &- on14Out
            if f | oldF | f7Out != 0 {
                for j in 0..<F {
                    let bit = UInt32(1) << UInt32(j)
                    let i = u * F + j
                    let now: UInt8 = f & bit != 0 ? 1 : 0
                    fd28[i] = fd28[i] &+ now &- (oldF & bit != 0 ? 1 : 0)
                    fd7[i] = fd7[i] &+ now &- (f7Out & bit != 0 ? 1 : 0)
                }
                ever[u] |= f
            }
            rs[here] = s
            rk[here] = k
            rf[here] = f
            if s > 0 { lastS[u] = today }
            if k > 0 {
                lastK[u] = today
                if firstK[u] == Self.never { firstK[u] = today }
            }
            let reached = inMilestones[u]
            if reached != 0 {
                let before = reachedSoFar[u]
                let after = before | reached
                reachedSoFar[u] = after
                for m in 0..<M where reached & (1 << UInt16(m)) != 0 && reachedDay[u * M + m] == Self.never {
                    reachedDay[u * M + m] = today
                }
                if goal != 0, before & goal != goal, after & goal == goal {
                    activated[u] = today
                }
            }
            let score = inNPS[u]
            if score >= 0 { nps[u] = score }
            plans[u] = inPlan[u]
            let commerce = inCommerce[u]
            if commerce != 0 {
                switch CommerceEvent(rawValue: commerce) ?? .none {
                case .trialStarted: inTrial[u] = true
                case .converted, .trialExpired, .subscribed: inTrial[u] = false
                case .cancelled: isCancelled[u] = true
                default: break
                }
            }
        }
    }

    /// Marks `day` as folded once every user range has been.
    public func finishDay(_ day: Int) {
        precondition(day == self.day + 1, "days must be folded in order")
        self.day = day
    }
}
