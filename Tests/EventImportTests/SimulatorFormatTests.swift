import Testing
import UsageModel

@testable import EventImport

/// Logs in exactly the simulator's format (docs/event-log-format.md), and the repository's example files.
@Suite("Simulator format")
struct SimulatorFormatTests {
    /// (user id, account id, event, timestamp, received_at, properties) in the order the simulator writes
    /// them: by arrival. The late session of u0000001 happened on 2026-01-06 and arrived on 2026-01-07;
    /// d0000003 is u0000003's second identity.
    static let events: [(String, String, String, String, String, String)] = [
        ("u0000001", "a000001", "signed_up", "2026-01-05T09:14:11.532Z", "2026-01-05T09:14:11.532Z", "{}"),
        (
            "u0000001", "a000001", "trial_started", "2026-01-05T09:14:11.532Z", "2026-01-05T09:14:11.532Z",
            #"{"plan":"team"}"#
        ),
        ("u0000001", "a000001", "session_started", "2026-01-05T09:14:11.532Z", "2026-01-05T09:14:11.532Z", "{}"),
        ("u0000001", "a000001", "key_action", "2026-01-05T09:20:00.000Z", "2026-01-05T09:20:00.000Z", "{}"),
        ("u0000001", "a000001", "key_action", "2026-01-05T09:25:00.000Z", "2026-01-05T09:25:00.000Z", "{}"),
        (
            "u0000001", "a000001", "feature_used", "2026-01-05T09:30:00.000Z", "2026-01-05T09:30:00.000Z",
            #"{"feature":"dashboards"}"#
        ),
        ("u0000001", "a000001", "setup_complete", "2026-01-05T09:40:00.000Z", "2026-01-05T09:40:00.000Z", "{}"),
        ("u0000003", "a000002", "signed_up", "2026-01-05T11:00:00.000Z", "2026-01-05T11:00:00.000Z", "{}"),
        (
            "u0000003", "a000002", "trial_started", "2026-01-05T11:00:00.000Z", "2026-01-05T11:00:00.000Z",
            #"{"plan":"team"}"#
        ),
        ("u0000003", "a000002", "session_started", "2026-01-05T11:00:00.000Z", "2026-01-05T11:00:00.000Z", "{}"),
        ("d0000003", "a000002", "key_action", "2026-01-05T11:05:00.000Z", "2026-01-05T11:05:00.000Z", "{}"),
        (
            "u0000003", "a000002", "nps_submitted", "2026-01-05T11:06:00.000Z", "2026-01-05T11:06:00.000Z",
            #"{"score":8}"#
        ),
        ("u0000001", "a000001", "session_started", "2026-01-05T14:02:00.100Z", "2026-01-05T14:02:00.100Z", "{}"),
        ("u0000001", "a000001", "key_action", "2026-01-05T14:10:00.000Z", "2026-01-05T14:10:00.000Z", "{}"),
        (
            "u0000001", "a000001", "feature_used", "2026-01-05T14:15:00.000Z", "2026-01-05T14:15:00.000Z",
            #"{"feature":"reports"}"#
        ),
        ("u0000002", "a000001", "signed_up", "2026-01-06T08:00:00.000Z", "2026-01-06T08:00:00.000Z", "{}"),
        (
            "u0000002", "a000001", "trial_started", "2026-01-06T08:00:00.000Z", "2026-01-06T08:00:00.000Z",
            #"{"plan":"team"}"#
        ),
        ("u0000002", "a000001", "session_started", "2026-01-06T08:00:00.000Z", "2026-01-06T08:00:00.000Z", "{}"),
        ("u0000001", "a000001", "session_started", "2026-01-06T10:00:00.000Z", "2026-01-06T10:00:00.000Z", "{}"),
        ("u0000001", "a000001", "first_item_created", "2026-01-06T10:05:00.000Z", "2026-01-06T10:05:00.000Z", "{}"),
        (
            "u0000003", "a000002", "trial_ended", "2026-01-07T01:00:00.000Z", "2026-01-07T01:00:00.000Z",
            #"{"plan":"free"}"#
        ),
        ("u0000001", "a000001", "session_started", "2026-01-06T23:50:00.000Z", "2026-01-07T03:10:00.000Z", "{}"),
        ("u0000002", "a000001", "session_started", "2026-01-07T09:00:00.000Z", "2026-01-07T09:00:00.000Z", "{}"),
        (
            "u0000002", "a000001", "plan_changed", "2026-01-07T09:10:00.000Z", "2026-01-07T09:10:00.000Z",
            #"{"plan":"business","direction":"up"}"#
        ),
        (
            "u0000001", "a000001", "subscription_started", "2026-01-08T00:30:00.000Z", "2026-01-08T00:30:00.000Z",
            #"{"plan":"team"}"#
        ),
        ("u0000001", "a000001", "session_started", "2026-01-08T09:00:00.000Z", "2026-01-08T09:00:00.000Z", "{}"),
        ("u0000001", "a000001", "teammate_invited", "2026-01-08T09:01:00.000Z", "2026-01-08T09:01:00.000Z", "{}"),
        (
            "u0000003", "a000002", "subscription_cancelled", "2026-01-08T12:00:00.000Z", "2026-01-08T12:00:00.000Z",
            #"{"plan":"free"}"#
        ),
    ]

