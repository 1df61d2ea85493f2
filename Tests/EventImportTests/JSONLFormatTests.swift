import Testing
import UsageModel

@testable import EventImport

/// Segment track messages, one per line.
@Suite("JSONL format")
struct JSONLFormatTests {
    @Test func segmentMessagesWithExtraMembers() throws {
        let dir = TempDir()
        let log = [
            // A real Segment export carries more than SegmentLab uses; the account sits in context.groupId.
            #"{"anonymousId":"anon-1","context":{"groupId":"acme","library":{"name":"analytics.js","#
                + #""version":"4.1"},"traits":{"tags":["a","b"],"n":null}},"event":"signed_up","integrations":"#
                + #"{},"messageId":"m1","originalTimestamp":"2026-01-05T08:59:59Z","properties":{},"receivedAt":"#
                + #""2026-01-05T09:00:01Z","sentAt":"2026-01-05T09:00:00Z","timestamp":"2026-01-05T09:00:"#
                + #"00.000Z","type":"track","userId":"u1","version":2}"#,
            // Members in another order, whitespace between tokens, the top-level groupId wins over context.
            #"  { "type" : "track" , "userId" : "u1" , "groupId" : "a1", "context": {"groupId": "ignored"},"#
                + #" "timestamp" : 1767603660 , "event" : "session_started" }  "#,
            // user_id as in warehouse exports, escapes in a property value.
            #"{"type":"track","event":"feature_used","user_id":"u2","timestamp":"2026-01-05T10:00:"#
                + #"00Z","properties":{"feature":"r\u0065ports","note":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n","#
                + #""nested":{"a":[1,2,{"b":true}],"c":-1.5e+3}}}"#,
            #"{"type":"identify","userId":"u1","traits":{"email":"x@y.z"},"timestamp":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"page","userId":"u1","name":"Home","timestamp":"2026-01-05T10:00:00Z"}"#,
            "",
            #"{"event":"key_action","userId":"u2","timestamp":"2026-01-05T10:01:00Z","properties":null}"#,
            #"{"type":"track","event":"key_action","anonymousId":"anon-9","timestamp":"2026-01-05T10:02:00Z"}"#,
        ].joined(separator: "\n")
        let (result, r) = try Fixture.run([dir.write("events.jsonl", log)])
        let s = result.summary
        #expect(s.records == 7 && s.eventsUsed == 4 && s.skipped(.notTrack) == 2 && s.skipped(.emptyUserID) == 1)
        #expect(s.files[0].blankLines == 1 && s.linesRead == 8)
        #expect(r.population!.userIDs == ["u1", "u2"])
        #expect(r.population!.accountIDs == ["acme", "u2"])
        #expect(result.summary.usersWithSeveralAccounts == 1)
        #expect(r.cell("u1", "2026-01-05") == Cell(sessions: 1, signedUp: true))
        #expect(r.cell("u2", "2026-01-05") == Cell(keyActions: 1, features: 0b10, signedUp: true))

        // With the taxonomy's consent, the anonymous id stands in for a missing user id.
        var taxonomy = Fixture.taxonomy
        taxonomy.useAnonymousID = true
        let (_, withAnonymous) = try Fixture.run([dir.path + "/events.jsonl"], taxonomy: taxonomy)
        #expect(withAnonymous.population!.userIDs == ["u1", "u2", "anon-9"])
    }

