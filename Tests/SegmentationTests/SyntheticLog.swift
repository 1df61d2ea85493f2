import Segmentation
import UsageModel

/// A hand-written usage history: what each user did on each day, everything else zero.
struct SyntheticLog {
    struct Day {
        var sessions: UInt16 = 0
        var keyActions: UInt16 = 0
        var features: UInt32 = 0
        var milestones: UInt16 = 0
        var nps: Int8 = -1
        var commerce: CommerceEvent = .none
        var limits: UInt8 = 0
        var premium: UInt32 = 0
    }

    let users: Int
    let days: Int
    var signup: [Int]
    var account: [Int32]
    var plan: [UInt8]
    var entries: [Int: Day] = [:]

    static let vocabulary = Vocabulary(
        features: ["reports", "exports"], milestones: ["setup", "invite"], plans: ["free", "team"])

    init(users: Int, days: Int) {
        self.users = users
        self.days = days
        signup = Array(repeating: 0, count: users)
        account = (0..<users).map { Int32($0) }
        plan = Array(repeating: 0, count: users)
    }

    subscript(user: Int, day: Int) -> Day {
        get { entries[day * users + user] ?? Day() }
        set { entries[day * users + user] = newValue }
    }

    /// A key action and a session on each of `days` for `user`.
    mutating func active(_ user: Int, on days: some Sequence<Int>, keyActions: UInt16 = 1, features: UInt32 = 0) {
        for d in days {
            var e = self[user, d]
            e.sessions = max(e.sessions, 1)
            e.keyActions = keyActions
            e.features |= features
            self[user, d] = e
        }
    }

    /// Feeds the log to an observer as the simulator or importer would.
    func replay(into observer: some DayObserver) throws {
        let directory = PopulationDirectory(
            userCount: users, account: Column(account), signupDay: Column(signup.map { Int32($0) }),
            accountCount: Int(account.max() ?? 0) + 1, featureNames: Self.vocabulary.features,
            milestoneNames: Self.vocabulary.milestones, planNames: Self.vocabulary.plans,
            startDate: CivilDate(year: 2026, month: 1, day: 5)!, days: days)
        try observer.daysWillStart(directory)
        for d in 0..<days {
            let day = UsageDay(
                day: d,
                sessions: Column((0..<users).map { self[$0, d].sessions }),
                keyActions: Column((0..<users).map { self[$0, d].keyActions }),
                features: Column((0..<users).map { self[$0, d].features }),
                milestones: Column((0..<users).map { self[$0, d].milestones }),
                npsScore: Column((0..<users).map { self[$0, d].nps }),
                commerce: Column((0..<users).map { self[$0, d].commerce.rawValue }),
                plan: Column(plan),
                signedUp: Column((0..<users).map { signup[$0] <= d }),
                limits: Column((0..<users).map { self[$0, d].limits }),
                premiumAttempts: Column((0..<users).map { self[$0, d].premium }))
            try observer.dayDidEnd(day)
        }
        try observer.daysDidEnd()
    }
}