    /// The CSV the simulator would write: properties quoted with doubled quotes unless `{}`.
    static var csv: String {
        "user_id,account_id,event,timestamp,received_at,properties\n"
            + events.map { e in
                let properties =
                    e.5 == "{}"
                    ? "{}"
                    : "\""
                        + e.5.split(separator: "\"", omittingEmptySubsequences: false)
                        .joined(separator: "\"\"") + "\""
                return "\(e.0),\(e.1),\(e.2),\(e.3),\(e.4),\(properties)\n"
            }.joined()
    }

    static var jsonl: String {
        events.enumerated().map { i, e in
            #"{"type":"track","event":"\#(e.2)","userId":"\#(e.0)","groupId":"\#(e.1)","timestamp":"#
                + #""\#(e.3)","receivedAt":"\#(e.4)","messageId":"\#(i)","properties":\#(e.5)}"#
                + "\n"
        }.joined()
    }

    /// What each user's days must replay as (2026-01-05 … 2026-01-08).
    static let expected: [String: [Cell]] = [
        "u0000001": [
            Cell(
                sessions: 2, keyActions: 3, features: 0b11, milestones: 0b1, commerce: .trialStarted, plan: 1,
                signedUp: true),
            Cell(sessions: 2, milestones: 0b10, plan: 1, signedUp: true),
            Cell(plan: 1, signedUp: true),
            Cell(sessions: 1, milestones: 0b100, commerce: .converted, plan: 1, signedUp: true),
        ],
        "u0000002": [
            Cell(),
            Cell(sessions: 1, commerce: .trialStarted, plan: 1, signedUp: true),
            Cell(sessions: 1, commerce: .upgraded, plan: 2, signedUp: true),
            Cell(plan: 2, signedUp: true),
        ],
        "u0000003": [
            Cell(sessions: 1, keyActions: 1, nps: 8, commerce: .trialStarted, plan: 1, signedUp: true),
            Cell(plan: 1, signedUp: true),
            Cell(commerce: .trialExpired, plan: 0, signedUp: true),
            Cell(commerce: .cancelled, plan: 0, signedUp: true),
        ],
    ]

    func check(_ r: Recorder) {
        #expect(r.population!.userIDs == ["u0000001", "u0000002", "u0000003"])
        #expect(r.population!.accountIDs == ["a000001", "a000002"])
        #expect(Array(r.directory!.signupDay) == [0, 1, 0] && r.directory!.days == 4)
        for (user, days) in SimulatorFormatTests.expected {
            let u = r.population!.userIndex(of: user)!
            #expect(r.days.map { $0[u] } == days, "\(user)")
        }
    }