    @Test func malformedMessages() throws {
        let dir = TempDir()
        let lines = [
            #"{"type":"track","event":"signed_up","userId":"u1","timestamp":"2026-01-05T09:00:00Z"}"#,
            #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T09:00:00Z""#,
            #"["not","an","object"]"#,
            #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T09:00:00Z"} trailing"#,
            #"{"type":"track","event":"session_started","userId":"u1"}"#,
            #"{"type":"track","event":42,"userId":"u1","timestamp":"2026-01-05T09:00:00Z"}"#,
            #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T09:00:"#
                + #"00Z","properties":[]}"#,
            #"{"type":"track","event":"session_started","userId":"u\ud800","timestamp":"2026-01-05T09:00:00Z"}"#,
            #"{"type":"track","event":"session_started","userId":"u\x","timestamp":"2026-01-05T09:00:00Z"}"#,
            "{\"type\":\"track\",\"event\":\"session_started\",\"userId\":\"u\u{1}\",\"timestamp\":"
                + "\"2026-01-05T09:00:00Z\"}",
            #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T09:00:"#
                + #"00Z","properties":{"a":01}}"#,
            #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T09:00:00Z","x":tru}"#,
            String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
            #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T09:00:00Z","p":"#
                + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}",
            #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T10:00:00Z"}"#,
        ]
        let path = dir.write("events.ndjson", lines.joined(separator: "\r\n") + "\r\n")
        let (result, r) = try Fixture.run([path])
        let s = result.summary
        #expect(s.records == 15 && s.eventsUsed == 2 && s.malformedTotal == 13)
        #expect(r.cell("u1", "2026-01-05").sessions == 1)
        #expect(
            s.firstMalformed.map { "\($0.line): \($0.reason)" } == [
                "2: invalid JSON at column 91: expected ',' or '}'",
                "3: not a JSON object",
                "4: invalid JSON at column 93: text after the object",
                "5: missing 'timestamp'",
                "6: 'event' must be a string",
                "7: 'properties' must be an object",
                "8: invalid JSON at column 54: unpaired surrogate in a \\u escape",
                "9: invalid JSON at column 54: invalid escape in a string",
                "10: invalid JSON at column 54: control character in a string",
                "11: invalid JSON at column 111: expected ',' or '}'",
            ])
        #expect(s.malformedKinds["invalid JSON"] == 8 && s.malformedKinds["not a JSON object"] == 2)
    }

    @Test func aLineOverOneMebibyte() throws {
        let dir = TempDir()
        let ok = #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T09:00:00Z"}"#
        let huge =
            #"{"type":"track","event":"session_started","userId":"u1","timestamp":"2026-01-05T09:00:"#
            + #"00Z","properties":{"pad":""#
            + String(repeating: "x", count: 2 << 20) + "\"}}"
        let path = dir.write("events.jsonl", [ok, huge, ok, huge].joined(separator: "\n"))
        let (result, r) = try Fixture.run([path])
        #expect(
            result.summary.firstMalformed.map(\.description) == [
                "\(path):2: line longer than 1 MiB", "\(path):4: line longer than 1 MiB",
            ])
        #expect(result.summary.linesRead == 4 && r.cell("u1", "2026-01-05").sessions == 2)
    }

    @Test func sameLogAsCSVAndJSONLReplaysTheSame() throws {
        let dir = TempDir()
        let events: [(String, String, String, String, String)] = [
            ("u1", "a1", "signed_up", "2026-01-05T09:00:00.000Z", "{}"),
            ("u1", "a1", "trial_started", "2026-01-05T09:00:00.000Z", #"{"plan":"team"}"#),
            ("u1", "a1", "session_started", "2026-01-05T09:00:00.000Z", "{}"),
            ("u1", "a1", "feature_used", "2026-01-05T09:10:00.000Z", #"{"feature":"automations"}"#),
            ("u2", "a1", "signed_up", "2026-01-06T09:00:00.000Z", "{}"),
            ("u2", "a1", "subscription_started", "2026-01-06T09:00:00.000Z", #"{"plan":"business"}"#),
            ("u2", "a1", "nps_submitted", "2026-01-06T09:30:00.000Z", #"{"score":7}"#),
            ("u1", "a1", "teammate_invited", "2026-01-07T09:00:00.000Z", "{}"),
            ("u1", "a1", "plan_changed", "2026-01-07T10:00:00.000Z", #"{"plan":"business","direction":"up"}"#),
        ]
        let csv = Fixture.header + events.map { Fixture.line($0.0, $0.1, $0.2, $0.3, $0.4) }.joined()
        let jsonl =
            events.map {
                #"{"type":"track","event":"\#($0.2)","userId":"\#($0.0)","groupId":"\#($0.1)","timestamp":"#
                    + #""\#($0.3)","receivedAt":"\#($0.3)","messageId":"x","properties":\#($0.4)}"#
            }.joined(separator: "\n") + "\n"
        let (_, a) = try Fixture.run([dir.write("events.csv", csv)])
        let (_, b) = try Fixture.run([dir.write("events.jsonl", jsonl)])
        #expect(a.days == b.days && a.population == b.population)
        #expect(a.cell("u1", "2026-01-07") == Cell(milestones: 0b100, commerce: .upgraded, plan: 2, signedUp: true))
        #expect(a.cell("u2", "2026-01-06") == Cell(nps: 7, commerce: .subscribed, plan: 2, signedUp: true))
    }

    @Test func segmentTitleCaseNames() throws {
        let dir = TempDir()
        var taxonomy = Fixture.taxonomy
        taxonomy.normalizeEventNames = true
        let log = [
            #"{"type":"track","event":"Signed Up","userId":"u1","timestamp":"2026-01-05T09:00:00Z"}"#,
            #"{"type":"track","event":"Trial Started","userId":"u1","timestamp":"2026-01-05T09:00:"#
                + #"00Z","properties":{"plan":"team"}}"#,
            #"{"type":"track","event":"Session Started","userId":"u1","timestamp":"2026-01-05T09:00:00Z"}"#,
        ].joined(separator: "\n")
        let path = dir.write("events.jsonl", log)
        let (_, r) = try Fixture.run([path], taxonomy: taxonomy)
        #expect(r.cell("u1", "2026-01-05") == Cell(sessions: 1, commerce: .trialStarted, plan: 1, signedUp: true))
        let error = thrownError { _ = try Fixture.run([path]) }
        guard case .noUsableEvents(let summary)? = error as? EventImportError else {
            Issue.record("expected noUsableEvents")
            return
        }
        #expect(summary.contains("unknown events: Session Started (1), Signed Up (1), Trial Started (1)"))
    }
}
