import Foundation
import Simulation
import Stats
import Testing
import UsageModel

/// The critical value of the binomial checks below.
///
/// A count of n independent Bernoulli(p) trials has sd √(n·p(1−p)), so the share p̂ has sd
/// √(p(1−p)/n) and, with n·p in the thousands, is normal to a very good approximation (CLT).
/// P(|Z| > 3.29) = 0.001 for a standard normal Z (Φ⁻¹(0.9995) = 3.2905), so
/// |p̂ − p| ≤ 3.29·√(p(1−p)/n) fails a correct writer in one seed of a thousand. The seeds are
/// fixed, so each check is deterministic.
private let z999 = 3.29

private func withinBinomialBound(successes: Int, trials: Int, p: Double) -> Bool {
    let n = Double(trials)
    return abs(Double(successes) / n - p) <= z999 * (p * (1 - p) / n).squareRoot()
}

typealias EventLogRow = EventLogFixture.Row

@Suite("Event log writer")
struct EventLogWriterTests {
    /// Three users over three days covering every event rule: user 3 signs up only on day 1
    /// (its day-0 activity must be ignored), users 1 and 2 share account 1.
    static let handDays: [[EventLogRow]] = [
        [
            EventLogRow(
                sessions: 2, keyActions: 3, features: 0b011, milestones: 0b01, commerce: .trialStarted, plan: 1),
            EventLogRow(sessions: 1, features: 0b100, nps: 9, commerce: .subscribed, plan: 2),
            EventLogRow(signedUp: false, sessions: 5, keyActions: 7, nps: 4),
        ],
        [
            EventLogRow(sessions: 1, keyActions: 2, features: 0b001, milestones: 0b10, commerce: .converted, plan: 1),
            EventLogRow(commerce: .downgraded, plan: 1),
            EventLogRow(
                sessions: 3, keyActions: 4, features: 0b110, milestones: 0b11, nps: 3, commerce: .trialStarted,
                plan: 0),
        ],
        [
            EventLogRow(commerce: .upgraded, plan: 2),
            EventLogRow(commerce: .cancelled, plan: 1),
            EventLogRow(sessions: 1, commerce: .trialExpired, plan: 0),
        ],
    ]
    static let handDirectory = EventLogFixture.directory(accounts: [0, 0, 1], days: 3)

    @Test("every event rule gives exactly the expected events", arguments: EventLogFormat.allCases)
    func exactCounts(format: EventLogFormat) throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let (bytes, stats) = try EventLogFixture.write(
            Self.handDays, directory: Self.handDirectory, to: folder.path("events.\(format.rawValue)"), format: format)
        let events = try EventLogReader.read(bytes, format: format)

        let expected: [String: Int] = [
            "signed_up": 3, "trial_started": 2, "subscription_started": 2, "session_started": 8, "key_action": 9,
            "feature_used": 6, "first_report": 2, "invited_teammate": 2, "nps_submitted": 2, "plan_changed": 2,
            "subscription_cancelled": 1, "trial_ended": 1,
        ]
        #expect(Dictionary(grouping: events, by: \.event).mapValues(\.count) == expected)
        #expect(events.count == 40)