    @Test func csvRoundTrip() throws {
        let dir = TempDir()
        let aliases = dir.write("aliases.csv", "alias,user_id\nd0000003,u0000003\n")
        let (log, r) = try Fixture.run([dir.write("events.csv", SimulatorFormatTests.csv)], aliases: aliases)
        check(r)
        #expect(log.summary.eventsUsed == SimulatorFormatTests.events.count && log.summary.reattributed == 1)
    }

    @Test func jsonlRoundTrip() throws {
        let dir = TempDir()
        let aliases = dir.write("aliases.csv", "alias,user_id\nd0000003,u0000003\n")
        let (_, r) = try Fixture.run([dir.write("events.jsonl", SimulatorFormatTests.jsonl)], aliases: aliases)
        check(r)
    }

    @Test func repositoryExamples() throws {
        let root = TaxonomyTests.repository + "/scenarios/"
        let taxonomy = try Taxonomy.load(path: root + "example-taxonomy.yaml")
        let (log, r) = try Fixture.run(
            [root + "example-events.csv"], taxonomy: taxonomy, aliases: root + "example-aliases.csv")
        let s = log.summary
        #expect(s.linesRead == 58 && s.records == 57 && s.eventsUsed == 53)
        #expect(s.malformedTotal == 2 && s.skipped(.unknownEvent) == 1 && s.skipped(.ignoredEvent) == 1)
        #expect(s.reattributed == 2 && s.users == 5 && s.accounts == 2 && s.days == 19)
        #expect(
            s.firstMalformed.map { "\($0.line): \($0.reason)" } == [
                "37: invalid timestamp 'yesterday'", "46: unterminated quoted field",
            ])
        #expect(r.population!.userIDs == ["u0000001", "u0000002", "u0000003", "u0000004", "u0000005"])
        #expect(Array(r.directory!.account) == [0, 0, 0, 1, 1])

        #expect(
            r.cell("u0000001", "2026-01-05")
                == Cell(
                    sessions: 1, keyActions: 2, features: 0b1, milestones: 0b1, commerce: .trialStarted, plan: 1,
                    signedUp: true))
        #expect(
            r.cell("u0000001", "2026-01-06")
                == Cell(sessions: 1, keyActions: 1, milestones: 0b10, plan: 1, signedUp: true))
        #expect(
            r.cell("u0000002", "2026-01-06")
                == Cell(sessions: 1, keyActions: 1, features: 0b10, commerce: .trialStarted, plan: 1, signedUp: true))
        // Signed up at 22:45 in New York and 07:55 in Tokyo: both on 2026-01-08 UTC.
        #expect(r.cell("u0000004", "2026-01-07") == Cell())
        #expect(
            r.cell("u0000004", "2026-01-08")
                == Cell(sessions: 1, features: 0b1000, milestones: 0b1, commerce: .subscribed, plan: 2, signedUp: true))
        #expect(
            r.cell("u0000005", "2026-01-08")
                == Cell(sessions: 1, keyActions: 1, commerce: .subscribed, plan: 2, signedUp: true))
        #expect(r.cell("u0000002", "2026-01-12") == Cell(sessions: 1, features: 0b1, nps: 9, plan: 1, signedUp: true))
        #expect(r.cell("u0000005", "2026-01-14") == Cell(sessions: 1, nps: 6, plan: 2, signedUp: true))
        #expect(
            r.cell("u0000001", "2026-01-19")
                == Cell(sessions: 1, features: 0b10000, commerce: .converted, plan: 1, signedUp: true))
        #expect(r.cell("u0000002", "2026-01-20") == Cell(sessions: 1, commerce: .upgraded, plan: 2, signedUp: true))
        #expect(r.cell("u0000005", "2026-01-21") == Cell(commerce: .cancelled, plan: 2, signedUp: true))
        #expect(r.cell("u0000003", "2026-01-22") == Cell(commerce: .trialExpired, plan: 0, signedUp: true))
        #expect(r.cell("u0000004", "2026-01-23") == Cell(sessions: 1, plan: 2, signedUp: true))
    }
}
