import Segmentation
import Testing
import UsageModel

@Suite("Usage windows on a hand-built log")
struct UsageWindowTests {
    /// Evaluates daily with one catch-all segment, so only the metrics matter.
    static func engine(every: EvaluationInterval = .day) throws -> SegmentationEngine {
        let spec = SegmentationSpec(every: every, segments: [RuleDefinition(name: "all", when: "true")])
        return SegmentationEngine(try CompiledSegmentation(spec, vocabulary: SyntheticLog.vocabulary))
    }

    /// User 0: from day 0 to 29 a session pair and `day + 1` key actions every day, exports from day 20,
    /// milestones setup (day 3) and invite (day 5), NPS 9 on day 10 then 5 on day 20, plan team.
    /// User 1: signs up on day 10 into a trial; key actions only on days 12 and 25, both with reports;
    /// reaches setup only. User 2 signs up after the log ends.
    static func log() -> SyntheticLog {
        var log = SyntheticLog(users: 3, days: 30)
        log.signup = [0, 10, 40]
        log.plan = [1, 0, 0]
        for d in 0..<30 {
            var e = log[0, d]
            e.sessions = 2
            e.keyActions = UInt16(d + 1)
            if d >= 20 { e.features = 0b10 }
            log[0, d] = e
        }
        log[0, 3].milestones = 0b01
        log[0, 5].milestones = 0b10
        log[0, 10].nps = 9
        log[0, 20].nps = 5
        log[1, 10].commerce = .trialStarted
        log.active(1, on: [12, 25], features: 0b01)
        log[1, 12].milestones = 0b01
        return log
    }

    @Test("counts, sums and trends of a steady user, worked out by hand")
    func steadyUser() throws {
        let engine = try Self.engine()
        try Self.log().replay(into: engine)
        func m(_ name: String) -> Double { engine.metric(name, user: 0)! }
        #expect(m("key_actions_1") == 30)
        #expect(m("key_actions_7") == 189)  // days 23…29: 24 + … + 30
        #expect(m("key_actions_28") == 462)  // days 2…29: 3 + … + 30
        #expect(m("key_actions_last_week") == 140)  // days 16…22: 17 + … + 23
        #expect(m("trend_ratio") == 189.0 / 140.0)
        #expect(m("trend_change") == 49)
        #expect(m("sessions_1") == 2)
        #expect(m("sessions_7") == 14)
        #expect(m("sessions_28") == 56)
        #expect(m("active_days_7") == 7)
        #expect(m("active_days_28") == 28)
        #expect(m("active_days_last_week") == 7)
        #expect(m("stickiness") == 1)
        #expect(m("days_since_key_action") == 0)
        #expect(m("tenure_days") == 29)
        #expect(m("usage_rate") == 3)  // heavy
        // Exports on days 20…29: 10 days of the last 28 ≥ 4, so habitual; reports never used.
        #expect(m("feature.exports") == 2)
        #expect(m("feature.exports.days_7") == 7)
        #expect(m("feature.exports.days_28") == 10)
        #expect(m("feature.reports") == 0)
        #expect(m("milestone.setup") == 1)
        #expect(m("milestone.invite.days_since") == 24)
        #expect(m("activated") == 1)
        #expect(m("days_since_activation") == 24)
        #expect(m("nps") == 1)  // detractor: the last answer counts
        #expect(m("nps_score") == 5)
        #expect(m("plan") == 1)
        #expect(m("trial") == 0)
        // Engagement: frequency min(1, 28/20) = 1, depth min(1, 462/100) = 1, breadth 1 of 2 features
        // habitual = 0.5, recency 1; weights 0.4, 0.3, 0.2, 0.1 → 100 · (0.4 + 0.3 + 0.1 + 0.1) = 90.
        #expect(abs(m("engagement_score") - 90) < 1e-12)
    }

    @Test("a sporadic user in a trial: recency, tried features, NaN trend")
    func sporadicUser() throws {
        let engine = try Self.engine()
        try Self.log().replay(into: engine)
        func m(_ name: String) -> Double { engine.metric(name, user: 1)! }
        #expect(m("days_since_key_action") == 4)
        #expect(m("days_since_session") == 4)
        #expect(m("active_days_28") == 2)
        #expect(m("active_days_7") == 1)
        #expect(m("key_actions_last_week") == 0)
        #expect(m("trend_ratio").isNaN)
        #expect(m("feature.reports") == 1)  // tried: 2 days < 4
        #expect(m("feature.reports.days_28") == 2)
        #expect(m("activated") == 0)
        #expect(m("days_since_activation") == .infinity)
        #expect(m("tenure_days") == 19)
        #expect(m("trial") == 1)
        #expect(m("usage_rate") == 1)  // light
        #expect(m("nps") == 0)
        #expect(m("nps_score").isNaN)
    }

