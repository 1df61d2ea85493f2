import Foundation
import Stats
import Testing
import UsageModel

@testable import EventImport

/// A file read as two parts at once (`EventLogImporter.threads` ≥ 2) imports exactly as when read in one, wherever the
/// split falls: inside a quoted line break, on a malformed line, with users and user-days in both parts.
@Suite struct SplitReadTests {
    /// Everything an import shows: the summary, the population, every replayed user-day, the revenue.
    static func snapshot(_ log: ImportedEventLog, _ recorder: Recorder) -> [String] {
        var lines = [log.summary.description, "\(recorder.calls)", "\(recorder.days)"]
        lines.append("\(recorder.population!.userIDs) \(recorder.population!.accountIDs)")
        lines.append("\(Array(log.directory.account)) \(Array(log.directory.signupDay))")
        if let revenue = log.revenue(through: log.directory.days - 1) { lines.append("\(revenue)") }
        return lines
    }

    /// Parts pass 1 read `path` in when split at `offset`: 2 when the second part was put together with the first.
    static func parts(_ path: String, _ format: LogFormat, taxonomy: Taxonomy, splitAt offset: Int) throws -> Int {
        let scratch = Scratch(capacity: 2 * (EventLogImporter.maxLineBytes + (1 << 20)) + 64)
        let interpreter = EventInterpreter(taxonomy: try CompiledTaxonomy(taxonomy), aliases: nil, scratch: scratch)
        var sink = ScanSink(interpreter: interpreter, counts: ImportCounts(strict: false))
        let tallies = try EventLogImporter.readAll(
            [path], [format], parts: 2, splitOffset: offset, scratch: scratch, into: &sink, progress: nil)
        return tallies[0].parts
    }

