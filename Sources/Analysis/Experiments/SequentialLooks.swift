/// Daily looks at one metric of a comparison: the anytime-valid confidence sequence and, for contrast, the
/// fixed-horizon test read at every look (what peeking at a dashboard does), from the users whose outcomes are
/// known by each day.
public struct SequentialLooks: Codable, Sendable {
    /// 1 − α is the sequence's time-uniform coverage; α is also the fixed-horizon test's level.
    public let alpha: Double
    /// n*: the users of both arms whose outcome the run observes by its end, where the sequence is tightest.
    public let plannedSampleSize: Int
    /// Looks start once each arm has this many observed users.
    public let minimumUsersPerArm: Int
    /// Days of the run of the first and last look, and the number of looks (one a day with new outcomes).
    public let firstLookDay: Int?
    public let lastLookDay: Int?
    public let looks: Int
    /// The sequence at the last look (all observed users).
    public let final: ConfidenceSequence?
    /// The running intersection over every look, as valid as each interval.
    public let intersectionLower: Double?
    public let intersectionUpper: Double?
    /// The first look whose confidence sequence excludes 0 (a sequential experiment stops there).
    public let stoppingDay: Int?
    /// The first look whose fixed-horizon test (Wald for proportions, Welch for means) has p < α: where an
    /// experiment stopped by daily peeking at the fixed-horizon result would stop.
    public let peekingStoppingDay: Int?

    /// Each arm's users in the order their outcomes became known, with the day each did.
    ///
    /// - Parameters:
    ///   - treatment, control: (day the outcome became known, value) of each observed user.
    ///   - proportion: whether the values are 0/1 (then the fixed-horizon test is Wald's).
    public init(
        treatment: [(day: Int, value: Double)], control: [(day: Int, value: Double)], proportion: Bool,
        alpha: Double = 0.05, minimumUsersPerArm: Int = 100
    ) throws {
        self.alpha = alpha
        self.minimumUsersPerArm = minimumUsersPerArm
        plannedSampleSize = treatment.count + control.count
        let arms = [treatment, control].map { arm in arm.indices.sorted { (arm[$0].day, $0) < (arm[$1].day, $1) } }
        var running = [Running(), Running()]
        var next = [0, 0]
        var sequence: [ConfidenceSequence] = []
        var days: [Int] = []
        var stop: Int?
        var peek: Int?
        for day in Set(treatment.map(\.day) + control.map(\.day)).sorted() {
            for (a, users) in [treatment, control].enumerated() {
                while next[a] < users.count, users[arms[a][next[a]]].day <= day {
                    running[a].add(users[arms[a][next[a]]].value)
                    next[a] += 1
                }
            }
            guard running.allSatisfy({ $0.count >= max(2, minimumUsersPerArm) }) else { continue }
            let (t, c) = (try running[0].summary(), try running[1].summary())
            let interval = try ConfidenceSequence(
                treatment: t, control: c, alpha: alpha, plannedSampleSize: plannedSampleSize)
            sequence.append(interval)
            days.append(day)
            if stop == nil, interval.excludesZero { stop = day }
            if peek == nil, let p = try Self.fixedHorizonP(t, c, running, proportion: proportion), p < alpha {
                peek = day
            }
        }
        firstLookDay = days.first
        lastLookDay = days.last
        looks = days.count
        final = sequence.last
        let intersection = ConfidenceSequence.intersection(of: sequence)
        intersectionLower = intersection?.lowerBound
        intersectionUpper = intersection?.upperBound
        stoppingDay = stop
        peekingStoppingDay = peek
    }

    /// Count, sum and sum of squares of one arm's values so far.
    struct Running {
        var count = 0
        var sum = 0.0
        var squares = 0.0

        mutating func add(_ x: Double) {
            count += 1
            sum += x
            squares += x * x
        }

        func summary() throws -> ArmSummary {
            let n = Double(count)
            let mean = sum / n
            return try ArmSummary(count: count, mean: mean, variance: max(0, (squares - n * mean * mean) / (n - 1)))
        }
    }

    /// The fixed-horizon test's p-value at a look; `nil` when it has none (no spread in either arm).
    static func fixedHorizonP(_ t: ArmSummary, _ c: ArmSummary, _ running: [Running], proportion: Bool) throws
        -> Double?
    {
        if proportion {
            return try TwoProportions(
                treatmentSuccesses: Int(running[0].sum.rounded()), treatmentTrials: running[0].count,
                controlSuccesses: Int(running[1].sum.rounded()), controlTrials: running[1].count
            ).waldPValue
        }
        return try WelchTest(treatment: t, control: c).pValue
    }
}
