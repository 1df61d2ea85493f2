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
        let folding = DayFold(self, usage)
        for u in range { folding.fold(user: u) }
    }

    /// Marks `day` as folded once every user range has been.
    public func finishDay(_ day: Int) {
        precondition(day == self.day + 1, "days must be folded in order")
        self.day = day
    }
}

extension UsageWindows {
    /// What folding one day reads and writes: the day's ring slots, and the columns of the day's usage
    /// and of the windows as raw pointers.
    private struct DayFold {
        let n: Int
        let F: Int
        let M: Int
        let today: Int32
        let slot: Int
        let slot7: Int
        let slot14: Int
        let goal: UInt16
        let rs: UnsafeMutablePointer<UInt16>
        let rk: UnsafeMutablePointer<UInt16>
        let rf: UnsafeMutablePointer<UInt32>
        let s7: UnsafeMutablePointer<UInt32>
        let s28: UnsafeMutablePointer<UInt32>
        let k7: UnsafeMutablePointer<UInt32>
        let k28: UnsafeMutablePointer<UInt32>
        let kLast: UnsafeMutablePointer<UInt32>
        let a7: UnsafeMutablePointer<UInt8>
        let a28: UnsafeMutablePointer<UInt8>
        let aLast: UnsafeMutablePointer<UInt8>
        let fd7: UnsafeMutablePointer<UInt8>
        let fd28: UnsafeMutablePointer<UInt8>
        let inSessions: UnsafeMutablePointer<UInt16>
        let inKeys: UnsafeMutablePointer<UInt16>
        let inFeatures: UnsafeMutablePointer<UInt32>
        let inMilestones: UnsafeMutablePointer<UInt16>
        let inSigned: UnsafeMutablePointer<Bool>
        let inNPS: UnsafeMutablePointer<Int8>
        let inPlan: UnsafeMutablePointer<UInt8>
        let inCommerce: UnsafeMutablePointer<UInt8>
        let signed: UnsafeMutablePointer<Bool>
        let signup: UnsafeMutablePointer<Int32>
        let ever: UnsafeMutablePointer<UInt32>
        let lastS: UnsafeMutablePointer<Int32>
        let lastK: UnsafeMutablePointer<Int32>
        let firstK: UnsafeMutablePointer<Int32>
        let reachedSoFar: UnsafeMutablePointer<UInt16>
        let reachedDay: UnsafeMutablePointer<Int32>
        let activated: UnsafeMutablePointer<Int32>
        let nps: UnsafeMutablePointer<Int8>
        let plans: UnsafeMutablePointer<UInt8>
        let inTrial: UnsafeMutablePointer<Bool>
        let isCancelled: UnsafeMutablePointer<Bool>

        init(_ windows: UsageWindows, _ usage: UsageDay) {
            let d = usage.day
            n = windows.users
            F = windows.featureCount
            M = windows.milestoneCount
            today = Int32(d)
            slot = d % UsageWindows.span
            slot7 = (d - 7 + UsageWindows.span) % UsageWindows.span
            slot14 = (d - 14 + UsageWindows.span) % UsageWindows.span
            goal = windows.activationMask
            rs = windows.ringSessions.baseAddress
            rk = windows.ringKeys.baseAddress
            rf = windows.ringFeatures.baseAddress
            s7 = windows.sessions7.baseAddress
            s28 = windows.sessions28.baseAddress
            k7 = windows.keys7.baseAddress
            k28 = windows.keys28.baseAddress
            kLast = windows.keysLastWeek.baseAddress
            a7 = windows.active7.baseAddress
            a28 = windows.active28.baseAddress
            aLast = windows.activeLastWeek.baseAddress
            fd7 = windows.featureDays7.baseAddress
            fd28 = windows.featureDays28.baseAddress
            inSessions = usage.sessions.baseAddress
            inKeys = usage.keyActions.baseAddress
            inFeatures = usage.features.baseAddress
            inMilestones = usage.milestones.baseAddress
            inSigned = usage.signedUp.baseAddress
            inNPS = usage.npsScore.baseAddress
            inPlan = usage.plan.baseAddress
            inCommerce = usage.commerce.baseAddress
            signed = windows.signedUp.baseAddress
            signup = windows.signupDay.baseAddress
            ever = windows.featuresEver.baseAddress
            lastS = windows.lastSession.baseAddress
            lastK = windows.lastKey.baseAddress
            firstK = windows.firstKey.baseAddress
            reachedSoFar = windows.milestones.baseAddress
            reachedDay = windows.milestoneDay.baseAddress
            activated = windows.activationDay.baseAddress
            nps = windows.npsScore.baseAddress
            plans = windows.plan.baseAddress
            inTrial = windows.trial.baseAddress
            isCancelled = windows.cancelled.baseAddress
        }

