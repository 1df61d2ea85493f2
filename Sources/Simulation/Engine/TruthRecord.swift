public import UsageModel

/// What only a simulator knows: each user's latent state on each day and the probability that
/// they churned that night.
///
/// Kept beside the run, never handed to segmentation or policies (invariant 2); analysis scores
/// segments and predictions against it. Two bytes per user-day: the state and the habit level
/// that, with the persona, fixes the day's transition row; the churn probability is read from
/// the same table the simulator drew from, so it is exact.
public final class TruthRecord: @unchecked Sendable {
    /// State code of a user-day before the user signed up.
    public static let notSignedUp: UInt8 = 0xFF

    public let users: Int
    public let days: Int
    public let stateNames: [String]
    /// Day-major: entry `day · users + user`.
    let state: Column<UInt8>
    let habitLevel: Column<UInt8>
    let persona: Column<UInt8>
    let tables: ModelTables

    init(users: Int, days: Int, persona: Column<UInt8>, tables: ModelTables, stateNames: [String]) {
        self.users = users
        self.days = days
        self.persona = persona
        self.tables = tables
        self.stateNames = stateNames
        state = Column(repeating: TruthRecord.notSignedUp, count: users * days)
        habitLevel = Column(repeating: 0, count: users * days)
    }

    /// Latent state index of a user on a day, or `nil` before sign-up.
    public func state(user: Int, day: Int) -> Int? {
        let s = state[day * users + user]
        return s == TruthRecord.notSignedUp ? nil : Int(s)
    }

    /// Probability that the user churned at the end of the day, given their state and habit then
    /// (0 before sign-up and once churned).
    public func dailyChurnProbability(user: Int, day: Int) -> Double {
        let s = state[day * users + user]
        guard s != TruthRecord.notSignedUp, Int(s) != tables.churned else { return 0 }
        let p = Int(persona[user])
        let h = Int(habitLevel[day * users + user])
        return tables.churnProbability[(p * tables.stateCount + Int(s)) * tables.habitLevels + h]
    }

    /// Habit level (0 ..< ``BehaviourModel/habitLevels``) that set the user's transition row on the
    /// night after `day`; 0 without a habit modifier.
    public func habitLevel(user: Int, day: Int) -> Int { Int(habitLevel[day * users + user]) }

    /// Persona index of a user.
    public func persona(user: Int) -> Int { Int(persona[user]) }

    /// Index of the absorbing churned state.
    public var churnedState: Int { tables.churned }

    /// Bytes the record holds for a population and horizon.
    public static func bytes(users: Int, days: Int) -> Int { 2 * users * days }
}
