import UsageModel

/// Computes a user's metrics on demand for the rules of one evaluation.
///
/// Only the metrics a rule reads are computed; each is a few loads from the windows' columns.
struct UserMetrics: MetricLoader {
    // Borrowed, not retained: evaluation runs millions of times and must not touch reference counts.
    let metrics: UnsafeBufferPointer<Metric>
    let w: UsageWindows.View
    /// The day the windows end on.
    let today: Int
    let lifecycle: UnsafeMutablePointer<UInt8>
    let accounts: AccountAggregates.View?
    let account: UnsafeMutablePointer<Int32>?
    /// The user whose metrics are loaded; one loader serves a whole evaluation.
    var user: Int

    func load(_ id: MetricID) -> Double {
        let w = self.w
        let u = user
        let today = self.today
        func since(_ day: Int32) -> Double { day == UsageWindows.never ? .infinity : Double(today - Int(day)) }
        switch metrics[Int(id.raw)] {
        // Before a first session or key action, sign-up is the last thing seen of the user.
        case .daysSinceSession: return since(max(w.lastSession[u], w.signupDay[u]))
        case .daysSinceKeyAction: return since(max(w.lastKey[u], w.signupDay[u]))
        case .sessions1: return Double(w.ringSessions[(today % UsageWindows.span) * w.users + u])
        case .sessions7: return Double(w.sessions7[u])
        case .sessions28: return Double(w.sessions28[u])
        case .keyActions1: return Double(w.ringKeys[(today % UsageWindows.span) * w.users + u])
        case .keyActions7: return Double(w.keys7[u])
        case .keyActions28: return Double(w.keys28[u])
        case .keyActionsLastWeek: return Double(w.keysLastWeek[u])
        case .activeDays7: return Double(w.active7[u])
        case .activeDays28: return Double(w.active28[u])
        case .activeDaysLastWeek: return Double(w.activeLastWeek[u])
        case .trendRatio:
            let last = w.keysLastWeek[u]
            return last == 0 ? .nan : Double(w.keys7[u]) / Double(last)
        case .trendChange: return Double(w.keys7[u]) - Double(w.keysLastWeek[u])
        case .engagementScore: return engagementScore()
        case .stickiness: return Double(w.active28[u]) / Double(UsageWindows.span)
        case .usageRate:
            let days = Int(w.active28[u])
            if days >= w.heavyDays { return 3 }
            if days >= w.moderateDays { return 2 }
            return days > 0 ? 1 : 0
        case .tenureDays: return since(w.signupDay[u])
        case .plan: return Double(w.plan[u])
        case .trial: return w.trial[u] ? 1 : 0
        case .cancelled: return w.cancelled[u] ? 1 : 0
        case .lifecycle: return Double(lifecycle[u])
        case .nps:
            let score = w.npsScore[u]
            if score < 0 { return 0 }
            return score <= 6 ? 1 : (score <= 8 ? 2 : 3)
        case .npsScore:
            let score = w.npsScore[u]
            return score < 0 ? .nan : Double(score)
        case .activated: return activationDay() == UsageWindows.never ? 0 : 1
        case .daysSinceActivation: return since(activationDay())
        case .capReachedDays28: return Double(w.capDays[u].nonzeroBitCount)
        case .premiumAttempts28: return Double(w.premiumDays[u].nonzeroBitCount)
        case .featurePremiumAttempts28(let f): return Double(w.featurePremiumDays[u * w.features + f].nonzeroBitCount)
        case .featureAdoption(let f): return Double(adoption(feature: f))
        case .featureDays7(let f): return Double(w.featureDays7[u * w.features + f])
        case .featureDays28(let f): return Double(w.featureDays28[u * w.features + f])
        case .milestone(let m): return w.milestonesReached[u] & (1 << UInt16(m)) != 0 ? 1 : 0
        case .milestoneDaysSince(let m): return since(w.milestoneDay[u * w.milestones + m])
        case .accountSeats: return account { Double($0.seats[$1]) }
        case .accountActiveSeats: return account { Double($0.activeSeats[$1]) }
        case .accountActiveSeatShare:
            return account { a, i in a.seats[i] == 0 ? .nan : Double(a.activeSeats[i]) / Double(a.seats[i]) }
        case .accountEngagementScore:
            return account { a, i in a.seats[i] == 0 ? .nan : a.engagementSum[i] / Double(a.seats[i]) }
        case .accountKeyActions28: return account { Double($0.keyActions28[$1]) }
        case .accountMRR: return account { Double($0.mrrCents[$1]) / 100 }
        case .accountFeatureAdoptionShare(let f):
            return account { a, i in
                a.seats[i] == 0 ? .nan : Double(a.adopters[i * a.features + f]) / Double(a.seats[i])
            }
        }
    }

