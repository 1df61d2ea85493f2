import Stats
import Testing
import UsageModel

@testable import EventImport

/// The importer keeps a cell only for (user, day) pairs with a used event; the replay must still give
/// every user every day, the same whatever the order of lines or where the days fall in pass 1's rows.
@Suite("Sparse cells")
struct SparseCellsTests {
    func line(_ user: String, _ event: String, _ time: String, _ properties: String = "{}") -> String {
        Fixture.line(user, "a1", event, time, properties)
    }

    @Test func activeOnTheFirstAndLastDayOnly() throws {
        let dir = TempDir()
        // 2026-01-05 to 2026-04-14: 100 days, so day 99 is in another 64-day word than day 0.
        let log =
            Fixture.header
            + line("u1", "signed_up", "2026-01-05T00:00:00Z")
            + line("u1", "session_started", "2026-01-05T00:00:00Z")
            + line("u2", "session_started", "2026-02-24T12:00:00Z")
            + line("u1", "key_action", "2026-04-14T23:59:59.999Z")
            + line("u1", "nps_submitted", "2026-04-14T23:00:00Z", #"{"score":7}"#)
        let (result, r) = try Fixture.run(csv: log, in: dir)
        #expect(result.summary.days == 100 && result.cells.cells.count == 3)
        let u1 = r.days.map { $0[r.population!.userIndex(of: "u1")!] }
        let u2 = r.days.map { $0[r.population!.userIndex(of: "u2")!] }
        #expect(u1[0] == Cell(sessions: 1, signedUp: true))
        #expect(u1[99] == Cell(keyActions: 1, nps: 7, signedUp: true))
        #expect(u1[1..<99].allSatisfy { $0 == Cell(signedUp: true) })
        #expect(u2[50] == Cell(sessions: 1, signedUp: true))
        #expect(u2.enumerated().allSatisfy { $0.offset == 50 || $0.element == Cell(signedUp: $0.offset >= 50) })
    }

    @Test func eventsOutsideSinceAndAsOfTakeNoCell() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            + line("u1", "signed_up", "2026-01-05T09:00:00Z")
            + line("u1", "session_started", "2026-01-05T09:00:00Z")
            + line("u1", "session_started", "2026-01-10T09:00:00Z")
            + line("u1", "session_started", "2026-01-12T09:00:00Z")
            + line("u1", "session_started", "2026-01-20T09:00:00Z")
            // u2 is used only outside the days: a user, without a cell.
            + line("u2", "signed_up", "2026-01-06T09:00:00Z")
            + line("u2", "session_started", "2026-01-15T09:00:00Z")
        let path = dir.write("events.csv", log)
        let scan = try EventLogImporter(
            files: [path], taxonomy: Fixture.taxonomy, startDate: CivilDate(iso: "2026-01-10"),
            asOf: CivilDate(iso: "2026-01-12")
        ).scan()
        #expect(scan.userCount == 2 && scan.days == 3 && scan.activeUserDays == 2)
        let (result, r) = try Fixture.run([path], start: "2026-01-10", asOf: "2026-01-12")
        #expect(result.summary.skipped(.beforeStart) == 3 && result.summary.skipped(.afterEnd) == 2)
        #expect(r.days.map { $0[r.population!.userIndex(of: "u1")!].sessions } == [1, 0, 1])
        #expect(
            r.days.map { $0[r.population!.userIndex(of: "u2")!] } == Array(repeating: Cell(signedUp: true), count: 3))
    }

    /// The first line falls in the middle of the range, later ones before and after it, across several
    /// 64-day words, so pass 1's window of rows grows both ways.
    @Test func rowsGrowBothWays() throws {
        let dir = TempDir()
        let start = CivilDate(iso: "2026-01-01")!
        func time(_ day: Int, _ hour: Int = 9) -> String {
            "\(start.adding(days: day))T\(hour < 10 ? "0" : "")\(hour):00:00Z"
        }
        let days = [150, 149, 152, 120, 200, 3, 299, 0, 64, 63, 128, 255, 256, 151]
        var lines = ""
        for (i, day) in days.enumerated() {
            lines += line("u\(i % 3)", "session_started", time(day))
            lines += line("u\(i % 3)", "key_action", time(day, 10))
        }
        lines += line("u3", "signed_up", time(150))
        let (_, shuffledRows) = try Fixture.run(csv: Fixture.header + lines, in: dir, name: "grown.csv")
        #expect(shuffledRows.directory!.days == 300 && shuffledRows.directory!.startDate == start)
        for (i, day) in days.enumerated() {
            #expect(
                shuffledRows.cell("u\(i % 3)", "\(start.adding(days: day))")
                    == Cell(sessions: 1, keyActions: 1, signedUp: true), "day \(day)")
        }
        let sorted =
            lines.split(separator: "\n").sorted { $0.split(separator: ",")[3] < $1.split(separator: ",")[3] }
            .joined(separator: "\n") + "\n"
        let (_, sortedRows) = try Fixture.run(csv: Fixture.header + sorted, in: dir, name: "sorted.csv")
        #expect(sortedRows.days == shuffledRows.days)
        #expect(sortedRows.population == shuffledRows.population)
    }

    @Test func linesInRandomOrderReplayTheSame() throws {
        let dir = TempDir()
        var rng = SplitMix64(seed: 7)
        let start = CivilDate(iso: "2026-01-05")!
        var lines: [String] = []
        for u in 0..<40 {
            let first = Int.random(in: 0..<150, using: &rng)
            lines.append(line("u\(u)", "signed_up", "\(start.adding(days: first))T08:00:00Z"))
            lines.append(line("u\(u)", "trial_started", "\(start.adding(days: first))T08:00:00Z", #"{"plan":"team"}"#))
            for _ in 0..<Int.random(in: 1..<30, using: &rng) {
                let day = first + Int.random(in: 0..<60, using: &rng)
                let time = "\(start.adding(days: day))T\(10 + Int.random(in: 0..<10, using: &rng)):00:00Z"
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: lines.append(line("u\(u)", "key_action", time))
                case 1: lines.append(line("u\(u)", "feature_used", time, #"{"feature":"reports"}"#))
                case 2: lines.append(line("u\(u)", "setup_complete", time))
                case 3: lines.append(line("u\(u)", "nps_submitted", time, #"{"score":\#(day % 11)}"#))
                case 4: lines.append(line("u\(u)", "plan_changed", time, #"{"plan":"business","direction":"up"}"#))
                default: lines.append(line("u\(u)", "session_started", time))
                }
            }
        }
        let shuffled = lines.shuffled(using: &rng)
        #expect(shuffled != lines)
        let (inOrder, a) = try Fixture.run(csv: Fixture.header + lines.joined(), in: dir, name: "a.csv")
        let (random, b) = try Fixture.run(csv: Fixture.header + shuffled.joined(), in: dir, name: "b.csv")
        #expect(inOrder.summary.eventsUsed == lines.count && random.summary.eventsUsed == lines.count)
        #expect(a.population == b.population)
        #expect(a.days == b.days)
        #expect(a.nonEmpty.count > 200)
    }

    @Test func aNewDayInPassTwoIsAChangedFile() throws {
        let dir = TempDir()
        let path = dir.write(
            "events.csv",
            Fixture.header + line("u1", "signed_up", "2026-01-05T09:00:00Z")
                + line("u1", "session_started", "2026-01-07T09:00:00Z"))
        let scan = try EventLogImporter(files: [path], taxonomy: Fixture.taxonomy).scan()
        // Same number of events and users, but a session moves to a day pass 1 did not see for u1.
        dir.write(
            "events.csv",
            Fixture.header + line("u1", "signed_up", "2026-01-05T09:00:00Z")
                + line("u1", "session_started", "2026-01-06T09:00:00Z"))
        #expect(
            (thrownError { _ = try scan.load() } as? EventImportError) == .changedDuringImport(path: path))
    }

    @Test func passOneDropsADayBeyondTheLongestReplay() {
        let days = ActiveDays()
        days.addUser()
        days.addUser()
        days.insert(user: 1, day: 20_000)
        days.insert(user: 0, day: 20_000 + Int64(EventLogImporter.maxDays))  // would span maxDays + 1
        days.insert(user: 0, day: 2_900_000)  // the year 9909
        #expect(days.firstDay == 20_000 && days.lastDay == 20_000 && days.rowCount == 1)
        days.insert(user: 0, day: 20_000 - Int64(EventLogImporter.maxDays) + 1)  // spans exactly maxDays
        #expect(days.firstDay == 20_000 - Int64(EventLogImporter.maxDays) + 1 && days.rowCount == 2)
        #expect(days.row(day: 20_000)?[0] == 0b10)
        #expect(days.row(day: 20_001) == nil)
        #expect(days.byteCount <= ActiveDays.byteCount(users: 2, days: EventLogImporter.maxDays))
    }

    @Test func passOneRowsGrowWithUsers() {
        let days = ActiveDays()
        days.addUser()
        days.insert(user: 0, day: 100)
        for _ in 0..<200 { days.addUser() }
        days.insert(user: 200, day: 100)
        days.insert(user: 130, day: 99)
        #expect(days.wordsPerRow == 4 && ActiveDays.words(forUsers: 201) == 4)
        #expect(days.row(day: 100).map { [$0[0], $0[1], $0[2], $0[3]] } == [1, 0, 0, 1 << 8])
        #expect(days.row(day: 99).map { [$0[0], $0[1], $0[2], $0[3]] } == [0, 0, 1 << 2, 0])
    }
}
