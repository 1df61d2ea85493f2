import Testing
import UsageModel

@testable import Simulation

/// Survival from the index day: the event is the first run of 30 consecutive days without a session that starts
/// on or after the index day, dated by the day that completes it.
@Suite("Experiment outcomes: survival from the index day")
struct OutcomeRecorderSurvivalTests {
    /// Feeds hand-built session days (all users signed up on day 0) through a recorder with one comparison and
    /// returns each user's (survival days, churn observed).
    static func record(sessionDays: [Set<Int>], indexDays: [Int], days: Int) -> [(Int32, Bool)] {
        entries(sessions: sessionDays.map { set in { set.contains($0) ? 1 : 0 } }, indexDays: indexDays, days: days)
            .map { ($0.survivalDays, $0.churnObserved) }
    }

    /// Feeds each user's sessions per day (all users signed up on day 0) through a recorder with one comparison
    /// and an outcome window of 5 days, and returns the entries.
    static func entries(sessions: [(Int) -> UInt16], indexDays: [Int], days: Int) -> [ExperimentEntry] {
        let n = sessions.count
        let directory = PopulationDirectory(
            userCount: n, account: Column((0..<n).map { Int32($0) }), signupDay: Column(repeating: 0, count: n),
            accountCount: n, featureNames: [], milestoneNames: [], planNames: ["free"],
            startDate: CivilDate(year: 2026, month: 1, day: 5)!, days: days)
        let recorder = OutcomeRecorder(comparisons: 1, outcomeDays: 5, activationMask: 0, planPriceCents: [0])
        for (u, t) in indexDays.enumerated() { recorder.register(comparison: 0, user: u, day: t) }
        recorder.daysWillStart(directory)
        for day in 0..<days {
            let usage = UsageDay(
                day: day, sessions: Column(sessions.map { $0(day) }),
                keyActions: Column(repeating: 0, count: n), features: Column(repeating: 0, count: n),
                milestones: Column(repeating: 0, count: n), npsScore: Column(repeating: -1, count: n),
                commerce: Column(repeating: 0, count: n), plan: Column(repeating: 0, count: n),
                signedUp: Column(repeating: true, count: n))
            recorder.dayDidEnd(usage)
        }
        recorder.daysDidEnd()
        return recorder.entries[0]
    }

    @Test("sessions in the outcome window: the days after the index day, up to and including the fifth")
    func sessionsInTheWindow() {
        // User 0 has d sessions on day d; index day 3, window days 4…8: 4 + 5 + 6 + 7 + 8 = 30.
        // User 1 has 2 sessions a day from day 10 on; index day 7, window 8…12: 0 + 0 + 2 + 2 + 2 = 6.
        // User 2 has its index day 16 of 20 days: the window would end on day 21, so nothing is observed.
        let entries = Self.entries(
            sessions: [{ UInt16($0) }, { $0 >= 10 ? 2 : 0 }, { _ in 1 }], indexDays: [3, 7, 16], days: 20)
        #expect(entries.map(\.sessions) == [30, 6, 0])
        #expect(entries.map(\.observed) == [true, true, false])
        #expect(entries[1].retained)
        // Signed up on day 0: tenure is the index day; sessions to date include the index day's.
        #expect(entries.map(\.tenureAtIndex) == [3, 7, 16])
        let sessionsToDate: [Int32] = [6, 0, 17]  // 0 + 1 + 2 + 3; none before day 10; one a day, days 0…16
        #expect(entries.map(\.sessionsAtIndex) == sessionsToDate)
    }

    /// The definition read literally: walk from the index day, count consecutive days without a session, and stop
    /// on the day the count reaches 30; otherwise censored on the last day.
    static func reference(sessions: Set<Int>, indexDay t: Int, days: Int) -> (Int32, Bool) {
        var idle = 0
        for day in t..<days {
            idle = sessions.contains(day) ? 0 : idle + 1
            if idle == 30 { return (Int32(day - t), true) }
        }
        return (Int32(days - 1 - t), false)
    }

    @Test("hand-built users, among them users idle since before their index day")
    func handBuilt() {
        let days = 100
        let cases: [(sessions: Set<Int>, index: Int, expected: (Int32, Bool), why: String)] = [
            (Set(0...9), 10, (29, true), "idle from the index day on: days 10 to 39 complete the run on day 39"),
            // Idle since day 5: the old rule counted days 5 to 19 and fired on day 34, 14 days after the index day.
            (Set(0...4), 20, (29, true), "idle since before the index day: only days 20 to 49 count"),
            (Set(0...4).union([30]), 20, (40, true), "idle before, a session on day 30: days 31 to 60"),
            (Set(0...59), 20, (69, true), "active to day 59: days 60 to 89"),
            (Set(0...25), 25, (30, true), "a session on the index day: days 26 to 55"),
            (Set(0...80), 20, (79, false), "active to day 80: the run would end on day 110, after the last day"),
            (Set(0...49), 80, (19, false), "idle since day 50, index day 80: day 109 is after the run, censored"),
            (Set(0...4).union([69]), 40, (59, true), "idle before, a session on the 30th day from the index day"),
        ]
        let recorded = Self.record(
            sessionDays: cases.map(\.sessions), indexDays: cases.map(\.index), days: days)
        for (c, actual) in zip(cases, recorded) {
            #expect(actual == c.expected, "\(c.why)")
            #expect(Self.reference(sessions: c.sessions, indexDay: c.index, days: days) == c.expected, "\(c.why)")
        }
    }

    @Test("random session days agree with the definition read literally")
    func randomUsers() {
        // A small xorshift: the cases need only to be varied and fixed.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
        let days = 150
        var sessions: [Set<Int>] = []
        var indexDays: [Int] = []
        for _ in 0..<400 {
            // Bursts of activity separated by idle spells of 0 to 60 days, so runs of 30 start before, on and
            // after the index day.
            var set = Set<Int>()
            var day = next(20)
            while day < days {
                for d in day..<min(days, day + 1 + next(10)) where next(3) > 0 { set.insert(d) }
                day += 1 + next(10) + next(61)
            }
            sessions.append(set)
            indexDays.append(next(days))
        }
        let recorded = Self.record(sessionDays: sessions, indexDays: indexDays, days: days)
        var events = 0
        var idleBeforeIndex = 0
        for (u, actual) in recorded.enumerated() {
            let t = indexDays[u]
            #expect(actual == Self.reference(sessions: sessions[u], indexDay: t, days: days), "user \(u)")
            if actual.1 { events += 1 }
            if t > 0, !sessions[u].contains(t - 1) { idleBeforeIndex += 1 }
        }
        // Both kinds of user are well represented, so the comparison above covers them.
        #expect(events > 100 && idleBeforeIndex > 100)
    }
}