    /// The day the user became activated; with no activation milestones, the sign-up day.
    func activationDay() -> Int32 {
        w.activationMask == 0 ? w.signupDay[user] : w.activationDay[user]
    }

    /// 0 never, 1 tried, 2 habitual.
    func adoption(feature f: Int) -> Int {
        if Int(w.featureDays28[user * w.features + f]) >= w.habitualFeatureDays { return 2 }
        return w.featuresEver[user] & (1 << UInt32(f)) != 0 ? 1 : 0
    }

    func engagementScore() -> Double {
        let e = w.engagement
        let frequency = min(1, Double(w.active28[user]) / e.targetActiveDays)
        let depth = min(1, Double(w.keys28[user]) / e.targetKeyActions)
        var habitual = 0
        for f in 0..<w.features where adoption(feature: f) == 2 { habitual += 1 }
        let breadth = w.features == 0 ? 0 : Double(habitual) / Double(w.features)
        let last = w.lastKey[user]
        let recency = last == UsageWindows.never ? 0 : max(0, 1 - Double(today - Int(last)) / Double(UsageWindows.span))
        let total = e.frequency + e.depth + e.breadth + e.recency
        guard total > 0 else { return 0 }
        return 100 * (e.frequency * frequency + e.depth * depth + e.breadth * breadth + e.recency * recency) / total
    }

    func account(_ value: (AccountAggregates.View, Int) -> Double) -> Double {
        guard let accounts, let account else { return .nan }
        return value(accounts, Int(account[user]))
    }
}

/// Per-account sums over signed-up users, recomputed at each evaluation that needs them.
final class AccountAggregates {
    let features: Int
    let seats: Column<Int32>
    let activeSeats: Column<Int32>
    let engagementSum: Column<Double>
    let keyActions28: Column<Int>
    /// The monthly prices of the paying seats' plans, in cents: whole numbers, so the sum is exact in any order.
    let mrrCents: Column<Int64>
    /// Entry `account · features + feature`: seats that have ever used the feature.
    let adopters: Column<Int32>
    /// By plan code; empty when no price is known (then no rule reads `account.mrr`).
    let planPriceCents: [Int64]

    init(accounts: Int, features: Int, planPriceCents: [Int64]) {
        self.features = features
        self.planPriceCents = planPriceCents
        seats = Column(repeating: 0, count: accounts)
        activeSeats = Column(repeating: 0, count: accounts)
        engagementSum = Column(repeating: 0, count: accounts)
        keyActions28 = Column(repeating: 0, count: accounts)
        mrrCents = Column(repeating: 0, count: accounts)
        adopters = Column(repeating: 0, count: accounts * features)
    }

    struct View {
        let features: Int
        let seats: UnsafeMutablePointer<Int32>
        let activeSeats: UnsafeMutablePointer<Int32>
        let engagementSum: UnsafeMutablePointer<Double>
        let keyActions28: UnsafeMutablePointer<Int>
        let mrrCents: UnsafeMutablePointer<Int64>
        let adopters: UnsafeMutablePointer<Int32>
    }

    /// Valid while the aggregates live.
    var view: View {
        View(
            features: features, seats: seats.baseAddress, activeSeats: activeSeats.baseAddress,
            engagementSum: engagementSum.baseAddress, keyActions28: keyActions28.baseAddress,
            mrrCents: mrrCents.baseAddress, adopters: adopters.baseAddress)
    }

    /// - Parameter engagement: whether a rule reads the accounts' engagement score (the costly part).
    func aggregate(windows: UsageWindows, account: Column<Int32>, loader: UserMetrics, engagement: Bool) {
        let w = windows.view
        seats.fill(0)
        activeSeats.fill(0)
        engagementSum.fill(0)
        keyActions28.fill(0)
        mrrCents.fill(0)
        adopters.fill(0)
        let seats = seats.baseAddress
        let active = activeSeats.baseAddress
        let score = engagementSum.baseAddress
        let keys = keyActions28.baseAddress
        let mrr = mrrCents.baseAddress
        let adopters = adopters.baseAddress
        let accountOf = account.baseAddress
        let signed = w.signedUp
        let active7 = w.active7
        let keys28 = w.keys28
        let ever = w.featuresEver
        var metrics = loader
        for u in 0..<w.users where signed[u] {
            let a = Int(accountOf[u])
            seats[a] += 1
            if active7[u] > 0 { active[a] += 1 }
            if engagement {
                metrics.user = u
                score[a] += metrics.engagementScore()
            }
            keys[a] += Int(keys28[u])
            // A seat pays its plan's price unless it is in a trial or has cancelled.
            if !planPriceCents.isEmpty && !w.trial[u] && !w.cancelled[u] { mrr[a] += planPriceCents[Int(w.plan[u])] }
            let used = ever[u]
            if used != 0 {
                for f in 0..<features where used & (1 << UInt32(f)) != 0 { adopters[a * features + f] += 1 }
            }
        }
    }
}
