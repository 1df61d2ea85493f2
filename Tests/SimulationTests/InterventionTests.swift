import Segmentation
import Testing
import UsageModel

@testable import Simulation

@Suite("Policy eligibility, reach and effects")
struct InterventionTests {
    /// One policy on one channel whose every draw succeeds unless a test says otherwise.
    static func spec(
        channel: ChannelSettings = ChannelSettings(consent: 1, delivered: 1, opened: 1, capMessages: 16, capDays: 1),
        cooldown: Int = 0, reentry: Policy.Reentry = .every,
        fatigue: Fatigue = Fatigue(unsubscribeBase: 0, unsubscribePerMessage: 0),
        via: Channel = .email
    ) -> InterventionSpec {
        var channels = Channel.allCases.map(\.defaults)
        channels[via.index] = channel
        let policy = Policy(
            name: "nudge", trigger: .entersSegment(0), channel: via, costCents: 1,
            effects: [TransitionEffect(from: 0, to: 1, relativeChange: 0.5)], effectDays: 10, cooldownDays: cooldown,
            reentry: reentry)
        return InterventionSpec(
            policies: [policy], channels: channels, fatigue: fatigue,
            arms: [
                Arm(name: "control", weight: 1, policies: [], isControl: true),
                Arm(name: "treated", weight: 1, policies: [0], isControl: false),
            ])
    }

    /// Sends policy 0 to user 0 on each day given; returns the counters.
    static func send(_ spec: InterventionSpec, days: [Int32]) throws -> (PolicyCounters, TreatmentState) {
        let treatment = TreatmentState(spec: spec, users: 1, seed: 7)
        let compiled = try CompiledSegmentation(
            .defaults, vocabulary: Vocabulary(features: [], milestones: [], plans: ["free"]))
        // The segmentation engine owns the policy engine, which holds it unowned.
        let segmentation = SegmentationEngine(compiled)
        let engine = PolicyEngine(spec: spec, engine: segmentation, treatment: treatment, seed: 7, threads: 1)
        var tally = [Int](repeating: 0, count: PolicyCounters.width)
        withExtendedLifetime(segmentation) {
            tally.withUnsafeMutableBufferPointer { t in
                for day in days { engine.send(policy: 0, user: 0, day: day, tally: t.baseAddress!) }
            }
        }
        return (tally.withUnsafeBufferPointer { PolicyCounters($0.baseAddress!) }, treatment)
    }

    @Test("no consent, no send")
    func consent() throws {
        let (c, _) = try Self.send(
            Self.spec(channel: ChannelSettings(consent: 0, delivered: 1, opened: 1, capMessages: 16, capDays: 1)),
            days: [0, 5, 10])
        #expect(c.triggered == 3)
        #expect(c.noConsent == 3)
        #expect(c.sends == 0)
    }

    @Test("at most two deliveries in any 7 days")
    func frequencyCap() throws {
        // Days 0 and 1 deliver; day 2 has two deliveries in days -4...2 and is capped; day 7 looks
        // at days 1...7, which hold one delivery (day 1), so it sends; day 8 then sees days 2...8
        // with one (day 7) and sends too; day 9 sees days 3...9 with two and is capped.
        let spec = Self.spec(channel: ChannelSettings(consent: 1, delivered: 1, opened: 0, capMessages: 2, capDays: 7))
        let (c, _) = try Self.send(spec, days: [0, 1, 2, 7, 8, 9])
        #expect(c.sends == 4)
        #expect(c.frequencyCap == 2)
        #expect(c.delivered == 4)
    }

    @Test("a cooldown of five days blocks days 1 to 4 after a send")
    func cooldown() throws {
        let (c, treatment) = try Self.send(Self.spec(cooldown: 5), days: [0, 3, 4, 5, 9, 10])
        // Sends on 0, 5 and 10; 3, 4 and 9 fall within five days of the last send.
        #expect(c.sends == 3)
        #expect(c.cooldown == 3)
        #expect(treatment.lastSend[0] == 10)
    }