    /// Imports `path` split at each of `offsets` and checks each against the import in one part; returns how many of
    /// the splits were put together (the rest were read on from the first part).
    @discardableResult
    static func expectSameImports(
        _ path: String, _ format: LogFormat, taxonomy: Taxonomy = Fixture.taxonomy, aliases: String? = nil,
        offsets: some Sequence<Int>, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Int {
        let whole = try Fixture.run([path], taxonomy: taxonomy, aliases: aliases)
        let expected = snapshot(whole.log, whole.recorder)
        var joined = 0
        for offset in offsets {
            let split = try Fixture.run([path], taxonomy: taxonomy, aliases: aliases, splitAt: offset)
            let same = snapshot(split.log, split.recorder) == expected
            #expect(same, "split at byte \(offset)", sourceLocation: sourceLocation)
            guard same else { break }
            if try parts(path, format, taxonomy: taxonomy, splitAt: offset) == 2 { joined += 1 }
        }
        return joined
    }

    @Test func theExampleLogSplitAtEveryThirdByteImportsAsInOnePart() throws {
        let root = TaxonomyTests.repository + "/scenarios/"
        let path = root + "example-events.csv"
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let joined = try Self.expectSameImports(
            path, .csv, taxonomy: try Taxonomy.load(path: root + "example-taxonomy.yaml"),
            aliases: root + "example-aliases.csv", offsets: stride(from: 0, to: size, by: 3))
        // Splits inside the header or the last line, and within the unterminated quote of line 46 (which runs on to
        // the end of the file before the line is skipped), are read on; every other one is put together.
        #expect(joined > size / 4, "\(joined) of \(size / 3) splits put together")
    }

    /// A log where every user has events in both halves: their states, days and rare cells are merged.
    static func randomLog(users: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        let start = CivilDate(iso: "2026-01-05")!
        var lines: [String] = []
        for u in 0..<users {
            let account = "a\(u % 7)"
            let first = Int.random(in: 0..<60, using: &rng)
            lines.append(Fixture.line("u\(u)", account, "signed_up", "\(start.adding(days: first))T08:00:00Z"))
            lines.append(
                Fixture.line(
                    "u\(u)", account, "trial_started", "\(start.adding(days: first))T08:00:00Z", #"{"plan":"team"}"#))
            for _ in 0..<Int.random(in: 1..<40, using: &rng) {
                let day = first + Int.random(in: 0..<30, using: &rng)
                let time = "\(start.adding(days: day))T\(10 + Int.random(in: 0..<10, using: &rng)):00:00Z"
                // A user's events now and then under another account: the earliest one's account must win.
                let under = Int.random(in: 0..<10, using: &rng) == 0 ? "b\(u % 3)" : account
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: lines.append(Fixture.line("u\(u)", under, "key_action", time))
                case 1: lines.append(Fixture.line("u\(u)", under, "feature_used", time, #"{"feature":"reports"}"#))
                case 2: lines.append(Fixture.line("u\(u)", under, "setup_complete", time))
                case 3: lines.append(Fixture.line("u\(u)", under, "nps_submitted", time, #"{"score":\#(day % 11)}"#))
                case 4:
                    lines.append(
                        Fixture.line("u\(u)", under, "plan_changed", time, #"{"plan":"business","direction":"up"}"#))
                case 5: lines.append(Fixture.line("u\(u)", under, "mystery_\(day % 5)", time))
                default: lines.append(Fixture.line("u\(u)", under, "session_started", time))
                }
            }
        }
        return lines.shuffled(using: &rng)
    }

    @Test func usersInBothPartsAreMerged() throws {
        let dir = TempDir()
        let text = Fixture.header + Self.randomLog(users: 30, seed: 11).joined()
        let path = dir.write("events.csv", text)
        let size = text.utf8.count
        let offsets = stride(from: 0, to: size, by: size / 97)
        let joined = try Self.expectSameImports(path, .csv, offsets: offsets)
        #expect(joined >= 95)
    }

    @Test func jsonLinesSplitAnywhere() throws {
        let dir = TempDir()
        var lines: [String] = []
        for (i, csv) in Self.randomLog(users: 12, seed: 5).enumerated() {
            let fields = csv.dropLast().split(separator: ",", maxSplits: 5).map(String.init)
            var properties = fields[5] == "{}" ? "{}" : String(fields[5].dropFirst().dropLast())
            properties = properties.replacingOccurrences(of: "\"\"", with: "\"")
            lines.append(
                #"{"type":"track","userId":"\#(fields[0])","groupId":"\#(fields[1])","event":"\#(fields[2])","#
                    + #""timestamp":"\#(fields[3])","properties":\#(properties)}"#)
            // A blank line and a broken one now and then, which keep their line numbers in the summary.
            if i % 50 == 7 { lines.append("") }
            if i % 90 == 13 { lines.append(#"{"type":"track","userId":"#) }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let path = dir.write("events.jsonl", text)
        let size = text.utf8.count
        let joined = try Self.expectSameImports(path, .jsonl, offsets: stride(from: 0, to: size, by: size / 61))
        #expect(joined >= 59)
    }

    @Test func aQuotedLineBreakAcrossTheSplitIsReadOn() throws {
        let dir = TempDir()
        let before = Fixture.header + Fixture.line("u1", "a1", "signed_up", "2026-01-05T08:00:00Z")
        // One record over three lines: its quoted received_at field (not read) holds two line breaks.
        let spanning =
            "u1,a1,feature_used,2026-01-06T08:00:00Z,\"one\ntwo\nthree\","
            + "\"{\"\"feature\"\":\"\"reports\"\"}\"\n"
        let after =
            Fixture.line("u2", "a1", "signed_up", "2026-01-07T08:00:00Z")
            + Fixture.line("u1", "a1", "session_started", "2026-01-08T08:00:00Z")
        let path = dir.write("events.csv", before + spanning + after)
        let start = before.utf8.count
        let inside = start + spanning.utf8.prefix { $0 != 0x0A }.count  // the first quoted line break
        #expect(try Self.parts(path, .csv, taxonomy: Fixture.taxonomy, splitAt: inside) == 1)
        #expect(try Self.parts(path, .csv, taxonomy: Fixture.taxonomy, splitAt: start - 1) == 2)
        try Self.expectSameImports(
            path, .csv, offsets: [start - 1, inside, inside + 3, start + spanning.utf8.count - 1])
        let (log, recorder) = try Fixture.run([path], splitAt: inside)
        #expect(log.summary.linesRead == 7 && log.summary.eventsUsed == 4)
        #expect(recorder.cell("u1", "2026-01-06").features == 1 << 1)  // reports
    }

    @Test func linesOfTheSecondPartKeepTheirNumbers() throws {
        let dir = TempDir()
        var text = Fixture.header
        for day in 0..<40 {
            text += Fixture.line(
                "u\(day % 4)", "a1", "session_started", "2026-02-\(String(format: "%02d", day % 28 + 1))T09:00:00Z")
        }
        text += "u9,a1,session_started,not a time,x,{}\n"  // line 42, malformed
        text += Fixture.line("u9", "a1", "session_started", "2046-02-01T09:00:00Z")  // line 43: twenty years later
        let path = dir.write("events.csv", text)
        let split = text.utf8.count * 3 / 4
        #expect(try Self.parts(path, .csv, taxonomy: Fixture.taxonomy, splitAt: split) == 2)
        let whole = thrownError { _ = try Fixture.run([path]) }
        let parted = thrownError { _ = try Fixture.run([path], splitAt: split) }
        #expect(whole != nil && "\(String(describing: parted))" == "\(String(describing: whole))")
        #expect("\(String(describing: whole))".contains("events.csv:43"))
    }

    @Test func aFullTallyOfUnknownEventsIsReadOn() throws {
        let dir = TempDir()
        var text = Fixture.header + Fixture.line("u1", "a1", "session_started", "2026-01-05T08:00:00Z")
        text += Fixture.line("u1", "a1", "mystery_0", "2026-01-05T08:00:00Z")
        for i in 0..<1_100 { text += Fixture.line("u1", "a1", "unknown_\(i)", "2026-01-05T09:00:00Z") }
        // In one pass mystery_0 is among the first thousand names and counted by name; the second part alone would
        // have put its later occurrence among the others.
        text += Fixture.line("u1", "a1", "mystery_0", "2026-01-05T10:00:00Z")
        let path = dir.write("events.csv", text)
        let split = text.utf8.count / 20
        #expect(try Self.parts(path, .csv, taxonomy: Fixture.taxonomy, splitAt: split) == 1)
        try Self.expectSameImports(path, .csv, offsets: [split])
        let (log, _) = try Fixture.run([path], splitAt: split)
        #expect(log.summary.unknownEvents.first { $0.name == "mystery_0" }?.count == 2)
    }

    @Test func revenueIsSummedOverBothParts() throws {
        let dir = TempDir()
        let taxonomy = try Taxonomy.load(path: TaxonomyTests.repository + "/scenarios/example-purchase-taxonomy.yaml")
        var text = "user_id,event,timestamp,properties\n"
        for i in 0..<200 {
            text +=
                "c\(i % 9),purchase,2026-03-\(String(format: "%02d", i % 20 + 1))T1\(i % 10):00:00Z,"
                + "\"{\"\"amount\"\": \(i % 13).\(i % 100)}\"\n"
        }
        let path = dir.write("orders.csv", text)
        let size = text.utf8.count
        let joined = try Self.expectSameImports(
            path, .csv, taxonomy: taxonomy, offsets: stride(from: 0, to: size, by: size / 23))
        #expect(joined >= 21)
    }
}
