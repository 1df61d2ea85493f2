import Foundation
import Testing
import UsageModel

@testable import EventImport

/// RFC 4180 details, damaged files and the accounting of every line.
@Suite("CSV format")
struct CSVFormatTests {
    /// A well-formed event line for user `u1` with a session at `time`.
    func session(_ time: String, user: String = "u1") -> String {
        "\(user),a1,session_started,\(time),\(time),{}\n"
    }

    @Test func quotedFieldsWithQuotesCommasAndLineBreaks() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            + "u1,a1,signed_up,2026-01-05T09:00:00Z,2026-01-05T09:00:00Z,{}\n"
            + "\"u1\",\"a1\",\"feature_used\",\"2026-01-05T09:01:00Z\",,\"{\"\"note\"\":\"\"a, b\"\","
            + "\"\"feature\"\":\"\"reports\"\"}\"\n"
            // Properties spread over two lines: the record spans them.
            + "u1,a1,feature_used,2026-01-05T09:02:00Z,,\"{\"\"note\"\":\"\"two lines\"\",\n\"\"feature\"\":"
            + "\"\"exports\"\"}\"\n"
            + "u1,a1,\"key,action\",2026-01-05T09:03:00Z,,{}\n"
            + session("2026-01-05T09:04:00Z")
        let (log2, r) = try Fixture.run(csv: log, in: dir)
        // reports is bit 1, exports bit 4; the quoted "key,action" is an unknown event name.
        #expect(r.cell("u1", "2026-01-05") == Cell(sessions: 1, features: 0b10010, signedUp: true))
        let s = log2.summary
        #expect(s.linesRead == 7 && s.records == 5 && s.eventsUsed == 4 && s.skipped(.unknownEvent) == 1)
        #expect(s.unknownEvents.map(\.name) == ["key,action"])
    }

    @Test func columnsInAnyOrderExtraColumnsAndNames() throws {
        let dir = TempDir()
        let log =
            "Timestamp,extra,Event,UserId,groupId,properties\n"
            + "2026-01-05T09:00:00Z,x,signed_up,u1,a1,{}\n"
            + "2026-01-05T09:01:00Z,y,session_started,u1,a1,\n"
        let (_, r) = try Fixture.run(csv: log, in: dir)
        #expect(r.population!.accountIDs == ["a1"])
        #expect(r.cell("u1", "2026-01-05") == Cell(sessions: 1, signedUp: true))
    }

    @Test func crlfAndByteOrderMarkReadLikeLF() throws {
        let dir = TempDir()
        let lf =
            Fixture.header + "u1,a1,signed_up,2026-01-05T09:00:00Z,,{}\n"
            + "u1,a1,feature_used,2026-01-05T09:01:00Z,,\"{\"\"feature\"\":\"\"dashboards\"\"}\"\n"
            + session("2026-01-06T09:00:00Z")
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let (_, a) = try Fixture.run(csv: lf, in: dir, name: "lf.csv")
        let (crlfLog, b) = try Fixture.run([dir.write("crlf.csv", bytes: [0xEF, 0xBB, 0xBF] + Array(crlf.utf8))])
        #expect(a.days == b.days)
        #expect(crlfLog.summary.eventsUsed == 3 && crlfLog.summary.linesRead == 4)
        // Without a final line break the last line still counts.
        let (open, c) = try Fixture.run(csv: String(lf.dropLast()), in: dir, name: "open.csv")
        #expect(a.days == c.days && open.summary.linesRead == 4)
    }

    @Test func emptyFilesAreClearErrors() throws {
        let dir = TempDir()
        let empty = dir.write("empty.csv", "")
        #expect((thrownError { _ = try Fixture.run([empty]) } as? EventImportError) == .emptyFile(path: empty))
        let bom = dir.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF])
        #expect((thrownError { _ = try Fixture.run([bom]) } as? EventImportError) == .emptyFile(path: bom))
        let blank = dir.write("blank.csv", "\n\r\n\n")
        #expect((thrownError { _ = try Fixture.run([blank]) } as? EventImportError) == .emptyFile(path: blank))
        let headerOnly = dir.write("header.csv", Fixture.header)
        let error = thrownError { _ = try Fixture.run([headerOnly]) }
        guard case .noUsableEvents(let summary)? = error as? EventImportError else {
            Issue.record("expected noUsableEvents, got \(String(describing: error))")
            return
        }
        #expect(summary.contains("records"))
        let jsonl = dir.write("empty.jsonl", "")
        #expect((thrownError { _ = try Fixture.run([jsonl]) } as? EventImportError) == .emptyFile(path: jsonl))
    }

    @Test func headerProblems() throws {
        let dir = TempDir()
        let missing = dir.write("events.csv", "user_id,account_id,event,received_at\nu1,a1,signed_up,x\n")
        let error = thrownError { _ = try Fixture.run([missing]) }
        #expect((error as? EventImportError)?.description == "\(missing):1: missing column 'timestamp'")
        let twice = dir.write("twice.csv", "user_id,event,timestamp,userId\n")
        #expect(
            (thrownError { _ = try Fixture.run([twice]) } as? EventImportError)
                == .duplicateColumn(path: twice, line: 1, column: "userId"))
        let broken = dir.write("broken.csv", "user_id,\"event,timestamp\n")
        #expect(
            (thrownError { _ = try Fixture.run([broken]) } as? EventImportError)?.description
                == "\(broken):1: cannot read the header: unterminated quoted field")
        let nowhere = dir.path + "/missing.csv"
        #expect(
            (thrownError { _ = try Fixture.run([nowhere]) } as? EventImportError)
                == .cannotOpen(path: nowhere, reason: "No such file or directory"))
        #expect(
            (thrownError { _ = try Fixture.run([dir.path]) } as? EventImportError)
                == .unknownFormat(path: dir.path))
        let txt = dir.write("events.txt", "x")
        #expect((thrownError { _ = try Fixture.run([txt]) } as? EventImportError) == .unknownFormat(path: txt))
    }

    @Test func aLineOverOneMebibyteIsSkippedAndReported() throws {
        let dir = TempDir()
        let huge =
            "u1,a1,session_started,2026-01-05T10:00:00Z,,\"{\"\"pad\"\":\"\"" + String(repeating: "x", count: 2 << 20)
            + "\"\"}\"\n"
        let unquoted = "u1,a1,key_action,2026-01-05T10:00:00Z,," + String(repeating: "y", count: 2 << 20) + "\n"
        let log =
            Fixture.header + "u1,a1,signed_up,2026-01-05T09:00:00Z,,{}\n" + huge + session("2026-01-05T11:00:00Z")
            + unquoted + session("2026-01-05T12:00:00Z")
        let (result, r) = try Fixture.run(csv: log, in: dir)
        let s = result.summary
        #expect(s.records == 5 && s.eventsUsed == 3 && s.malformedTotal == 2 && s.linesRead == 6)
        let p = dir.path + "/events.csv"
        #expect(
            s.firstMalformed.map(\.description) == [
                "\(p):3: line longer than 1 MiB", "\(p):5: line longer than 1 MiB",
            ])
        #expect(r.cell("u1", "2026-01-05").sessions == 2)
        // A line of exactly 1 MiB is still read.
        let prefix = "u1,a1,session_started,2026-01-05T10:00:00Z,,\""
        let limit = prefix + String(repeating: "z", count: (1 << 20) - prefix.utf8.count - 2) + "\"\r\n"
        #expect(limit.utf8.count == (1 << 20) + 1)
        let (fits, _) = try Fixture.run(
            [dir.write("fits.csv", Fixture.header + "u1,a1,signed_up,2026-01-05T09:00:00Z,,{}\n" + limit)])
        #expect(fits.summary.firstMalformed.map(\.reason) == [.wrongType("properties", expected: "a JSON object")])
    }

    @Test func garbageBytesAndInvalidUTF8() throws {
        let dir = TempDir()
        var bytes = Array((Fixture.header + "u1,a1,signed_up,2026-01-05T09:00:00Z,,{}\n").utf8)
        bytes += Array("u\u{00E9}1,a1,session_started,2026-01-05T09:01:00Z,,{}\n".utf8)  // valid UTF-8: a user
        bytes += Array("u1,a1,session_started,2026-01-05T09:02:00Z,,{}".utf8) + [0xFF, 0xFE, 0x0A]  // invalid
        bytes += [0xC3, 0x28, 0x2C, 0x2C, 0x0A]  // an invalid two-byte sequence
        bytes += [0xED, 0xA0, 0x80, 0x0A]  // an encoded surrogate
        var seed: UInt64 = 42
        var noise: [UInt8] = []
        for _ in 0..<300 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            noise.append(UInt8(truncatingIfNeeded: seed >> 33) | 0x80)
        }
        bytes += noise + [0x0A]
        bytes += Array("\u{0}\u{1}\u{2},,,,,\n".utf8)
        bytes += Array(session("2026-01-05T09:03:00Z").utf8)
        let (result, r) = try Fixture.run([dir.write("events.csv", bytes: bytes)])
        let s = result.summary
        #expect(s.eventsUsed == 3 && s.records == 8)
        #expect(s.malformedKinds["invalid UTF-8"] == 4)
        #expect(s.malformedTotal == 5 && s.skipped(.malformed) + s.eventsUsed == s.records)
        #expect(r.population!.userIDs.contains("u\u{00E9}1"))
    }

    @Test func malformedLinesListTheFirstTenAndCountTheRest() throws {
        let dir = TempDir()
        var log = Fixture.header + "u1,a1,signed_up,2026-01-05T09:00:00Z,,{}\n"
        let bad = [
            "u1,a1,session_started,2026-01-05T09:00:00Z,{}\n",  // 5 fields
            "u1,a1,session_started,2026-01-05T25:00:00Z,,{}\n",
            "u1,a1,session_started,,,{}\n",
            "u1,a1,,2026-01-05T09:00:00Z,,{}\n",
            "u1,a1,session_started,2026-01-05T09:00:00Z,,{\"a\":1}\n",  // quote in an unquoted field
            "u1,a1,session_started,2026-01-05T09:00:00Z,,\"{}\"x\n",
            "u1,a1,session_started,2026-01-05T09:00:00Z,,[1]\n",
            "u1,a1,session_started,2026-01-05T09:00:00Z,,{]\n",
            "u1,a1,session_started,2026-01-05T09:00:00Z,,\"{\"\"a\"\":}\"\n",
            "u1,a1,session_started,2026-01-05T09:00:00Z,,{} x\n",
            "u1,a1,session_started,2026-01-05T09:00:00Z,,{},extra\n",
            "u1,a1,session_started,yesterday,,{}\n",
            "u1,a1,session_started,2026-01-05T09:00:00Z,,\"{\"\"a\"\":\"\"\\q\"\"}\"\n",
        ]
        for line in bad { log += line + session("2026-01-05T10:00:00Z") }
        let path = dir.write("events.csv", log)
        let (result, r) = try Fixture.run([path])
        let s = result.summary
        #expect(s.malformedTotal == 13 && s.eventsUsed == 14 && s.records == 27)
        #expect(r.cell("u1", "2026-01-05").sessions == 13)
        let listed = s.firstMalformed.map(\.description)
        #expect(
            listed == [
                "\(path):3: expected 6 fields, found 5",
                "\(path):5: invalid timestamp '2026-01-05T25:00:00Z'",
                "\(path):7: missing 'timestamp'",
                "\(path):9: missing 'event'",
                "\(path):11: double quote inside an unquoted field",
                "\(path):13: text after the closing quote of a field",
                "\(path):15: 'properties' must be a JSON object",
                "\(path):17: invalid JSON in 'properties' at character 2: expected a member name",
                "\(path):19: invalid JSON in 'properties' at character 6: expected a value",
                "\(path):21: invalid JSON in 'properties' at character 4: text after the properties object",
            ])
        #expect(s.description.contains("malformed lines (first 10 of 13):"))
        #expect(s.malformedKinds["wrong number of fields"] == 2)

        // Strict mode stops at the first, with the same message.
        let error = thrownError { _ = try Fixture.run([path], strict: true) }
        #expect((error as? EventImportError)?.description == listed[0])
    }

    @Test func aStrayQuoteCostsOneLine() throws {
        let dir = TempDir()
        let log =
            Fixture.header + "u1,a1,signed_up,2026-01-05T09:00:00Z,,{}\n"
            + "u1,a1,\"session_started,2026-01-05T10:00:00Z,,{}\n"
            + session("2026-01-05T11:00:00Z") + session("2026-01-05T12:00:00Z")
            + "u1,a1,key_action,2026-01-05T12:01:00Z,,\"{\"\"feature\"\":\"\"x\"\"}\"\n"
            + session("2026-01-05T13:00:00Z")
            + "u1,a1,key_action,2026-01-05T13:01:00Z,,\"{}\n"
            + session("2026-01-05T14:00:00Z")
        let path = dir.write("events.csv", log)
        let (result, r) = try Fixture.run([path])
        let s = result.summary
        #expect(s.malformedTotal == 2 && s.eventsUsed == 6)
        #expect(
            s.firstMalformed.map(\.description) == [
                "\(path):3: unterminated quoted field", "\(path):8: unterminated quoted field",
            ])
        #expect(r.cell("u1", "2026-01-05") == Cell(sessions: 4, keyActions: 1, signedUp: true))
        #expect(s.linesRead == 9)
    }

    @Test func aRowSpanningLinesWithTheWrongWidthIsReadAgainFromItsSecondLine() throws {
        let dir = TempDir()
        let log =
            Fixture.header + "u1,a1,signed_up,2026-01-05T09:00:00Z,,{}\n"
            + "u1,\"a1,session_started,2026-01-05T10:00:00Z,,{}\n"
            + "u1,a1,session_started,2026-01-05T11:00:00Z,\",{}\n"
            + session("2026-01-05T12:00:00Z")
        let path = dir.write("events.csv", log)
        let (result, r) = try Fixture.run([path])
        let s = result.summary
        #expect(
            s.firstMalformed.map(\.description) == [
                "\(path):3: expected 6 fields, found 3", "\(path):4: unterminated quoted field",
            ])
        #expect(s.records == 4 && s.eventsUsed == 2 && s.linesRead == 5)
        #expect(r.cell("u1", "2026-01-05").sessions == 1)
    }
}