    @Test("a once-only policy is sent once")
    func once() throws {
        let (c, _) = try Self.send(Self.spec(reentry: .once), days: [0, 40, 80])
        #expect(c.sends == 1)
        #expect(c.alreadySent == 2)
    }

    @Test("an unsubscribe stops the channel; a call never unsubscribes")
    func unsubscribe() throws {
        let certain = Fatigue(unsubscribeBase: 1, unsubscribePerMessage: 0)
        let (email, state) = try Self.send(Self.spec(fatigue: certain), days: [0, 10, 20])
        #expect(email.sends == 1)
        #expect(email.unsubscribes == 1)
        #expect(email.unsubscribed == 2)
        #expect(state.unsubscribed[0] == 1 << UInt8(Channel.email.index))
        let (call, _) = try Self.send(Self.spec(fatigue: certain, via: .csmCall), days: [0, 10, 20])
        #expect(call.sends == 3)
        #expect(call.unsubscribes == 0)
    }

    @Test("each earlier delivery in the fatigue window halves the effect when the loss is one half")
    func fatigue() throws {
        let half = Fatigue(windowDays: 30, effectLossPerMessage: 0.5, unsubscribeBase: 0, unsubscribePerMessage: 0)
        let (c, state) = try Self.send(Self.spec(fatigue: half), days: [0, 10, 20])
        #expect(c.opened == 3)
        // The third message has two deliveries in its window: strength 0.5² from the next day.
        #expect(state.effectScale[0] == 0.25)
        #expect(state.effectStart[0] == 21)
        #expect(state.effectUntil[0] == 30)
    }

    @Test("the effect changes the named transition and rescales the rest of the row")
    func modifier() {
        // Row (0.5, 0.2, 0.3); the effect doubles the middle entry: 0.4, and the others share the
        // remaining 0.6 in their old ratio 5:3 → 0.375 and 0.225.
        var row: [Double] = [0.5, 0.2, 0.3]
        let multiplier: [Double] = [1, 2, 1]
        let affected = [false, true, false]
        row.withUnsafeMutableBufferPointer { r in
            multiplier.withUnsafeBufferPointer { m in
                affected.withUnsafeBufferPointer { a in TransitionModifier.apply(r, multiplier: m, affected: a) }
            }
        }
        #expect(abs(row[0] - 0.375) < 1e-15)
        #expect(abs(row[1] - 0.4) < 1e-15)
        #expect(abs(row[2] - 0.225) < 1e-15)
        // An effect asking for more than the whole row takes all of it.
        var full: [Double] = [0.5, 0.5, 0]
        let big: [Double] = [1, 3, 1]
        full.withUnsafeMutableBufferPointer { r in
            big.withUnsafeBufferPointer { m in
                affected.withUnsafeBufferPointer { a in TransitionModifier.apply(r, multiplier: m, affected: a) }
            }
        }
        #expect(full == [0, 1, 0])
    }

