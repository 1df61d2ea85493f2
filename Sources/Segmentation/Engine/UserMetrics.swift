import UsageModel

/// Computes a user's metrics on demand for the rules of one evaluation.
///
/// Only the metrics a rule reads are computed; each is a few loads from the windows' columns.
struct UserMetrics: MetricLoader {
    unowned let engine: SegmentationEngine
    let windows: UsageWindows
    let user: Int

    func load(_ id: MetricID) -> Double {
        let w = windows
        let u = user
        let today = w.day
        func since(_ day: Int32) -> Double { day == UsageWindows.never ? .infinity : Double(today - Int(day)) }
        switch engine.compiled.metrics[Int(id.raw)] {
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
            if days >= w.settings.heavyDays { return 3 }
            if days >= w.settings.moderateDays { return 2 }
            return days > 0 ? 1 : 0
        case .tenureDays: return since(w.signupDay[u])
        case .plan: return Double(w.plan[u])
        case .trial: return w.trial[u] ? 1 : 0
        case .cancelled: return w.cancelled[u] ? 1 : 0
        case .lifecycle: return Double(engine.lifecycle[u])
        case .nps:
            let score = w.npsScore[u]
            if score < 0 { return 0 }
            return score <= 6 ? 1 : (score <= 8 ? 2 : 3)
        case .npsScore:
            let score = w.npsScore[u]
            return score < 0 ? .nan : Double(score)
        case .activated: return activationDay() == UsageWindows.never ? 0 : 1
        case .daysSinceActivation: return since(activationDay())
        case .featureAdoption(let f): return Double(adoption(feature: f))
        case .featureDays7(let f): return Double(w.featureDays7[u * w.featureCount + f])
        case .featureDays28(let f): return Double(w.featureDays28[u * w.featureCount + f])
        case .milestone(let m): return w.milestones[u] & (1 << UInt16(m)) != 0 ? 1 : 0
        case .milestoneDaysSince(let m): return since(w.milestoneDay[u * w.milestoneCount + m])
        case .accountSeats: return account { Double($0.seats[$1]) }
        case .accountActiveSeats: return account { Double($0.activeSeats[$1]) }
        case .accountActiveSeatShare:
            return account { a, i in a.seats[i] == 0 ? .nan : Double(a.activeSeats[i]) / Double(a.seats[i]) }
        case .accountEngagementScore:
            return account { a, i in a.seats[i] == 0 ? .nan : a.engagementSum[i] / Double(a.seats[i]) }
        case .accountKeyActions28: return account { Double($0.keyActions28[$1]) }
        case .accountFeatureAdoptionShare(let f):
            return account { a, i in
                a.seats[i] == 0 ? .nan : Double(a.adopters[i * a.features + f]) / Double(a.seats[i])
            }
        }
    }

    /// The day the user became activated; with no activation milestones, the sign-up day.
    func activationDay() -> Int32 {
        windows.activationMask == 0 ? windows.signupDay[user] : windows.activationDay[user]
    }

    /// 0 never, 1 tried, 2 habitual.
    func adoption(feature f: Int) -> Int {
        let w = windows
        if Int(w.featureDays28[user * w.featureCount + f]) >= w.settings.habitualFeatureDays { return 2 }
        return w.featuresEver[user] & (1 << UInt32(f)) != 0 ? 1 : 0
    }

    func engagementScore() -> Double {
        let w = windows
        let e = w.settings.engagement
        let frequency = min(1, Double(w.active28[user]) / e.targetActiveDays)
        let depth = min(1, Double(w.keys28[user]) / e.targetKeyActions)
        var habitual = 0
        for f in 0..<w.featureCount where adoption(feature: f) == 2 { habitual += 1 }
        let breadth = w.featureCount == 0 ? 0 : Double(habitual) / Double(w.featureCount)
        let last = w.lastKey[user]
        let recency = last == UsageWindows.never ? 0 : max(0, 1 - Double(w.day - Int(last)) / Double(UsageWindows.span))
        let total = e.frequency + e.depth + e.breadth + e.recency
        guard total > 0 else { return 0 }
        return 100 * (e.frequency * frequency + e.depth * depth + e.breadth * breadth + e.recency * recency) / total
    }

    func account(_ value: (AccountAggregates, Int) -> Double) -> Double {
        guard let a = engine.accounts, let directory = engine.directory else { return .nan }
        return value(a, Int(directory.account[user]))
    }
}

/// Per-account sums over signed-up users, recomputed at each evaluation that needs them.
final class AccountAggregates {
    let features: Int
    var seats: [Int32]
    var activeSeats: [Int32]
    var engagementSum: [Double]
    var keyActions28: [Int]
    /// Entry `account · features + feature`: seats that tried or habitually use the feature.
    var adopters: [Int32]

    init(accounts: Int, features: Int) {
        self.features = features
        seats = Array(repeating: 0, count: accounts)
        activeSeats = seats
        engagementSum = Array(repeating: 0, count: accounts)
        keyActions28 = Array(repeating: 0, count: accounts)
        adopters = Array(repeating: 0, count: accounts * features)
    }

    func aggregate(windows w: UsageWindows, account: Column<Int32>, loader: UserMetrics) {
        for i in seats.indices {
            seats[i] = 0
            activeSeats[i] = 0
            engagementSum[i] = 0
            keyActions28[i] = 0
        }
        for i in adopters.indices { adopters[i] = 0 }
        for u in 0..<w.users where w.signedUp[u] {
            let a = Int(account[u])
            let metrics = UserMetrics(engine: loader.engine, windows: w, user: u)
            seats[a] += 1
            if w.active7[u] > 0 { activeSeats[a] += 1 }
            engagementSum[a] += metrics.engagementScore()
            keyActions28[a] += Int(w.keys28[u])
            for f in 0..<features where w.featuresEver[u] & (1 << UInt32(f)) != 0 { adopters[a * features + f] += 1 }
        }
    }
}