        /// Folds user `u`'s day into the user's windows; a user not signed up yet is left as is.
        @inline(__always)
        func fold(user u: Int) {
            guard inSigned[u] else { return }
            if !signed[u] {
                signed[u] = true
                signup[u] = today
            }
            let s = inSessions[u]
            let k = inKeys[u]
            let f = inFeatures[u]
            slide(u, sessions: s, keys: k, features: f)
            noteLastUse(u, sessions: s, keys: k)
            noteMilestones(u)
            noteAccount(u)
        }

        /// Moves user `u`'s rings and running sums on by a day: today's usage in, the days leaving the windows out.
        @inline(__always)
        private func slide(_ u: Int, sessions s: UInt16, keys k: UInt16, features f: UInt32) {
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
            slideActiveDays(u, keys: k, out28: oldK, out7: k7Out, out14: k14Out)
            if f | oldF | f7Out != 0 { slideFeatureDays(u, features: f, out28: oldF, out7: f7Out) }
            rs[here] = s
            rk[here] = k
            rf[here] = f
        }

        /// Moves user `u`'s counts of days with a key action (7 and 28 days, the week before) on by a day.
        @inline(__always)
        private func slideActiveDays(
            _ u: Int, keys k: UInt16, out28 oldK: UInt16, out7 k7Out: UInt16, out14 k14Out: UInt16
        ) {
            let on: UInt8 = k > 0 ? 1 : 0
            let on28Out: UInt8 = oldK > 0 ? 1 : 0
            let on7Out: UInt8 = k7Out > 0 ? 1 : 0
            let on14Out: UInt8 = k14Out > 0 ? 1 : 0
            a28[u] = a28[u] &+ on &- on28Out
            a7[u] = a7[u] &+ on &- on7Out
            aLast[u] = aLast[u] &+ on7Out &- on14Out
        }

        /// Moves user `u`'s days of use of each feature (7 and 28 days) on by a day; notes the features ever used.
        @inline(__always)
        private func slideFeatureDays(_ u: Int, features f: UInt32, out28 oldF: UInt32, out7 f7Out: UInt32) {
            for j in 0..<F {
                let bit = UInt32(1) << UInt32(j)
                let i = u * F + j
                let now: UInt8 = f & bit != 0 ? 1 : 0
                fd28[i] = fd28[i] &+ now &- (oldF & bit != 0 ? 1 : 0)
                fd7[i] = fd7[i] &+ now &- (f7Out & bit != 0 ? 1 : 0)
            }
            ever[u] |= f
        }

        /// Records today as user `u`'s last session and key action, and as the first key action the first time.
        @inline(__always)
        private func noteLastUse(_ u: Int, sessions s: UInt16, keys k: UInt16) {
            if s > 0 { lastS[u] = today }
            if k > 0 {
                lastK[u] = today
                if firstK[u] == UsageWindows.never { firstK[u] = today }
            }
        }

        /// Records the milestones user `u` reached today, the day each was first reached, and the day of activation.
        @inline(__always)
        private func noteMilestones(_ u: Int) {
            let reached = inMilestones[u]
            guard reached != 0 else { return }
            let before = reachedSoFar[u]
            let after = before | reached
            reachedSoFar[u] = after
            for m in 0..<M where reached & (1 << UInt16(m)) != 0 && reachedDay[u * M + m] == UsageWindows.never {
                reachedDay[u * M + m] = today
            }
            if goal != 0, before & goal != goal, after & goal == goal {
                activated[u] = today
            }
        }

        /// Records user `u`'s NPS answer and plan of today, and a trial or cancellation from today's billing change.
        @inline(__always)
        private func noteAccount(_ u: Int) {
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
}
