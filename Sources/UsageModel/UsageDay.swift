/// What was observable of every user on one simulated day, as columns indexed by user.
///
/// This is the "usage per user-day" that segmentation and policies consume. It holds observed
/// behaviour only; the latent state and churn probability live in the simulator's truth record.
/// The columns are the simulator's own (shared, not copied): an observer reads them during
/// ``DayObserver/dayDidEnd(_:)``; their contents change when the next day starts.
public struct UsageDay: Sendable {
    /// Day index from the scenario's start date (0-based).
    public let day: Int
    /// Sessions started by each user today.
    public let sessions: Column<UInt16>
    /// Key (meaningful) actions performed today.
    public let keyActions: Column<UInt16>
    /// Bit `f` set when the user used feature `f` today.
    public let features: Column<UInt32>
    /// Bit `m` set when the user reached milestone `m` today.
    public let milestones: Column<UInt16>
    /// NPS score answered today (0…10), or -1.
    public let npsScore: Column<Int8>
    /// Billing change today, a raw ``CommerceEvent``.
    public let commerce: Column<UInt8>
    /// Current plan index after today's billing changes.
    public let plan: Column<UInt8>
    /// Whether the user has signed up by today (a user who has not cannot be observed).
    public let signedUp: Column<Bool>
    /// What the plan's limits did today: bits of ``Limit``; 0 on a day nothing held the user back.
    public let limits: Column<UInt8>
    /// Bit `f` set when a weekly cap kept the user from using feature `f` today (a simulated log only:
    /// an imported one knows that a cap was reached, not which).
    public let cappedFeatures: Column<UInt32>
    /// Bit `f` set when the user tried feature `f`, which their plan does not include, today: a
    /// premium attempt. A day with any bit set is a premium-attempt day.
    public let premiumAttempts: Column<UInt32>

    /// Bits of ``limits``.
    public enum Limit {
        /// A usage cap held the user back today: a `cap_reached` day.
        public static let capReached: UInt8 = 1
        /// The weekly key-action cap cut today's key actions (a simulated log only).
        public static let keyActionsCapped: UInt8 = 2
    }

    /// - Parameters:
    ///   - limits, cappedFeatures, premiumAttempts: what the plan's limits did today; `nil` for all zeros
    ///     (a day source without caps or premium features).
    public init(
        day: Int, sessions: Column<UInt16>, keyActions: Column<UInt16>,
        features: Column<UInt32>, milestones: Column<UInt16>, npsScore: Column<Int8>,
        commerce: Column<UInt8>, plan: Column<UInt8>, signedUp: Column<Bool>,
        limits: Column<UInt8>? = nil, cappedFeatures: Column<UInt32>? = nil, premiumAttempts: Column<UInt32>? = nil
    ) {
        self.limits = limits ?? Column(repeating: 0, count: sessions.count)
        self.cappedFeatures = cappedFeatures ?? Column(repeating: 0, count: sessions.count)
        self.premiumAttempts = premiumAttempts ?? Column(repeating: 0, count: sessions.count)
        self.day = day
        self.sessions = sessions
        self.keyActions = keyActions
        self.features = features
        self.milestones = milestones
        self.npsScore = npsScore
        self.commerce = commerce
        self.plan = plan
        self.signedUp = signedUp
    }
}

/// A billing change observed on a user-day.
public enum CommerceEvent: UInt8, Sendable, CaseIterable {
    case none = 0
    /// The user signed up today and starts a trial of their persona's plan.
    case trialStarted
    /// The user signed up today on a plan without a trial (paying from day one).
    case subscribed
    /// The trial ended and the user now pays for the plan.
    case converted
    /// The trial ended without conversion; the user is on the fallback plan.
    case trialExpired
    /// The user moved to a more expensive plan.
    case upgraded
    /// The user moved to a cheaper plan.
    case downgraded
    /// The user left; a paying user's subscription ends with it.
    case cancelled
}

/// Who the population is, fixed for a run: what observers may know before day 0.
public struct PopulationDirectory: Sendable {
    public let userCount: Int
    /// Account (team) index of each user; users of one account are contiguous.
    public let account: Column<Int32>
    /// The day each user signs up (may be after the last simulated day only if the run is cut short).
    public let signupDay: Column<Int32>
    public let accountCount: Int
    public let featureNames: [String]
    public let milestoneNames: [String]
    public let planNames: [String]
    public let startDate: CivilDate
    public let days: Int
    /// Index of user 0 of this directory in the whole population, and of account 0 among its
    /// accounts: not 0 only for a block of a simulated population (a shard), whose users draw from
    /// the random streams of their index in the whole population.
    public let firstUser: Int
    public let firstAccount: Int

    public init(
        userCount: Int, account: Column<Int32>, signupDay: Column<Int32>, accountCount: Int,
        featureNames: [String], milestoneNames: [String], planNames: [String], startDate: CivilDate, days: Int,
        firstUser: Int = 0, firstAccount: Int = 0
    ) {
        self.firstUser = firstUser
        self.firstAccount = firstAccount
        self.userCount = userCount
        self.account = account
        self.signupDay = signupDay
        self.accountCount = accountCount
        self.featureNames = featureNames
        self.milestoneNames = milestoneNames
        self.planNames = planNames
        self.startDate = startDate
        self.days = days
    }

    /// The external user id, as written to event logs: `u` and the 1-based index, zero-padded.
    public static func userID(_ index: Int) -> String { "u" + padded(index + 1, width: 7) }
    /// The external account id: `a` and the 1-based index, zero-padded.
    public static func accountID(_ index: Int) -> String { "a" + padded(index + 1, width: 6) }

    static func padded(_ n: Int, width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// The extension point of the day loop: segmentation, outcome recorders and writers plug in here.
///
/// The simulator, and the replay of an imported log, call ``daysWillStart(_:)`` once, then
/// ``dayDidEnd(_:)`` once per day, in day order, after every user's day is complete and before the
/// next day starts, then ``daysDidEnd()``. Calls come from one thread at a time. What needs a
/// segment evaluation is not a day observer but an evaluation observer of the segmentation
/// engine, which calls it right after each evaluation: no order of observers can starve it.
public protocol DayObserver: AnyObject {
    func daysWillStart(_ population: PopulationDirectory) throws
    func dayDidEnd(_ usage: UsageDay) throws
    func daysDidEnd() throws
}

extension DayObserver {
    public func daysWillStart(_ population: PopulationDirectory) throws {}
    public func daysDidEnd() throws {}
}