        func values(_ event: String, _ keys: String...) -> [String] {
            events.filter { $0.event == event }
                .map { e in keys.map { "\(e.properties[$0] ?? "-")" }.joined(separator: "/") }.sorted()
        }
        #expect(values("trial_started", "plan") == ["free", "team"])
        #expect(values("subscription_started", "plan") == ["business", "team"])
        #expect(values("plan_changed", "plan", "direction") == ["business/up", "team/down"])
        #expect(values("subscription_cancelled", "plan") == ["team"])
        #expect(values("trial_ended", "plan") == ["free"])
        #expect(values("nps_submitted", "score") == ["3", "9"])
        #expect(
            values("feature_used", "feature") == ["dashboards", "dashboards", "export", "export", "reports", "reports"])
        for e in events
        where ![
            "trial_started", "subscription_started", "plan_changed", "subscription_cancelled",
            "trial_ended", "nps_submitted", "feature_used",
        ].contains(e.event) {
            #expect(e.properties.isEmpty, "\(e.event) should carry {}")
        }

        // Ids: user index + 1 in 7 digits, account index + 1 in 6; users 1 and 2 share account 1.
        let accountOf = Dictionary(events.map { ($0.userID, $0.accountID) }, uniquingKeysWith: { a, _ in a })
        #expect(accountOf == ["u0000001": "a000001", "u0000002": "a000001", "u0000003": "a000002"])
        // Signing up comes before anything else the user does.
        for user in accountOf.keys {
            #expect(events.first { $0.userID == user }?.event == "signed_up")
        }
        if format == .jsonl {
            let ids = events.compactMap(\.messageID)
            #expect(Set(ids).count == events.count)
            #expect(
                ids.allSatisfy { $0.utf8.count == 36 && $0.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12] })
        }

        let total = stats.total
        #expect(total.generated == 40 && total.written == 40)
        #expect(total.lost == 0 && total.late == 0 && total.lateBeyondHorizon == 0 && total.duplicateID == 0)
        #expect(stats[.milestone].written == 4 && stats[.sessionStarted].written == 8)
        #expect(stats.linesWritten == 40 + (format == .csv ? 1 : 0))
        #expect(stats.bytesWritten == bytes.count)
    }

    @Test("times fall on the simulated day, in sessions, in arrival order", arguments: EventLogFormat.allCases)
    func timestamps(format: EventLogFormat) throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let users = 300
        let days = EventLogFixture.randomDays(users: users, days: 5, seed: 11)
        let directory = EventLogFixture.directory(accounts: (0..<users).map { Int32($0 / 4) }, days: 5)
        let (bytes, stats) = try EventLogFixture.write(
            days, directory: directory, to: folder.path("events.\(format.rawValue)"), format: format)
        let events = try EventLogReader.read(bytes, format: format)
        #expect(events.count == stats.total.written)

        // Each user's events on each date are exactly that user-day's events.
        var seen: [String: Int] = [:]
        for e in events {
            seen["\(e.userID) \(e.timestamp.prefix(10))", default: 0] += 1
        }
        var expected: [String: Int] = [:]
        for (d, rows) in days.enumerated() {
            let date = EventLogFixture.start.adding(days: d).description
            for (u, r) in rows.enumerated() where EventLogFixture.expectedEvents(r) > 0 {
                expected["\(PopulationDirectory.userID(u)) \(date)"] = EventLogFixture.expectedEvents(r)
            }
        }
        #expect(seen == expected)

        var previous: Int64 = -1
        var sessionStart: [String: Int64] = [:]
        var inSession: [(key: String, time: Int64)] = []
        for e in events {
            let t = try #require(EventLogReader.millis(e.timestamp), "bad time \(e.timestamp)")
            let r = try #require(EventLogReader.millis(e.receivedAt), "bad time \(e.receivedAt)")
            #expect(r == t)
            #expect(r >= previous)
            previous = r
            let key = "\(e.userID) \(t / 86_400_000)"
            if e.event == "session_started" { sessionStart[key] = t }
            if e.event == "key_action" || e.event == "feature_used" { inSession.append((key, t)) }
        }
        // On a day with one session, in-session events come at or after its start.
        var oneSession = Set<String>()
        for (d, rows) in days.enumerated() {
            for (u, r) in rows.enumerated() where r.signedUp && r.sessions == 1 {
                oneSession.insert("\(PopulationDirectory.userID(u)) \(d)")
            }
        }
        var checked = 0
        for (key, time) in inSession where oneSession.contains(key) {
            #expect(time >= sessionStart[key] ?? .max)
            checked += 1
        }
        #expect(checked > 100)
    }

    @Test("session starts follow the documented diurnal profile")
    func diurnalProfile() throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let users = 2_000
        let days = EventLogFixture.randomDays(users: users, days: 6, seed: 5)
        let directory = EventLogFixture.directory(accounts: (0..<users).map { Int32($0 / 4) }, days: 6)
        let (bytes, _) = try EventLogFixture.write(days, directory: directory, to: folder.path("e.csv"), format: .csv)
        var hours = [Int](repeating: 0, count: 24)
        for e in try EventLogReader.read(bytes, format: .csv) where e.event == "session_started" {
            hours[Int(e.timestamp.dropFirst(11).prefix(2))!] += 1
        }
        let n = Double(hours.reduce(0, +))
        #expect(n > 20_000)
        // Pearson's chi-square against the weights in docs/event-log-format.md, 23 degrees of freedom,
        // compared with the 99.9 % quantile (49.73; taken from GSL through Stats).
        let weights: [Double] = [
            1.2, 0.8, 0.5, 0.4, 0.4, 0.6, 1.5, 3.0, 5.6, 8.0, 8.8, 8.5,
            6.9, 7.7, 8.5, 8.1, 7.2, 5.6, 4.0, 3.3, 3.0, 2.6, 2.3, 1.5,
        ]
        #expect(abs(weights.reduce(0, +) - 100) < 1e-9)
        let chiSquare = zip(hours, weights).reduce(0.0) { sum, pair in
            let expected = n * pair.1 / 100
            return sum + (Double(pair.0) - expected) * (Double(pair.0) - expected) / expected
        }
        let critical = try ChiSquared(degreesOfFreedom: 23).quantile(0.999)
        #expect(abs(critical - 49.73) < 0.01)
        #expect(chiSquare <= critical)
    }

    @Test("lost events are dropped at the configured rate and all accounted for")
    func loss() throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let users = 2_000
        let days = EventLogFixture.randomDays(users: users, days: 10, seed: 3)
        let directory = EventLogFixture.directory(accounts: (0..<users).map { Int32($0 / 4) }, days: 10)
        let p = 0.1
        let (bytes, stats) = try EventLogFixture.write(
            days, directory: directory, to: folder.path("e.jsonl"), format: .jsonl, quality: DataQuality(lostEvents: p))
        let total = stats.total
        let generated = days.joined().reduce(0) { $0 + EventLogFixture.expectedEvents($1) }
        #expect(total.generated == generated)
        #expect(total.generated >= 100_000)
        #expect(total.generated == total.lost + total.written + total.lateBeyondHorizon)
        #expect(withinBinomialBound(successes: total.lost, trials: total.generated, p: p))
        #expect(bytes.count { $0 == UInt8(ascii: "\n") } == total.written)
        for kind in EventKind.allCases {
            let c = stats[kind]
            #expect(c.generated == c.lost + c.written + c.lateBeyondHorizon, "\(kind)")
        }
    }

    @Test("late events arrive out of timestamp order, are written on arrival, and never past the horizon")
    func lateEvents() throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let users = 600
        let dayCount = 14
        let days = EventLogFixture.randomDays(users: users, days: dayCount, seed: 8)
        let directory = EventLogFixture.directory(accounts: (0..<users).map { Int32($0 / 4) }, days: dayCount)
        let p = 0.2
        let quality = DataQuality(lostEvents: 0.05, lateEventProbability: p, lateDelayMedianHours: 6, lateDelaySigma: 1)
        let (bytes, stats) = try EventLogFixture.write(
            days, directory: directory, to: folder.path("e.csv"), format: .csv, quality: quality)
        let events = try EventLogReader.read(bytes, format: .csv)
        let total = stats.total
        #expect(total.generated == total.lost + total.written + total.lateBeyondHorizon)
        #expect(events.count == total.written)

        let horizon = Int64(dayCount) * 86_400_000
        var lastReceived: Int64 = -1
        var latestTimestamp: Int64 = -1
        var outOfOrder = 0
        var late = 0
        var delays: [Int64] = []
        for e in events {
            let t = try #require(EventLogReader.millis(e.timestamp))
            let r = try #require(EventLogReader.millis(e.receivedAt))
            #expect(r >= t)
            #expect(r < horizon)
            // The file is in arrival order, so no event is written before it arrives.
            #expect(r >= lastReceived)
            lastReceived = r
            if t < latestTimestamp { outOfOrder += 1 }
            latestTimestamp = max(latestTimestamp, t)
            if r != t {
                late += 1
                // Days early enough that a delay past the horizon needs ≥ 8 days (see below).
                if t < horizon - 8 * 86_400_000 { delays.append(r - t) }
            }
        }
        #expect(outOfOrder > 0)
        #expect(late == total.late)
        #expect(total.lateBeyondHorizon > 0)
        // Lateness is drawn for every event not lost.
        #expect(
            withinBinomialBound(
                successes: total.late + total.lateBeyondHorizon, trials: total.generated - total.lost, p: p))
        // Half the delays are under the 6-hour median. Censoring at the horizon removes at most the
        // delays over 8 days, P(Z > ln(192/6)) = P(Z > 3.47) < 0.0003 of them, all above the median.
        let underMedian = delays.count { $0 < 6 * 3_600_000 }
        let share = Double(underMedian) / Double(delays.count)
        #expect(abs(share - 0.5) <= z999 * (0.25 / Double(delays.count)).squareRoot() + 0.0003)
    }

    @Test("duplicate ids belong only to duplicated users, at the configured shares")
    func duplicates() throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let users = 3_000
        let seed: UInt64 = 99
        let days = EventLogFixture.randomDays(users: users, days: 4, seed: 4)
        let directory = EventLogFixture.directory(accounts: (0..<users).map { Int32($0 / 4) }, days: 4)
        let quality = DataQuality(duplicateUserShare: 0.5, duplicateEventShare: 0.5)
        let (bytes, stats) = try EventLogFixture.write(
            days, directory: directory, to: folder.path("e.csv"), format: .csv, seed: seed, quality: quality)
        let events = try EventLogReader.read(bytes, format: .csv)

        // The documented rule: StreamKey.derive(seed, "DUPIDS", user, 0), top 53 bits as a fraction, below the share.
        func isDuplicated(_ u: Int) -> Bool {
            Double(StreamKey.derive(seed, 0x4455_5049_4453, UInt64(u), 0) >> 11) * 0x1p-53 < 0.5
        }
        let duplicatedUsers = (0..<users).filter(isDuplicated)
        #expect(withinBinomialBound(successes: duplicatedUsers.count, trials: users, p: 0.5))

        var underSecondID = 0
        var ofDuplicatedUsers = 0
        for e in events {
            let index = Int(e.userID.dropFirst())! - 1
            #expect(e.accountID == EventLogFixture.accountID(of: index))
            if e.userID.hasPrefix("d") {
                #expect(isDuplicated(index), "\(e.userID) is not a duplicated user")
                #expect("u" + e.userID.dropFirst() == PopulationDirectory.userID(index))
                underSecondID += 1
            } else {
                #expect(e.userID == PopulationDirectory.userID(index))
            }
            if isDuplicated(index) { ofDuplicatedUsers += 1 }
        }
        #expect(underSecondID == stats.total.duplicateID)
        #expect(underSecondID > 0)
        #expect(withinBinomialBound(successes: underSecondID, trials: ofDuplicatedUsers, p: 0.5))
        // Nothing is lost, so the shares leave the totals alone.
        #expect(stats.total.written == stats.total.generated)
    }

    @Test("the same input gives byte-identical logs", arguments: EventLogFormat.allCases)
    func determinism(format: EventLogFormat) throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let days = EventLogFixture.randomDays(users: 400, days: 6, seed: 21)
        let directory = EventLogFixture.directory(accounts: (0..<400).map { Int32($0 / 3) }, days: 6)
        let quality = DataQuality(
            lostEvents: 0.05, duplicateUserShare: 0.2, duplicateEventShare: 0.3, lateEventProbability: 0.1)
        let a = try EventLogFixture.write(
            days, directory: directory, to: folder.path("a.\(format)"), format: format, quality: quality)
        let b = try EventLogFixture.write(
            days, directory: directory, to: folder.path("b.\(format)"), format: format, quality: quality)
        let c = try EventLogFixture.write(
            days, directory: directory, to: folder.path("c.\(format)"), format: format, seed: 43, quality: quality)
        #expect(a.bytes == b.bytes)
        #expect(a.stats == b.stats)
        #expect(a.bytes != c.bytes)
        // Faults are drawn after times, so a clean log has the same timestamps as a faulty one.
        let clean = try EventLogFixture.write(
            days, directory: directory, to: folder.path("d.\(format)"), format: format)
        let faulty = Set(try EventLogReader.read(a.bytes, format: format).map { "\($0.event) \($0.timestamp)" })
        let all = Set(try EventLogReader.read(clean.bytes, format: format).map { "\($0.event) \($0.timestamp)" })
        #expect(faulty.isSubset(of: all))
    }

    @Test("the log appears under its name only when complete")
    func atomicity() throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let path = folder.path("events.csv")
        let writer = try EventLogWriter(path: path, seed: 1)
        #expect(writer.format == .csv)
        #expect(writer.temporaryPath == folder.path(".events.csv.partial-\(ProcessInfo.processInfo.processIdentifier)"))
        try writer.daysWillStart(Self.handDirectory)
        for (d, rows) in Self.handDays.enumerated() {
            try writer.dayDidEnd(EventLogFixture.day(d, rows))
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(FileManager.default.fileExists(atPath: writer.temporaryPath))
        }
        try writer.daysDidEnd()
        #expect(try folder.contents() == ["events.csv"])

        // An abandoned writer removes its partial file; a failing one too, and says why.
        do {
            let abandoned = try EventLogWriter(path: folder.path("abandoned.jsonl"), seed: 1)
            try abandoned.daysWillStart(Self.handDirectory)
            try abandoned.dayDidEnd(EventLogFixture.day(0, Self.handDays[0]))
        }
        #expect(try folder.contents() == ["events.csv"])
        let failing = try EventLogWriter(path: folder.path("failing.csv"), seed: 1)
        try failing.daysWillStart(Self.handDirectory)
        var bad = Self.handDays[0]
        bad[0].features = 1 << 3
        #expect(
            throws: EventLogError.invalidInput(
                "day 0, user u0000001: feature bit 3 set but the directory names 3 features")
        ) {
            try failing.dayDidEnd(EventLogFixture.day(0, bad))
        }
        #expect(try folder.contents() == ["events.csv"])
        #expect(throws: EventLogError.self) { try failing.daysDidEnd() }
        #expect(try folder.contents() == ["events.csv"])
    }

    @Test(
        "names with quotes, backslashes, commas and control characters stay valid", arguments: EventLogFormat.allCases)
    func escaping(format: EventLogFormat) throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let feature = "a\"b\\c"
        let milestone = "odd, \"quoted\"\nname"
        let plan = "pl\u{01}an\t"
        let directory = EventLogFixture.directory(
            accounts: [0], days: 1, features: [feature], milestones: [milestone], plans: [plan])
        let rows = [EventLogRow(sessions: 1, features: 1, milestones: 1, commerce: .trialStarted, plan: 0)]
        let (bytes, _) = try EventLogFixture.write(
            [rows], directory: directory, to: folder.path("e.\(format.rawValue)"), format: format)
        let events = try EventLogReader.read(bytes, format: format)
        #expect(events.count == 5)
        #expect(events.first { $0.event == "feature_used" }?.properties["feature"] as? String == feature)
        #expect(events.contains { $0.event == milestone })
        #expect(events.first { $0.event == "trial_started" }?.properties["plan"] as? String == plan)
        if format == .jsonl {
            // One event per physical line even with a newline in a name.
            #expect(bytes.count { $0 == UInt8(ascii: "\n") } == 5)
        }
    }

    @Test(
        "the format follows the extension",
        arguments: [
            ("out/events.csv", EventLogFormat.csv), ("events.JSONL", .jsonl), ("a.b/events.ndjson", .jsonl),
            ("events.json", nil), ("events", nil), ("dir.csv/events", nil),
        ] as [(String, EventLogFormat?)])
    func formatInference(path: String, format: EventLogFormat?) {
        #expect(EventLogFormat.inferred(fromPath: path) == format)
    }

    @Test("bad settings and calls are reported, not crashed on")
    func errors() throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        #expect(throws: EventLogError.unknownFormat(path: folder.path("e.txt"))) {
            try EventLogWriter(path: folder.path("e.txt"), seed: 1)
        }
        #expect(throws: EventLogError.invalidDataQuality("lost_events: must be between 0 and 1, got 1.5")) {
            try EventLogWriter(path: folder.path("e.csv"), seed: 1, dataQuality: DataQuality(lostEvents: 1.5))
        }
        #expect(throws: EventLogError.self) {
            try EventLogWriter(path: folder.path("missing/e.csv"), seed: 1)
        }
        do {
            let writer = try EventLogWriter(path: folder.path("e.csv"), seed: 1)
            #expect(throws: EventLogError.self) { try writer.dayDidEnd(EventLogFixture.day(0, Self.handDays[0])) }
            try writer.daysWillStart(Self.handDirectory)
            try writer.dayDidEnd(EventLogFixture.day(1, Self.handDays[1]))
            #expect(throws: EventLogError.self) { try writer.dayDidEnd(EventLogFixture.day(0, Self.handDays[0])) }
        }
        // The released writer took its partial file with it.
        #expect(try folder.contents().isEmpty)
    }

    /// Not a check: prints the writing speed for a ~2M-event log when SEGMENTLAB_EVENTLOG_BENCH is set.
    /// Run in a release build: `SEGMENTLAB_EVENTLOG_BENCH=1 swift test -c release --filter EventLogWriterTests/speed`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SEGMENTLAB_EVENTLOG_BENCH"] != nil))
    func speed() throws {
        let folder = try EventLogScratch()
        defer { folder.remove() }
        let users = 34_000
        let dayCount = 10
        let days = EventLogFixture.randomDays(users: users, days: dayCount, seed: 1)
        let directory = EventLogFixture.directory(accounts: (0..<users).map { Int32($0 / 4) }, days: dayCount)
        let usage = days.enumerated().map { EventLogFixture.day($0.offset, $0.element) }
        let faults = DataQuality(
            lostEvents: 0.01, duplicateUserShare: 0.05, duplicateEventShare: 0.5, lateEventProbability: 0.02)
        for format in EventLogFormat.allCases {
            for (name, quality) in [("none", DataQuality.none), ("some", faults)] {
                let path = folder.path("bench-\(name).\(format)")
                let writer = try EventLogWriter(path: path, format: format, seed: 1, dataQuality: quality)
                // CPU time as well as wall time: the machine may be shared, and CPU time (user and
                // kernel, the write(2) copies included) is what the writer itself costs.
                let cpuStart = Self.processCPUSeconds()
                let elapsed = try ContinuousClock().measure {
                    try writer.daysWillStart(directory)
                    for day in usage { try writer.dayDidEnd(day) }
                    try writer.daysDidEnd()
                }
                let cpu = Self.processCPUSeconds() - cpuStart
                try FileManager.default.removeItem(atPath: path)
                let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                let s = writer.stats
                let events = Double(s.total.written)
                let megabytes = Double(s.bytesWritten) / 1e6
                print(
                    "event log \(format), faults \(name): \(s.total.written) events, \(s.bytesWritten) bytes; "
                        + "wall \(wall) s: \(Int(events / wall)) events/s, \(Int(megabytes / wall)) MB/s; "
                        + "cpu \(cpu) s: \(Int(events / cpu)) events/s, \(Int(megabytes / cpu)) MB/s")
            }
        }
    }
}

extension EventLogWriterTests {
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

extension EventLogFixture {
    /// The account id the fixtures' `accounts: users / 4` layout gives user `u`.
    static func accountID(of u: Int) -> String { PopulationDirectory.accountID(u / 4) }
}
