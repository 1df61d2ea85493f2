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
    // Days of the last 28 as bits (bit `day % 28`): a cap reached, a premium attempt, and a premium
    // attempt of each feature (entry `user · features + feature`).
    let capDays: Column<UInt32>
    let premiumDays: Column<UInt32>
    let featurePremiumDays: Column<UInt32>

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
        let ringFeatures: UnsafeMutablePointer<UInt32>
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
        let firstKey: UnsafeMutablePointer<Int32>
        let milestonesReached: UnsafeMutablePointer<UInt16>
        let milestoneDay: UnsafeMutablePointer<Int32>
        let activationDay: UnsafeMutablePointer<Int32>
        let signupDay: UnsafeMutablePointer<Int32>
        let signedUp: UnsafeMutablePointer<Bool>
        let npsScore: UnsafeMutablePointer<Int8>
        let plan: UnsafeMutablePointer<UInt8>
        let trial: UnsafeMutablePointer<Bool>
        let cancelled: UnsafeMutablePointer<Bool>
        let capDays: UnsafeMutablePointer<UInt32>
        let premiumDays: UnsafeMutablePointer<UInt32>
        let featurePremiumDays: UnsafeMutablePointer<UInt32>
    }

    /// Valid while the windows live.
    var view: View {
        View(
            users: users, features: featureCount, milestones: milestoneCount,
            habitualFeatureDays: settings.habitualFeatureDays, heavyDays: settings.heavyDays,
            moderateDays: settings.moderateDays, activationMask: activationMask, engagement: settings.engagement,
            ringSessions: ringSessions.baseAddress, ringKeys: ringKeys.baseAddress,
            ringFeatures: ringFeatures.baseAddress, sessions7: sessions7.baseAddress,
            sessions28: sessions28.baseAddress, keys7: keys7.baseAddress, keys28: keys28.baseAddress,
            keysLastWeek: keysLastWeek.baseAddress, active7: active7.baseAddress, active28: active28.baseAddress,
            activeLastWeek: activeLastWeek.baseAddress, featureDays7: featureDays7.baseAddress,
            featureDays28: featureDays28.baseAddress, featuresEver: featuresEver.baseAddress,
            lastSession: lastSession.baseAddress, lastKey: lastKey.baseAddress, firstKey: firstKey.baseAddress,
            milestonesReached: milestones.baseAddress, milestoneDay: milestoneDay.baseAddress,
            activationDay: activationDay.baseAddress, signupDay: signupDay.baseAddress,
            signedUp: signedUp.baseAddress, npsScore: npsScore.baseAddress, plan: plan.baseAddress,
            trial: trial.baseAddress, cancelled: cancelled.baseAddress, capDays: capDays.baseAddress,
            premiumDays: premiumDays.baseAddress, featurePremiumDays: featurePremiumDays.baseAddress)
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
        capDays = Column(repeating: 0, count: n)
        premiumDays = Column(repeating: 0, count: n)
        featurePremiumDays = Column(repeating: 0, count: n * featureCount)
    }

    /// Bytes of window state per user, for memory estimates.
    public static func bytesPerUser(features: Int, milestones: Int) -> Int {
        span * (2 + 2 + 4) + 5 * 4 + 3 + 2 * features + 4 + 3 * 4 + 2 + 4 * milestones + 4 + 4 + 1 + 1 + 1 + 1 + 1
            + 4 + 4 + 4 * features
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
        let today: Int32
        let slot: Int
        let slot7: Int
        let slot14: Int
        /// The windows' columns and settings.
        let w: View
        let inSessions: UnsafeMutablePointer<UInt16>
        let inKeys: UnsafeMutablePointer<UInt16>
        let inFeatures: UnsafeMutablePointer<UInt32>
        let inMilestones: UnsafeMutablePointer<UInt16>
        let inSigned: UnsafeMutablePointer<Bool>
        let inNPS: UnsafeMutablePointer<Int8>
        let inPlan: UnsafeMutablePointer<UInt8>
        let inCommerce: UnsafeMutablePointer<UInt8>
        let inLimits: UnsafeMutablePointer<UInt8>
        let inPremium: UnsafeMutablePointer<UInt32>
        /// Today's bit in the 28-day masks.
        let dayBit: UInt32

        init(_ windows: UsageWindows, _ usage: UsageDay) {
            let d = usage.day
            today = Int32(d)
            slot = d % UsageWindows.span
            slot7 = (d - 7 + UsageWindows.span) % UsageWindows.span
            slot14 = (d - 14 + UsageWindows.span) % UsageWindows.span
            w = windows.view
            inSessions = usage.sessions.baseAddress
            inKeys = usage.keyActions.baseAddress
            inFeatures = usage.features.baseAddress
            inMilestones = usage.milestones.baseAddress
            inSigned = usage.signedUp.baseAddress
            inNPS = usage.npsScore.baseAddress
            inPlan = usage.plan.baseAddress
            inCommerce = usage.commerce.baseAddress
            inLimits = usage.limits.baseAddress
            inPremium = usage.premiumAttempts.baseAddress
            dayBit = UInt32(1) << UInt32(slot)
        }

        /// Folds user `u`'s day into the user's windows; a user not signed up yet is left as is.
        @inline(__always)
        func fold(user u: Int) {
            guard inSigned[u] else { return }
            if !w.signedUp[u] {
                w.signedUp[u] = true
                w.signupDay[u] = today
            }
            let s = inSessions[u]
            let k = inKeys[u]
            let f = inFeatures[u]
            slide(u, sessions: s, keys: k, features: f)
            noteLastUse(u, sessions: s, keys: k)
            noteMilestones(u)
            noteAccount(u)
            noteLimits(u)
        }

        /// Moves user `u`'s 28-day masks of cap and premium-attempt days on by a day: today's bit, which
        /// held day d − 28, is set from today.
        @inline(__always)
        private func noteLimits(_ u: Int) {
            let keep = ~dayBit
            let capped = inLimits[u] & UsageDay.Limit.capReached != 0
            w.capDays[u] = (w.capDays[u] & keep) | (capped ? dayBit : 0)
            let premium = inPremium[u]
            let before = w.premiumDays[u]
            w.premiumDays[u] = (before & keep) | (premium != 0 ? dayBit : 0)
            // Feature masks change only when today or day d − 28 had an attempt.
            guard premium != 0 || before & dayBit != 0 else { return }
            for f in 0..<w.features {
                let i = u * w.features + f
                w.featurePremiumDays[i] =
                    (w.featurePremiumDays[i] & keep) | (premium & (1 << UInt32(f)) != 0 ? dayBit : 0)
            }
        }

        /// Moves user `u`'s rings and running sums on by a day: today's usage in, the days leaving the windows out.
        @inline(__always)
        private func slide(_ u: Int, sessions s: UInt16, keys k: UInt16, features f: UInt32) {
            let here = slot * w.users + u
            let back7 = slot7 * w.users + u
            let back14 = slot14 * w.users + u
            // The slot being overwritten holds day d − 28; the others d − 7 and d − 14.
            let oldS = w.ringSessions[here]
            let oldK = w.ringKeys[here]
            let oldF = w.ringFeatures[here]
            let s7Out = w.ringSessions[back7]
            let k7Out = w.ringKeys[back7]
            let f7Out = w.ringFeatures[back7]
            let k14Out = w.ringKeys[back14]
            w.sessions28[u] = w.sessions28[u] &+ UInt32(s) &- UInt32(oldS)
            w.sessions7[u] = w.sessions7[u] &+ UInt32(s) &- UInt32(s7Out)
            w.keys28[u] = w.keys28[u] &+ UInt32(k) &- UInt32(oldK)
            w.keys7[u] = w.keys7[u] &+ UInt32(k) &- UInt32(k7Out)
            w.keysLastWeek[u] = w.keysLastWeek[u] &+ UInt32(k7Out) &- UInt32(k14Out)
            slideActiveDays(u, keys: k, out28: oldK, out7: k7Out, out14: k14Out)
            if f | oldF | f7Out != 0 { slideFeatureDays(u, features: f, out28: oldF, out7: f7Out) }
            w.ringSessions[here] = s
            w.ringKeys[here] = k
            w.ringFeatures[here] = f
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
            w.active28[u] = w.active28[u] &+ on &- on28Out
            w.active7[u] = w.active7[u] &+ on &- on7Out
            w.activeLastWeek[u] = w.activeLastWeek[u] &+ on7Out &- on14Out
        }

        /// Moves user `u`'s days of use of each feature (7 and 28 days) on by a day; notes the features ever used.
        @inline(__always)
        private func slideFeatureDays(_ u: Int, features f: UInt32, out28 oldF: UInt32, out7 f7Out: UInt32) {
            for j in 0..<w.features {
                let bit = UInt32(1) << UInt32(j)
                let i = u * w.features + j
                let now: UInt8 = f & bit != 0 ? 1 : 0
                w.featureDays28[i] = w.featureDays28[i] &+ now &- (oldF & bit != 0 ? 1 : 0)
                w.featureDays7[i] = w.featureDays7[i] &+ now &- (f7Out & bit != 0 ? 1 : 0)
            }
            w.featuresEver[u] |= f
        }

        /// Records today as user `u`'s last session and key action, and as the first key action the first time.
        @inline(__always)
        private func noteLastUse(_ u: Int, sessions s: UInt16, keys k: UInt16) {
            if s > 0 { w.lastSession[u] = today }
            if k > 0 {
                w.lastKey[u] = today
                if w.firstKey[u] == UsageWindows.never { w.firstKey[u] = today }
            }
        }

        /// Records the milestones user `u` reached today, the day each was first reached, and the day of activation.
        @inline(__always)
        private func noteMilestones(_ u: Int) {
            let reached = inMilestones[u]
            guard reached != 0 else { return }
            let before = w.milestonesReached[u]
            let after = before | reached
            w.milestonesReached[u] = after
            for m in 0..<w.milestones
            where reached & (1 << UInt16(m)) != 0 && w.milestoneDay[u * w.milestones + m] == UsageWindows.never {
                w.milestoneDay[u * w.milestones + m] = today
            }
            if w.activationMask != 0, before & w.activationMask != w.activationMask,
                after & w.activationMask == w.activationMask
            {
                w.activationDay[u] = today
            }
        }

        /// Records user `u`'s NPS answer and plan of today, and a trial or cancellation from today's billing change.
        @inline(__always)
        private func noteAccount(_ u: Int) {
            let score = inNPS[u]
            if score >= 0 { w.npsScore[u] = score }
            w.plan[u] = inPlan[u]
            let commerce = inCommerce[u]
            if commerce != 0 {
                switch CommerceEvent(rawValue: commerce) ?? .none {
                case .trialStarted: w.trial[u] = true
                case .converted, .trialExpired, .subscribed: w.trial[u] = false
                case .cancelled: w.cancelled[u] = true
                default: break
                }
            }
        }
    }
}
