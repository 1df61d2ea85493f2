public import UsageModel

/// What only a simulator knows: each user's latent state on each day and the probability that
/// they churned that night.
///
/// Kept beside the run, never handed to segmentation or policies (invariant 2); analysis scores
/// segments and predictions against it. Two bytes per user and kept day: the state and the habit
/// level that, with the persona, fixes the day's transition row; the churn probability is read
/// from the same table the simulator drew from, so it is exact. Only the days the analyses read
/// need keeping (``TruthDays``); the others are written to one scratch row and forgotten. Whether
/// a user has churned by a day is known for every day: churn is absorbing, and the record keeps
/// each user's first churned day (four bytes per user).
public final class TruthRecord: @unchecked Sendable {
    /// State code of a user-day before the user signed up.
    public static let notSignedUp: UInt8 = 0xFF

    public let users: Int
    public let days: Int
    public let stateNames: [String]
    /// Row-major, a row per kept day and one scratch row: entry `row · users + user`.
    let state: Column<UInt8>
    let habitLevel: Column<UInt8>
    /// The first day each user spent in the churned state, or `Int32.max`.
    let churnDay: Column<Int32>
    public let persona: Column<UInt8>
    let tables: ModelTables
    /// The row of each day: its own when kept, the scratch row (`keptRows`) otherwise.
    private let rowOfDay: [Int]
    private let keptRows: Int

    init(
        users: Int, days: Int, keeping: TruthDays, persona: Column<UInt8>, tables: ModelTables, stateNames: [String]
    ) {
        self.users = users
        self.days = days
        self.persona = persona
        self.tables = tables
        self.stateNames = stateNames
        let kept = (0..<days).map { keeping.contains($0) }
        let rows = kept.filter { $0 }.count
        var next = 0
        rowOfDay = kept.map { k in
            guard k else { return rows }  // the scratch row
            defer { next += 1 }
            return next
        }
        keptRows = rows
        let allocated = rows == days ? rows : rows + 1
        state = Column(repeating: TruthRecord.notSignedUp, count: users * allocated)
        habitLevel = Column(repeating: 0, count: users * allocated)
        churnDay = Column(repeating: Int32.max, count: users)
    }

    /// Whether the user was in the churned state on `day` (on any day, kept or not).
    public func churned(user: Int, by day: Int) -> Bool { Int(churnDay[user]) <= day }

    /// Whether the record holds `day`.
    public func keeps(day: Int) -> Bool { rowOfDay[day] < keptRows }

    /// Where the day step writes day `day`: the offset of its row.
    func offset(day: Int) -> Int { rowOfDay[day] * users }

    /// Latent state index of a user on a kept day, or `nil` before sign-up.
    public func state(user: Int, day: Int) -> Int? {
        precondition(keeps(day: day), "the truth record does not keep day \(day)")
        let s = state[offset(day: day) + user]
        return s == TruthRecord.notSignedUp ? nil : Int(s)
    }

    /// Probability that the user churned at the end of the day, given their state and habit then
    /// (0 before sign-up and once churned).
    public func dailyChurnProbability(user: Int, day: Int) -> Double {
        precondition(keeps(day: day), "the truth record does not keep day \(day)")
        let s = state[offset(day: day) + user]
        guard s != TruthRecord.notSignedUp, Int(s) != tables.churned else { return 0 }
        let p = Int(persona[user])
        let h = Int(habitLevel[offset(day: day) + user])
        return tables.churnProbability[(p * tables.stateCount + Int(s)) * tables.rowLevels + h]
    }

    /// The level of the row that set the user's transitions on the night after `day`: the habit level
    /// (0 ..< ``BehaviourModel/habitLevels``, 0 without a habit modifier), times the team levels plus the
    /// team level with team influence (``BehaviourModel/teamLevels``).
    public func habitLevel(user: Int, day: Int) -> Int {
        precondition(keeps(day: day), "the truth record does not keep day \(day)")
        return Int(habitLevel[offset(day: day) + user])
    }

    /// Persona index of a user.
    public func persona(user: Int) -> Int { Int(persona[user]) }

    /// Index of the absorbing churned state.
    public var churnedState: Int { tables.churned }

    /// Bytes the record holds for a population and the days it keeps.
    public static func bytes(users: Int, days: Int, keeping: TruthDays) -> Int {
        let kept = (0..<days).filter { keeping.contains($0) }.count
        return 2 * users * (kept == days ? kept : kept + 1) + 4 * users
    }
}

/// The days a truth record keeps.
public enum TruthDays: Sendable {
    /// Every day: what tests of the simulator itself read.
    case all
    /// These days only (a run keeps the days its analyses read; a counterfactual run none).
    case only(Set<Int>)

    public func contains(_ day: Int) -> Bool {
        switch self {
        case .all: true
        case .only(let days): days.contains(day)
        }
    }
}