    @Test("a user who has not signed up has no segment")
    func notSignedUp() throws {
        let engine = try Self.engine()
        try Self.log().replay(into: engine)
        #expect(engine.segmentName(user: 2, evaluation: 29) == nil)
        #expect(engine.segmentName(user: 1, evaluation: 9) == nil)
        #expect(engine.segmentName(user: 1, evaluation: 10) == "all")
        #expect(engine.evaluations.count == 30)
        #expect(engine.evaluations[29].notSignedUp == 1)
    }

    @Test("before a first action, recency counts from sign-up")
    func recencyFromSignup() throws {
        var log = SyntheticLog(users: 2, days: 30)
        log.signup = [5, 5]
        log[1, 8].sessions = 1  // a session without a key action
        let engine = try Self.engine()
        try log.replay(into: engine)
        #expect(engine.metric("days_since_key_action", user: 0) == 24)
        #expect(engine.metric("days_since_session", user: 0) == 24)
        #expect(engine.metric("days_since_session", user: 1) == 21)
        #expect(engine.metric("days_since_key_action", user: 1) == 24)
        #expect(engine.metric("lifecycle", user: 0) == 0)
    }

    /// Cap days 0, 1, 10, 20 and 34; premium attempts of reports on day 3, of both features on day 8, of
    /// exports on day 30. On day 34 the window holds days 7 … 34; on day 38, days 11 … 38.
    @Test("cap-reached and premium-attempt days of the last 28, worked out by hand")
    func capAndPremiumDays() throws {
        func run(days: Int) throws -> SegmentationEngine {
            var log = SyntheticLog(users: 2, days: days)
            for d in [0, 1, 10, 20, 34] where d < days { log[0, d].limits = UsageDay.Limit.capReached }
            log[0, 3].premium = 0b01
            log[0, 8].premium = 0b11
            log[0, 30].premium = 0b10
            log.active(0, on: 0..<days)
            let engine = try Self.engine()
            try log.replay(into: engine)
            return engine
        }
        let day34 = try run(days: 35)
        #expect(day34.metric("cap_reached_days_28", user: 0) == 3)
        #expect(day34.metric("premium_attempts_28", user: 0) == 2)
        #expect(day34.metric("feature.reports.premium_attempts_28", user: 0) == 1)
        #expect(day34.metric("feature.exports.premium_attempts_28", user: 0) == 2)
        #expect(day34.metric("cap_reached_days_28", user: 1) == 0)
        #expect(day34.metric("premium_attempts_28", user: 1) == 0)
        let day38 = try run(days: 39)
        #expect(day38.metric("cap_reached_days_28", user: 0) == 2)
        #expect(day38.metric("premium_attempts_28", user: 0) == 1)
        #expect(day38.metric("feature.reports.premium_attempts_28", user: 0) == 0)
        #expect(day38.metric("feature.exports.premium_attempts_28", user: 0) == 1)
        // Used in a rule like any number.
        let spec = SegmentationSpec(
            every: .day,
            segments: [
                RuleDefinition(name: "cap_hitter", when: "cap_reached_days_28 >= 3 and premium_attempts_28 >= 2"),
                RuleDefinition(name: "other", when: "true"),
            ])
        let engine = SegmentationEngine(try CompiledSegmentation(spec, vocabulary: SyntheticLog.vocabulary))
        var log = SyntheticLog(users: 1, days: 35)
        for d in [10, 20, 34] { log[0, d].limits = UsageDay.Limit.capReached }
        log[0, 8].premium = 0b11
        log[0, 30].premium = 0b10
        try log.replay(into: engine)
        #expect(engine.segmentName(user: 0, evaluation: 34) == "cap_hitter")
        #expect(engine.segmentName(user: 0, evaluation: 33) == "other")
    }

    @Test("windows forget what falls out of them")
    func windowsSlide() throws {
        // Active on days 0…9 only; at day 40 every window sum is back to zero.
        var log = SyntheticLog(users: 1, days: 41)
        log.active(0, on: 0..<10, keyActions: 3, features: 0b11)
        let engine = try Self.engine()
        try log.replay(into: engine)
        for name in [
            "key_actions_7", "key_actions_28", "key_actions_last_week", "active_days_28", "sessions_28",
            "feature.reports.days_28",
        ] {
            #expect(engine.metric(name, user: 0) == 0, "\(name)")
        }
        #expect(engine.metric("feature.reports", user: 0) == 1)  // tried once, never forgotten
        #expect(engine.metric("days_since_key_action", user: 0) == 31)
    }
}