    @Test("emission factors multiply over policies, each 1 + change × strength with its own decay")
    func emissionFactors() throws {
        // Policy 0: sessions +0.5 and feature 1 +1.0 over 10 days; policy 1: feature 1 −0.5 and
        // milestone 0 +2.0 over 4 days. Two features, one milestone: slots sessions, f0, f1, m0.
        var spec = Self.spec()
        spec.policies[0].emissionEffects = [
            EmissionEffect(target: .sessions, relativeChange: 0.5),
            EmissionEffect(target: .feature(1), relativeChange: 1),
        ]
        var second = spec.policies[0]
        second.name = "other"
        second.effectDays = 4
        second.emissionEffects = [
            EmissionEffect(target: .feature(1), relativeChange: -0.5),
            EmissionEffect(target: .milestone(0), relativeChange: 2),
        ]
        spec.policies.append(second)
        let state = TreatmentState(spec: spec, users: 1, seed: 7)
        let tables = TreatmentTables(state, features: 2, milestones: 1)
        // Policy 0 opened on day 9 at strength 0.8 (effect from day 10), policy 1 on day 11 at 1.
        state.effectStart[0] = 10
        state.effectScale[0] = 0.8
        state.effectStart[1] = 12
        state.effectScale[1] = 1
        state.effectUntil[0] = 19
        var scale = [Double](repeating: .nan, count: tables.emissionSlots)
        func factors(_ day: Int32) -> [Double]? {
            scale.withUnsafeMutableBufferPointer { tables.emissionEffects(user: 0, today: day, scale: $0) }
                ? scale : nil
        }
        #expect(factors(9) == nil)
        // Day 10: policy 0 at 0.8 → sessions 1.4, f1 1.8.
        // Strengths are stored in single precision: 0.8 is off by 1.2e-8, hence the tolerance below.
        let day10 = try #require(factors(10))
        let expected10: [Double] = [1.4, 1, 1.8, 1]
        for (a, b) in zip(day10, expected10) { #expect(abs(a - b) < 1e-6) }
        // Day 13: policy 0 at 0.8 × (1 − 3/10) = 0.56 → sessions 1.28, f1 1.56; policy 1 at 1 − 1/4 = 0.75
        // → f1 × (1 − 0.375) = 0.625, m0 1 + 1.5 = 2.5. f1: 1.56 × 0.625 = 0.975.
        let day13 = try #require(factors(13))
        let expected13: [Double] = [1.28, 1, 0.975, 2.5]
        for (a, b) in zip(day13, expected13) { #expect(abs(a - b) < 1e-6) }
        // Day 16: policy 1 ended (4 days from day 12); policy 0 at 0.8 × 0.4 = 0.32.
        let day16 = try #require(factors(16))
        let expected16: [Double] = [1.16, 1, 1.32, 1]
        for (a, b) in zip(day16, expected16) { #expect(abs(a - b) < 1e-6) }
        #expect(factors(20) == nil)
    }

    @Test("an opened survey is answered the next day as often as its probability; a message never")
    func surveyAnswer() throws {
        var survey = Self.spec()
        survey.policies[0].kind = .survey(answerProbability: 1)
        let (_, answered) = try Self.send(survey, days: [3])
        #expect(answered.surveyAnswerDay[0] == 4)
        survey.policies[0].kind = .survey(answerProbability: 0)
        let (_, silent) = try Self.send(survey, days: [3])
        #expect(silent.surveyAnswerDay[0] == TreatmentState.never)
        let (_, message) = try Self.send(Self.spec(), days: [3])
        #expect(message.surveyAnswerDay[0] == TreatmentState.never)
        // An answer alone does not alter the user's days.
        var quiet = Self.spec()
        quiet.policies[0].effects = []
        quiet.policies[0].kind = .survey(answerProbability: 1)
        let (_, state) = try Self.send(quiet, days: [3])
        #expect(!state.altered[0])
    }

    @Test("arms are drawn by hashing the user with the seed, in the proportions of the weights")
    func assignment() throws {
        var spec = Self.spec()
        spec.arms[1].weight = 3
        spec.globalControlShare = 0.1
        let n = 100_000
        var counts = [0, 0, 0]
        for u in 0..<n {
            let a = TreatmentState.assign(unit: u, seed: 11, spec: spec)
            counts[a == TreatmentState.globalControl ? 2 : Int(a)] += 1
            // Stable: the same user and seed give the same arm.
            if u < 100 { #expect(TreatmentState.assign(unit: u, seed: 11, spec: spec) == a) }
        }
        // Expected shares 0.9 × 1/4, 0.9 × 3/4, 0.1. Each count within 4 binomial standard deviations.
        for (count, share) in zip(counts, [0.225, 0.675, 0.1]) {
            let sd = (Double(n) * share * (1 - share)).squareRoot()
            #expect(abs(Double(count) - Double(n) * share) < 4 * sd, "\(counts)")
        }
    }
}

@Suite("Upgrade prompts by latent state")
struct UpgradeByStateTests {
    /// Sends the policy to every user once, on day 3, with the state each user is given; returns who accepts.
    static func accepted(_ spec: InterventionSpec, users: Int, state: @escaping @Sendable (Int) -> UInt8) throws
        -> [Bool]
    {
        let treatment = TreatmentState(spec: spec, users: users, seed: 7)
        treatment.latentState = { u, day in
            precondition(day == 3, "the state of the day of the send")
            return state(u)
        }
        let compiled = try CompiledSegmentation(
            .defaults, vocabulary: Vocabulary(features: [], milestones: [], plans: ["free"]))
        let segmentation = SegmentationEngine(compiled)
        let engine = PolicyEngine(spec: spec, engine: segmentation, treatment: treatment, seed: 7, threads: 1)
        var tally = [Int](repeating: 0, count: PolicyCounters.width)
        withExtendedLifetime(segmentation) {
            tally.withUnsafeMutableBufferPointer { t in
                for u in 0..<users { engine.send(policy: 0, user: u, day: 3, tally: t.baseAddress!) }
            }
        }
        #expect(tally[5] == (0..<users).filter { treatment.pendingUpgrade[$0] }.count)
        return (0..<users).map { treatment.pendingUpgrade[$0] }
    }

    /// Half the users are in state 0 (probability 0.2), half in state 1 (0.6); every send is delivered and
    /// opened at full strength, so each group accepts at its probability, within four binomial standard errors.
    @Test("an opened prompt converts at the probability of the user's state on the day of the send")
    func byState() throws {
        var spec = InterventionTests.spec()
        spec.policies[0].upgradeByState = [0.2, 0.6, 0]
        let n = 8_000
        let accepted = try Self.accepted(spec, users: n) { UInt8($0 % 2) }
        for (state, p) in [(0, 0.2), (1, 0.6)] {
            let group = (0..<n).filter { $0 % 2 == state }
            let rate = Double(group.filter { accepted[$0] }.count) / Double(group.count)
            let tolerance = 4 * (p * (1 - p) / Double(group.count)).squareRoot()
            #expect(abs(rate - p) < tolerance, "state \(state): \(rate), expected \(p) ± \(tolerance)")
        }
        // A state off the list, or a user not signed up (no state), never converts.
        #expect(try Self.accepted(spec, users: 500) { _ in 2 }.allSatisfy { !$0 })
        #expect(try Self.accepted(spec, users: 500) { _ in TruthRecord.notSignedUp }.allSatisfy { !$0 })
    }

    /// The number form draws exactly as before: a mapping giving every state that number accepts the same users.
    @Test("the number form and a mapping of the same number to every state accept the same users")
    func numberFormUnchanged() throws {
        var number = InterventionTests.spec()
        number.policies[0].upgradeProbability = 0.35
        var mapping = InterventionTests.spec()
        mapping.policies[0].upgradeByState = [0.35, 0.35, 0.35]
        let a = try Self.accepted(number, users: 2_000) { UInt8($0 % 2) }
        let b = try Self.accepted(mapping, users: 2_000) { UInt8($0 % 2) }
        #expect(a == b)
        #expect(a.contains(true) && a.contains(false))
    }

    /// The simulator tells the policy engine the state of the day just simulated: the truth of that day.
    @Test("the simulator hands the response model the state of the day of the send")
    func simulatorWiring() throws {
        var spec = TestModels.small(users: 400, days: 20)
        spec.interventions = InterventionTests.spec()
        let simulator = try Simulator(spec: spec, threads: 2)
        final class Check: DayObserver {
            let simulator: Simulator
            var checked = 0
            init(_ simulator: Simulator) { self.simulator = simulator }
            func dayDidEnd(_ usage: UsageDay) {
                let state = simulator.treatment!.latentState!
                for u in 0..<simulator.directory.userCount {
                    let truth =
                        simulator.truth.state(user: u, day: usage.day).map(UInt8.init) ?? TruthRecord.notSignedUp
                    #expect(state(u, usage.day) == truth)
                    checked += 1
                }
            }
        }
        let check = Check(simulator)
        _ = try simulator.run(observers: [check])
        #expect(check.checked == 400 * 20)
    }
}
