/// Population totals of one simulated day.
public struct DayMetrics: Codable, Sendable, Equatable {
    public var day: Int
    /// Users who signed up today.
    public var signups = 0
    /// Signed-up users by latent state during the day (truth; indexed like the model's states).
    public var usersByState: [Int]
    /// Users with at least one session today / in the 7 / 28 days ending today.
    public var dau = 0
    public var wau = 0
    public var mau = 0
    /// Users who reached the last of their activation milestones today.
    public var newActivations = 0
    /// Users who churned at the end of today.
    public var churned = 0
    public var sessions = 0
    public var keyActions = 0
    public var npsResponses = 0
    public var promoters = 0
    public var detractors = 0
    public var trialUsers = 0
    public var conversions = 0
    public var trialExpirations = 0
    public var upgrades = 0
    public var downgrades = 0
    /// Users on a plan with a price at the end of the day, and their monthly recurring revenue.
    public var payingUsers = 0
    public var mrrCents = 0

    public init(day: Int, stateCount: Int) {
        self.day = day
        usersByState = [Int](repeating: 0, count: stateCount)
    }

    /// Revenue earned today in cents: a twelfth of a year's MRR spread over 365 days.
    public var revenueCents: Double { Double(mrrCents) * 12 / 365 }

    /// Adds the same day's counts of other users (another block of the population): every field
    /// is a count over users, so the sum is the day of both.
    public mutating func add(_ other: DayMetrics) {
        precondition(other.day == day && other.usersByState.count == usersByState.count, "not the same day")
        signups += other.signups
        for s in usersByState.indices { usersByState[s] += other.usersByState[s] }
        dau += other.dau
        wau += other.wau
        mau += other.mau
        newActivations += other.newActivations
        churned += other.churned
        sessions += other.sessions
        keyActions += other.keyActions
        npsResponses += other.npsResponses
        promoters += other.promoters
        detractors += other.detractors
        trialUsers += other.trialUsers
        conversions += other.conversions
        trialExpirations += other.trialExpirations
        upgrades += other.upgrades
        downgrades += other.downgrades
        payingUsers += other.payingUsers
        mrrCents += other.mrrCents
    }
}

/// Per-worker counters of a day, laid out flat so workers add into their own slice of one column.
enum Tally {
    static let signups = 0
    static let dau = 1
    static let wau = 2
    static let mau = 3
    static let newActivations = 4
    static let churned = 5
    static let sessions = 6
    static let keyActions = 7
    static let npsResponses = 8
    static let promoters = 9
    static let detractors = 10
    static let trialUsers = 11
    static let conversions = 12
    static let trialExpirations = 13
    static let upgrades = 14
    static let downgrades = 15
    static let payingUsers = 16
    static let mrrCents = 17
    static let firstState = 18

    static func width(stateCount: Int) -> Int { firstState + stateCount }

    static func metrics(day: Int, stateCount: Int, workers: Int, from tally: UnsafeBufferPointer<Int>) -> DayMetrics {
        let width = width(stateCount: stateCount)
        func sum(_ field: Int) -> Int {
            var total = 0
            for w in 0..<workers { total += tally[w * width + field] }
            return total
        }
        var m = DayMetrics(day: day, stateCount: stateCount)
        m.signups = sum(signups)
        m.dau = sum(dau)
        m.wau = sum(wau)
        m.mau = sum(mau)
        m.newActivations = sum(newActivations)
        m.churned = sum(churned)
        m.sessions = sum(sessions)
        m.keyActions = sum(keyActions)
        m.npsResponses = sum(npsResponses)
        m.promoters = sum(promoters)
        m.detractors = sum(detractors)
        m.trialUsers = sum(trialUsers)
        m.conversions = sum(conversions)
        m.trialExpirations = sum(trialExpirations)
        m.upgrades = sum(upgrades)
        m.downgrades = sum(downgrades)
        m.payingUsers = sum(payingUsers)
        m.mrrCents = sum(mrrCents)
        for s in 0..<stateCount { m.usersByState[s] = sum(firstState + s) }
        return m
    }
}