@Suite("Lifecycle as PostHog defines it")
struct LifecycleTests {
    // PostHog's lifecycle: new = first active in this period; returning = active now and in the
    // previous period; resurrecting = active now, not in the previous period, active before;
    // dormant = active in the previous period, not now (posthog.com/docs/product-analytics/lifecycle).
    @Test("daily lifecycle of a crafted user")
    func daily() throws {
        var log = SyntheticLog(users: 1, days: 7)
        log.active(0, on: [0, 1, 3, 6])
        let engine = try UsageWindowTests.engine()
        var states: [Double] = []
        engine.onEvaluation = { _, _, _ in states.append(engine.metric("lifecycle", user: 0)!) }
        try log.replay(into: engine)
        let names = states.map { MetricOptions.lifecycle[Int($0)] }
        #expect(names == ["new", "returning", "dormant", "resurrecting", "dormant", "none", "resurrecting"])
    }

    @Test("weekly lifecycle uses whole weeks")
    func weekly() throws {
        var log = SyntheticLog(users: 1, days: 35)
        log.active(0, on: [2, 9, 30])  // weeks 0 and 1 active, 2 and 3 not, 4 active
        let engine = try UsageWindowTests.engine(every: .week)
        var states: [String] = []
        engine.onEvaluation = { _, _, _ in
            states.append(MetricOptions.lifecycle[Int(engine.metric("lifecycle", user: 0)!)])
        }
        try log.replay(into: engine)
        #expect(states == ["new", "returning", "dormant", "none", "resurrecting"])
    }

    @Test("a single evaluation knows the interval before it")
    func singleEvaluation() throws {
        // Active in the week of days 14–20 only; evaluated once, on day 27: dormant, as the weekly
        // evaluations that lead up to it also say, and returning or resurrecting on day 20.
        var log = SyntheticLog(users: 3, days: 28)
        log.active(0, on: [16])
        log.active(1, on: [3, 16, 25])
        log.active(2, on: [3, 25])
        let engine = try UsageWindowTests.engine(every: .week)
        engine.schedule = .only(day: 27)
        try log.replay(into: engine)
        let names = (0..<3).map { MetricOptions.lifecycle[Int(engine.metric("lifecycle", user: $0)!)] }
        #expect(names == ["dormant", "returning", "resurrecting"])
    }
}

@Suite("Account revenue")
struct AccountRevenueTests {
    static let vocabulary = Vocabulary(
        features: ["reports", "exports"], milestones: ["setup", "invite"], plans: ["free", "team"],
        planPriceCents: [0, 1550])

    /// Account 0: user 0 pays for team; user 1 starts a team trial on day 0 and converts on day 8; user 2 is
    /// on team but cancels on day 3; user 3 is free. Account 1: user 4, on team, signs up on day 10.
    static func log() -> SyntheticLog {
        var log = SyntheticLog(users: 5, days: 13)
        log.account = [0, 0, 0, 0, 1]
        log.signup = [0, 0, 0, 0, 10]
        log.plan = [1, 1, 1, 0, 1]
        log[0, 0].commerce = .subscribed
        log[1, 0].commerce = .trialStarted
        log[1, 8].commerce = .converted
        log[2, 0].commerce = .subscribed
        log[2, 3].commerce = .cancelled
        log[4, 10].commerce = .subscribed
        return log
    }

    @Test("account.mrr adds the plan prices of the paying seats, leaving out trials and cancellations")
    func monthlyRevenue() throws {
        let spec = SegmentationSpec(
            every: .day,
            segments: [
                RuleDefinition(name: "valuable", when: "account.mrr >= 31"),
                RuleDefinition(name: "other", when: "true"),
            ])
        let engine = SegmentationEngine(try CompiledSegmentation(spec, vocabulary: Self.vocabulary))
        var mrr: [[Double]] = []
        engine.onEvaluation = { _, _, _ in mrr.append([0, 4].map { engine.metric("account.mrr", user: $0)! }) }
        try Self.log().replay(into: engine)
        // Day 2: users 0 and 2 (user 1 in trial; user 2 has not cancelled yet): 15.50 + 15.50.
        #expect(mrr[2] == [31, 0])
        // Days 3…7: user 2 cancelled, user 1 still in trial.
        #expect(mrr[5] == [15.5, 0])
        // From day 8 user 1 pays; from day 10 account 1's only seat pays.
        #expect(mrr[9] == [31, 0])
        #expect(mrr[12] == [31, 15.5])
        #expect(engine.segmentName(user: 3, evaluation: 5) == "other")
        #expect(engine.segmentName(user: 3, evaluation: 12) == "valuable")  // a free seat of a valuable account
        #expect(engine.segmentName(user: 4, evaluation: 12) == "other")
    }

    @Test("without plan prices a rule naming account.mrr is refused, saying what is missing")
    func needsPrices() {
        let spec = SegmentationSpec(segments: [RuleDefinition(name: "valuable", when: "account.mrr > 100")])
        #expect {
            _ = try CompiledSegmentation(spec, vocabulary: SyntheticLog.vocabulary)
        } throws: { error in
            "\(error)".contains("'account.mrr' needs each plan's monthly price") && "\(error)".contains("plan_prices")
        }
    }
}
