import Testing
import UsageModel

@testable import EventImport

/// Hand-built logs whose replayed columns are worked out by hand.
@Suite("Usage columns")
struct UsageColumnsTests {
    func line(_ user: String, _ account: String, _ event: String, _ time: String, _ properties: String = "{}")
        -> String
    {
        Fixture.line(user, account, event, time, properties)
    }

    /// Two users of one account over three days.
    var basicLog: String {
        Fixture.header
            + line("u1", "a1", "signed_up", "2026-01-05T09:00:00.000Z")
            + line("u1", "a1", "trial_started", "2026-01-05T09:00:00.000Z", #"{"plan":"team"}"#)
            + line("u1", "a1", "session_started", "2026-01-05T09:00:00.000Z")
            + line("u1", "a1", "session_started", "2026-01-05T15:00:00.000Z")
            + line("u1", "a1", "key_action", "2026-01-05T09:01:00.000Z")
            + line("u1", "a1", "key_action", "2026-01-05T09:02:00.000Z")
            + line("u1", "a1", "key_action", "2026-01-05T15:03:00.000Z")
            + line("u1", "a1", "feature_used", "2026-01-05T09:05:00.000Z", #"{"feature":"dashboards"}"#)
            + line("u1", "a1", "feature_used", "2026-01-05T09:06:00.000Z", #"{"feature":"reports"}"#)
            + line("u1", "a1", "feature_used", "2026-01-05T15:06:00.000Z", #"{"feature":"dashboards"}"#)
            + line("u1", "a1", "setup_complete", "2026-01-05T09:10:00.000Z")
            + line("u2", "a1", "signed_up", "2026-01-06T10:00:00.000Z")
            + line("u2", "a1", "trial_started", "2026-01-06T10:00:00.000Z", #"{"plan":"team"}"#)
            + line("u2", "a1", "session_started", "2026-01-06T10:00:00.000Z")
            + line("u2", "a1", "key_action", "2026-01-06T10:04:00.000Z")
            + line("u1", "a1", "session_started", "2026-01-07T08:00:00.000Z")
            + line("u1", "a1", "setup_complete", "2026-01-07T08:01:00.000Z")
            + line("u1", "a1", "first_item_created", "2026-01-07T08:02:00.000Z")
    }

    @Test func countsPerUserDay() throws {
        let dir = TempDir()
        let (log, r) = try Fixture.run(csv: basicLog, in: dir)
        #expect(r.population!.userIDs == ["u1", "u2"])
        #expect(r.population!.accountIDs == ["a1"])
        let d = r.directory!
        #expect(d.userCount == 2 && d.accountCount == 1 && d.days == 3)
        #expect(d.startDate == CivilDate(year: 2026, month: 1, day: 5)!)
        #expect(Array(d.signupDay) == [0, 1] && Array(d.account) == [0, 0])
        #expect(d.featureNames == Fixture.features && d.milestoneNames == Fixture.milestones)
        #expect(d.planNames == Fixture.plans)

        // dashboards is bit 0, reports bit 1; setup_complete bit 0, first_item_created bit 1; team is plan 1.
        #expect(
            r.cell("u1", "2026-01-05")
                == Cell(
                    sessions: 2, keyActions: 3, features: 0b11, milestones: 0b1, commerce: .trialStarted, plan: 1,
                    signedUp: true))
        #expect(r.cell("u1", "2026-01-06") == Cell(plan: 1, signedUp: true))
        // setup_complete again on day 2 does not count: a milestone counts once, on its first day.
        #expect(r.cell("u1", "2026-01-07") == Cell(sessions: 1, milestones: 0b10, plan: 1, signedUp: true))
        #expect(r.cell("u2", "2026-01-05") == Cell())
        #expect(
            r.cell("u2", "2026-01-06")
                == Cell(sessions: 1, keyActions: 1, commerce: .trialStarted, plan: 1, signedUp: true))
        #expect(r.cell("u2", "2026-01-07") == Cell(plan: 1, signedUp: true))

        let s = log.summary
        #expect(s.records == 18 && s.eventsUsed == 18 && s.skippedTotal == 0)
        #expect(s.linesRead == 19 && s.users == 2 && s.accounts == 1 && s.days == 3)
    }

    @Test func replayCallsObserversInDayOrder() throws {
        let dir = TempDir()
        let path = dir.write("events.csv", basicLog)
        let log = try EventLogImporter(files: [path], taxonomy: Fixture.taxonomy).load()
        let first = Recorder()
        let second = Recorder()
        try log.replay(observers: [first, second])
        let expected = ["import", "start", "day 0", "day 1", "day 2", "end"]
        #expect(first.calls == expected && second.calls == expected)
        #expect(first.days.map { $0.map(\.signedUp) } == [[true, false], [true, true], [true, true]])
        // A second replay gives the same days.
        let again = Recorder()
        try log.replay(observers: [again])
        #expect(again.days == first.days)
    }

    @Test func unsortedInputGivesTheSameResult() throws {
        let dir = TempDir()
        let lines = basicLog.split(separator: "\n").map(String.init)
        let shuffled =
            [lines[0]]
            + lines.dropFirst().enumerated().sorted { ($0.offset * 7) % 11 < ($1.offset * 7) % 11 }
            .map(\.element).reversed()
        #expect(shuffled.count == lines.count && shuffled != lines)
        let (sorted, a) = try Fixture.run([dir.write("sorted.csv", basicLog)])
        let (unsorted, b) = try Fixture.run([dir.write("unsorted.csv", shuffled.joined(separator: "\n") + "\n")])
        #expect(a.days == b.days)
        #expect(a.population == b.population)
        #expect(Array(a.directory!.signupDay) == Array(b.directory!.signupDay))
        #expect(sorted.summary.eventsUsed == unsorted.summary.eventsUsed)
    }

    @Test func timeZonesLandOnTheUTCDay() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            + line("u1", "a1", "signed_up", "2026-01-05T10:00:00Z")
            // 2026-01-06T01:30Z: the next UTC day.
            + line("u1", "a1", "session_started", "2026-01-05T23:30:00-02:00")
            // 2026-01-05T22:00Z: the previous UTC day.
            + line("u1", "a1", "session_started", "2026-01-06T01:00:00+03:00")
            + line("u1", "a1", "key_action", "2026-01-06T05:29:59.999+0530")  // 2026-01-05T23:59:59.999Z
            + line("u1", "a1", "key_action", "2026-01-06 00:00:00")  // no zone: UTC
        let (_, r) = try Fixture.run(csv: log, in: dir)
        #expect(r.cell("u1", "2026-01-05") == Cell(sessions: 1, keyActions: 1, signedUp: true))
        #expect(r.cell("u1", "2026-01-06") == Cell(sessions: 1, keyActions: 1, signedUp: true))
    }

    @Test func epochSecondsAndMilliseconds() throws {
        let dir = TempDir()
        // 1767657600 s is 2026-01-06T00:00:00Z; 1767657599999 ms is a millisecond before.
        let log =
            Fixture.header
            + line("u1", "a1", "signed_up", "1767657599999")
            + line("u1", "a1", "session_started", "1767657599.5")
            + line("u1", "a1", "session_started", "1767657600")
            + line("u1", "a1", "session_started", "1767657600000")
            + line("u1", "a1", "session_started", "1767744000.25")  // 2026-01-07T00:00:00.250Z
        let (_, r) = try Fixture.run(csv: log, in: dir)
        #expect(r.directory!.startDate == CivilDate(year: 2026, month: 1, day: 5)!)
        #expect(r.days.map { $0[0].sessions } == [1, 2, 1])
    }

    @Test func npsKeepsTheDaysLastAnswer() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            + line("u1", "a1", "signed_up", "2026-01-05T08:00:00Z")
            + line("u1", "a1", "nps_submitted", "2026-01-05T16:25:00Z", #"{"score":6}"#)
            + line("u1", "a1", "nps_submitted", "2026-01-05T16:20:00Z", #"{"score":4}"#)
            + line("u1", "a1", "nps_submitted", "2026-01-06T09:00:00Z", #"{"score":"10"}"#)
            + line("u1", "a1", "nps_submitted", "2026-01-07T09:00:00Z", #"{"score":0}"#)
        let (_, r) = try Fixture.run(csv: log, in: dir)
        #expect(r.days.map { $0[0].nps } == [6, 10, 0])
    }

    @Test func revenueIsSummedPerUserInAnyLineOrder() throws {
        let dir = TempDir()
        var taxonomy = Fixture.taxonomy
        taxonomy.keyActions.append("order_completed")
        taxonomy.revenue = [.init(event: "order_completed", property: "revenue")]
        let lines = [
            line("u1", "a1", "signed_up", "2026-01-05T08:00:00Z"),
            line("u1", "a1", "order_completed", "2026-01-05T09:00:00Z", #"{"revenue":29.33}"#),
            line("u1", "a1", "order_completed", "2026-01-05T10:00:00Z", #"{"revenue":"0.1"}"#),
            line("u1", "a1", "order_completed", "2026-01-07T10:00:00Z", #"{"revenue":1.5e2}"#),
            // A refund on a later day, an order without an amount, and an amount of zero.
            line("u1", "a1", "order_completed", "2026-01-08T10:00:00Z", #"{"revenue":-20}"#),
            line("u2", "a2", "order_completed", "2026-01-06T10:00:00Z"),
            line("u2", "a2", "order_completed", "2026-01-07T10:00:00Z", #"{"revenue":0}"#),
            // Not amounts: the events are skipped as invalid property values.
            line("u2", "a2", "order_completed", "2026-01-07T11:00:00Z", #"{"revenue":"inf"}"#),
            line("u2", "a2", "order_completed", "2026-01-07T12:00:00Z", #"{"revenue":"12,50"}"#),
            line("u2", "a2", "order_completed", "2026-01-07T13:00:00Z", #"{"revenue":true}"#),
            line("u2", "a2", "order_completed", "2026-01-07T14:00:00Z", #"{"revenue":1e9}"#),
        ]
        for (name, order) in [("forward", lines), ("backward", Array(lines.reversed()))] {
            let (log, _) = try Fixture.run(
                csv: Fixture.header + order.joined(), in: dir, name: name + ".csv", taxonomy: taxonomy)
            #expect(log.summary.skipped(.invalidProperty) == 4)
            let u1 = log.population.userIndex(of: "u1")!
            let u2 = log.population.userIndex(of: "u2")!
            // Through 2026-01-07 (day 2): 29.33 + 0.1 on the first day, 150 on the third.
            let early = try #require(log.revenue(through: 2))
            #expect(abs(early.total[u1] - 179.43) < 1e-9 && early.days[u1] == 2)
            #expect(early.total[u2] == 0 && early.days[u2] == 0)
            let all = try #require(log.revenue(through: 10))
            #expect(abs(all.total[u1] - 159.43) < 1e-9 && all.days[u1] == 3)
        }
        // Without a revenue rule there is nothing to sum.
        let (plain, _) = try Fixture.run(csv: Fixture.header + lines.joined(), in: dir, name: "plain.csv")
        #expect(plain.revenue(through: 10) == nil)
    }

    @Test func commerceCodesAndPlanCarryForward() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            // u1: a trial that converts, then cancels.
            + line("u1", "a1", "signed_up", "2026-01-05T09:00:00Z")
            + line("u1", "a1", "trial_started", "2026-01-05T09:00:00Z", #"{"plan":"team"}"#)
            + line("u1", "a1", "subscription_started", "2026-01-08T02:00:00Z", #"{"plan":"team"}"#)
            + line("u1", "a1", "subscription_cancelled", "2026-01-10T12:00:00Z", #"{"plan":"team"}"#)
            // u2: pays from day one, then downgrades.
            + line("u2", "a1", "signed_up", "2026-01-05T10:00:00Z")
            + line("u2", "a1", "subscription_started", "2026-01-05T10:00:00Z", #"{"plan":"business"}"#)
            + line("u2", "a1", "plan_changed", "2026-01-07T11:00:00Z", #"{"plan":"team","direction":"down"}"#)
            // u3: the trial lapses to free, then an upgrade; two billing events on one day, the later wins.
            + line("u3", "a2", "signed_up", "2026-01-05T11:00:00Z")
            + line("u3", "a2", "trial_started", "2026-01-05T11:00:00Z", #"{"plan":"team"}"#)
            + line("u3", "a2", "trial_ended", "2026-01-08T02:00:00Z", #"{"plan":"free"}"#)
            + line("u3", "a2", "plan_changed", "2026-01-09T15:00:00Z", #"{"plan":"business","direction":"up"}"#)
            + line("u3", "a2", "plan_changed", "2026-01-09T14:00:00Z", #"{"plan":"team","direction":"up"}"#)
            // u4: no billing event ever: plan 0.
            + line("u4", "a2", "session_started", "2026-01-06T11:00:00Z")
            + line("u4", "a2", "session_started", "2026-01-10T11:00:00Z")
        let (_, r) = try Fixture.run(csv: log, in: dir)
        func row(_ user: String) -> [String] {
            let u = r.population!.userIndex(of: user)!
            return r.days.map { "\($0[u].commerce) \($0[u].plan)" }
        }
        // Days 2026-01-05 … 2026-01-10.
        #expect(row("u1") == ["trialStarted 1", "none 1", "none 1", "converted 1", "none 1", "cancelled 1"])
        #expect(row("u2") == ["subscribed 2", "none 2", "downgraded 1", "none 1", "none 1", "none 1"])
        #expect(row("u3") == ["trialStarted 1", "none 1", "none 1", "trialExpired 0", "upgraded 2", "none 2"])
        #expect(row("u4") == ["none 0", "none 0", "none 0", "none 0", "none 0", "none 0"])
        // u4 has no sign-up event: signed up with the first event.
        let u4 = r.population!.userIndex(of: "u4")!
        #expect(r.days.map { $0[u4].signedUp } == [false, true, true, true, true, true])
    }

    @Test func skippedEventsAreCountedByReason() throws {
        let dir = TempDir()
        var taxonomy = Fixture.taxonomy
        taxonomy.ignored = ["page_viewed"]
        let log =
            Fixture.header
            + line("u1", "a1", "signed_up", "2026-01-05T09:00:00Z")
            + line("u1", "a1", "tour_opened", "2026-01-05T09:01:00Z")
            + line("u1", "a1", "tour_opened", "2026-01-05T09:02:00Z")
            + line("u1", "a1", "calendar_synced", "2026-01-05T09:03:00Z")
            + line("u1", "a1", "page_viewed", "2026-01-05T09:04:00Z")
            + line("", "a1", "session_started", "2026-01-05T09:05:00Z")
            + line("u1", "a1", "subscription_started", "2026-01-05T09:06:00Z", #"{"plan":"enterprise"}"#)
            + line("u1", "a1", "nps_submitted", "2026-01-05T09:07:00Z", #"{"score":11}"#)
            + line("u1", "a1", "nps_submitted", "2026-01-05T09:07:00Z", #"{"rating":9}"#)
            + line("u1", "a1", "plan_changed", "2026-01-05T09:08:00Z", #"{"plan":"team","direction":"sideways"}"#)
            + line("u1", "a1", "feature_used", "2026-01-05T09:09:00Z", #"{"feature":"calendar"}"#)
            + line("u1", "a1", "session_started", "not a time")
        let (result, _) = try Fixture.run([dir.write("events.csv", log)], taxonomy: taxonomy)
        let s = result.summary
        #expect(s.records == 12 && s.eventsUsed == 1)
        #expect(s.skipped(.unknownEvent) == 3)
        #expect(s.skipped(.ignoredEvent) == 1)
        #expect(s.skipped(.emptyUserID) == 1)
        #expect(s.skipped(.unknownPlan) == 1)
        #expect(s.skipped(.invalidProperty) == 3)
        #expect(s.skipped(.unmatchedProperty) == 1)
        #expect(s.skipped(.malformed) == 1)
        #expect(s.records == s.eventsUsed + s.skippedTotal)
        #expect(s.unknownEvents == [.init(name: "tour_opened", count: 2), .init(name: "calendar_synced", count: 1)])
        #expect(s.unknownPlans == [.init(name: "enterprise", count: 1)])
        #expect(s.firstMalformed.map(\.description) == [dir.path + "/events.csv:13: invalid timestamp 'not a time'"])
        #expect(s.description.contains("unknown events: tour_opened (2), calendar_synced (1)"))
    }

    @Test func aliasesMergeSecondIdentities() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            + line("u1", "a1", "signed_up", "2026-01-05T09:00:00Z")
            + line("u1", "a1", "session_started", "2026-01-05T09:00:00Z")
            + line("d1", "a1", "key_action", "2026-01-05T09:01:00Z")
            + line("d1", "a1", "session_started", "2026-01-06T09:00:00Z")
            + line("u2", "a1", "session_started", "2026-01-06T10:00:00Z")
        let path = dir.write("events.csv", log)
        let (apart, r1) = try Fixture.run([path])
        #expect(r1.population!.userIDs == ["u1", "d1", "u2"])
        #expect(apart.summary.reattributed == 0)

        let aliases = dir.write("aliases.csv", "alias,user_id\nd1,u1\nd9,u9\n")
        let (merged, r2) = try Fixture.run([path], aliases: aliases)
        #expect(r2.population!.userIDs == ["u1", "u2"])
        #expect(merged.summary.reattributed == 2)
        #expect(r2.cell("u1", "2026-01-05") == Cell(sessions: 1, keyActions: 1, signedUp: true))
        #expect(r2.cell("u1", "2026-01-06") == Cell(sessions: 1, signedUp: true))
    }

    @Test func badAliasTablesAreRejectedWithEveryProblem() throws {
        let dir = TempDir()
        let events = dir.write("events.csv", Fixture.header + line("u1", "a1", "signed_up", "2026-01-05T09:00:00Z"))
        let aliases = dir.write("aliases.csv", "user_id,alias\nu1,d1\nu2,d1\nd1,x1\nu3,\n")
        let error = thrownError { _ = try Fixture.run([events], aliases: aliases) }
        let p = dir.path + "/aliases.csv"
        #expect(
            (error as? EventImportError)?.description
                == [
                    "\(p):3: alias 'd1' already maps to 'u1' (line 2)",
                    "\(p):4: 'd1' is itself an alias; map 'x1' to its user",
                    "\(p):5: empty 'alias'",
                ].joined(separator: "\n"))
        let noHeader = dir.write("bad.csv", "d1,u1\n")
        #expect(
            (thrownError { _ = try Fixture.run([events], aliases: noHeader) } as? EventImportError)
                == .missingColumn(path: noHeader, line: 1, column: "alias"))
    }

    @Test func accountsFromEventsTableOrTheirOwn() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            + line("u1", "a1", "signed_up", "2026-01-05T09:00:00Z")
            + line("u2", "a2", "signed_up", "2026-01-05T10:00:00Z")
            + line("u3", "", "signed_up", "2026-01-05T11:00:00Z")
            + line("u4", "a1", "signed_up", "2026-01-05T12:00:00Z")
            // u5 is seen in a1 and, earlier, in a2: the earliest wins.
            + line("u5", "a1", "signed_up", "2026-01-06T12:00:00Z")
            + line("u5", "a2", "session_started", "2026-01-05T13:00:00Z")
        let path = dir.write("events.csv", log)
        let (log1, r1) = try Fixture.run([path])
        // Users by first event, grouped by account (accounts in order of their first user).
        #expect(r1.population!.userIDs == ["u1", "u4", "u2", "u5", "u3"])
        #expect(r1.population!.accountIDs == ["a1", "a2", "u3"])
        #expect(Array(r1.directory!.account) == [0, 0, 1, 1, 2])
        #expect(log1.summary.usersWithSeveralAccounts == 1)

        let table = dir.write("accounts.csv", "account_id,user_id\nacme,u3\nacme,u2\nglobex,u9\n")
        let (_, r2) = try Fixture.run([path], accounts: table)
        #expect(r2.population!.userIDs == ["u1", "u4", "u2", "u3", "u5"])
        #expect(r2.population!.accountIDs == ["a1", "acme", "a2"])
        #expect(Array(r2.directory!.account) == [0, 0, 1, 1, 2])
        #expect(r2.directory!.accountCount == 3)
    }

    @Test("a milestone seen before sign-up counts on the sign-up day")
    func milestoneBeforeSignUp() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            + line("u1", "a1", "session_started", "2026-01-05T09:00:00Z")
            + line("u1", "a1", "setup_complete", "2026-01-06T09:00:00Z")
            + line("u1", "a1", "signed_up", "2026-01-08T09:00:00Z")
            + line("u1", "a1", "setup_complete", "2026-01-09T09:00:00Z")
        let (_, r) = try Fixture.run([dir.write("events.csv", log)])
        #expect(r.cell("u1", "2026-01-06") == Cell(signedUp: false))
        #expect(r.cell("u1", "2026-01-08") == Cell(milestones: 0b1, signedUp: true))
        #expect(r.cell("u1", "2026-01-09") == Cell(signedUp: true))
    }

    @Test func dateRangeSkipsAndRemembersEarlierEvents() throws {
        let dir = TempDir()
        let log =
            Fixture.header
            + line("u1", "a1", "signed_up", "2026-01-01T09:00:00Z")
            + line("u1", "a1", "subscription_started", "2026-01-01T09:00:00Z", #"{"plan":"business"}"#)
            + line("u1", "a1", "setup_complete", "2026-01-02T09:00:00Z")
            + line("u1", "a1", "setup_complete", "2026-01-05T09:00:00Z")
            + line("u1", "a1", "first_item_created", "2026-01-05T09:00:00Z")
            + line("u1", "a1", "session_started", "2026-01-06T09:00:00Z")
            + line("u2", "a1", "signed_up", "2026-01-06T09:00:00Z")
            + line("u2", "a1", "session_started", "2026-01-07T00:00:00Z")
            + line("u3", "a1", "signed_up", "2026-01-07T09:00:00Z")
        let (result, r) = try Fixture.run([dir.write("events.csv", log)], start: "2026-01-05", asOf: "2026-01-06")
        let s = result.summary
        #expect(s.skipped(.beforeStart) == 3 && s.skipped(.afterEnd) == 2 && s.eventsUsed == 4)
        #expect(s.days == 2 && s.startDate == CivilDate(year: 2026, month: 1, day: 5)!)
        // u3 only appears after the end date: not a user yet.
        #expect(r.population!.userIDs == ["u1", "u2"])
        #expect(Array(r.directory!.signupDay) == [-4, 1])
        // The milestone reached before the start counts on the first day replayed (with the one reached
        // that day), and only then; the plan bought before the start carries over.
        #expect(r.cell("u1", "2026-01-05") == Cell(milestones: 0b11, plan: 2, signedUp: true))
        #expect(r.cell("u1", "2026-01-06") == Cell(sessions: 1, plan: 2, signedUp: true))
        #expect(r.cell("u2", "2026-01-05") == Cell())
        #expect(r.cell("u2", "2026-01-06") == Cell(signedUp: true))

        let reversed = thrownError {
            _ = try Fixture.run([dir.path + "/events.csv"], start: "2026-01-06", asOf: "2026-01-05")
        }
        #expect(
            (reversed as? EventImportError)?.description
                == "the end date 2026-01-05 is before the start date 2026-01-06")
    }

    @Test func memoryEstimateAndLimit() throws {
        let dir = TempDir()
        let path = dir.write("events.csv", basicLog)
        let importer = EventLogImporter(files: [path], taxonomy: Fixture.taxonomy)
        let scan = try importer.scan()
        #expect(scan.userCount == 2 && scan.days == 3)
        // u1 is active on 2026-01-05 and 2026-01-07, u2 on 2026-01-06; each has a trial_started.
        #expect(scan.activeUserDays == 3 && scan.rareEvents == 2)
        // Per user 128 + 8; pass 1: per day a one-word row and 16 bytes of pointers; the day index: one
        // 8 + 4-byte word a day and 4 day starts of 8 bytes; 3 cells of 12 bytes and 4 of premium attempts
        // (the simulator's taxonomy has premium_attempts rules); the rare table for 2 events: 2 + 0 + 1 slots
        // of 8 + 12 bytes.
        #expect(
            scan.estimatedBytes == 2 * (128 + 8) + 3 * (8 + 16) + (3 * 12 + 4 * 8) + 3 * (12 + 4) + 3 * 20)
        // A million users: 15 625 words of users, rows rounded up to 16 384; a million rare events take
        // 1 250 001 slots.
        #expect(
            EventLogScan.estimatedBytes(users: 1_000_000, days: 365, activeUserDays: 40_000_000, rareEvents: 1_000_000)
                == 1_000_000 * 136 + 365 * (16_384 * 8 + 16) + (365 * 15_625 * 12 + 366 * 8) + 40_000_000 * 12
                + 1_250_001 * 20)
        let error = thrownError { _ = try importer.load(memoryLimit: 100) }
        #expect(
            (error as? EventImportError)
                == .tooLarge(estimatedBytes: scan.estimatedBytes, limit: 100, users: 2, days: 3))
        #expect(try importer.load(memoryLimit: 1000).directory.userCount == 2)
    }

    @Test func severalFilesAreOneLog() throws {
        let dir = TempDir()
        let lines = basicLog.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = dir.write("part-1.csv", lines[0..<10].joined(separator: "\n") + "\n")
        let second = dir.write("part-2.csv", ([lines[0]] + lines[10...]).joined(separator: "\n"))
        let (whole, a) = try Fixture.run([dir.write("all.csv", basicLog)])
        let (parts, b) = try Fixture.run([first, second])
        #expect(a.days == b.days)
        #expect(parts.summary.files.map(\.records) == [9, 9])
        #expect(parts.summary.eventsUsed == whole.summary.eventsUsed)
    }
}
