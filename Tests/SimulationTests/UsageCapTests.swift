import Foundation
import Testing
import UsageModel

@testable import Simulation

/// Every user-day of a run: usage and what the plan's limits did, by `day · users + user`.
private final class DayRecorder: DayObserver {
    let users: Int
    var sessions: [UInt16] = []
    var keys: [UInt16] = []
    var features: [UInt32] = []
    var milestones: [UInt16] = []
    var limits: [UInt8] = []
    var capped: [UInt32] = []
    var premium: [UInt32] = []
    var plan: [UInt8] = []

    init(users: Int) { self.users = users }

    func dayDidEnd(_ usage: UsageDay) {
        for u in 0..<users {
            sessions.append(usage.sessions[u])
            keys.append(usage.keyActions[u])
            features.append(usage.features[u])
            milestones.append(usage.milestones[u])
            limits.append(usage.limits[u])
            capped.append(usage.cappedFeatures[u])
            premium.append(usage.premiumAttempts[u])
            plan.append(usage.plan[u])
        }
    }
}

/// One persona that never leaves its single live state, on plan 0 (`limited`) or plan 1 (no limits).
enum CapModels {
    static let features = ["reports", "automations"]
    static let useRates = [0.6, 0.3]

    static func spec(
        limited: Plan, onLimitedPlan: Bool = true, start: CivilDate = CivilDate(year: 2026, month: 1, day: 5)!,
        days: Int = 28, users: Int = 3_000, sessionMean: Double = 1.0, keyActionsPerSession: Double = 2.0,
        trialDays: Int = 0
    ) -> SimulationSpec {
        let states = [LatentState(name: "active", level: 1), LatentState(name: "churned", level: 0)]
        let active = StateBehaviour(
            next: [1, 0], sessions: .poisson(mean: sessionMean), keyActionsPerSession: keyActionsPerSession,
            featureUse: useRates, milestoneHazard: [0.2], npsAnswerProbability: 0,
            npsScoreWeights: [Double](repeating: 1.0 / 11, count: 11))
        let churned = StateBehaviour(
            next: [0, 1], sessions: .poisson(mean: 0), keyActionsPerSession: 0, featureUse: [0, 0],
            milestoneHazard: [0], npsAnswerProbability: 0, npsScoreWeights: [Double](repeating: 1.0 / 11, count: 11))
        let persona = Persona(
            name: "solo", share: 1, plan: onLimitedPlan ? 0 : 1, trialDays: trialDays, teamSize: .fixed(1),
            initialStates: [1, 0], states: [active, churned])
        // A trial that does not convert falls back to the persona's own plan, so the plan never changes.
        let commerce = Commerce(
            currency: "USD", plans: [limited, Plan(name: "pro", monthlyPriceCents: 2000)],
            fallbackPlan: onLimitedPlan ? 0 : 1, conversion: [0, 0], planChanges: [])
        let model = BehaviourModel(
            states: states, churnedState: 1, features: features, milestones: [Milestone(name: "setup", requires: [])],
            activationMilestones: [0], personas: [persona], habit: nil,
            weekdayFactors: [Double](repeating: 1, count: 7), productChanges: [], commerce: commerce)
        return SimulationSpec(
            seed: 11, startDate: start, days: days, users: users, signupDays: 1, model: model, dataQuality: .none)
    }

    fileprivate static func record(_ spec: SimulationSpec, threads: Int = 2) throws -> DayRecorder {
        let recorder = DayRecorder(users: spec.users)
        _ = try Simulator(spec: spec, threads: threads).run(observers: [recorder])
        return recorder
    }

    /// The probabilities of 0 … `limit` − 1 key actions in a day (sessions Poisson(`sessions`), key actions
    /// Poisson(`perSession` × sessions)), summed over the sessions of the mixture.
    static func dailyKeyActions(sessions m: Double, perSession k: Double, limit: Int) -> [Double] {
        var pmf = [Double](repeating: 0, count: limit)
        for n in 0..<80 {
            let pn = exp(-m + Double(n) * log(m) - lgamma(Double(n) + 1))
            let mean = k * Double(n)
            for j in 0..<limit {
                let pj =
                    n == 0 ? (j == 0 ? 1.0 : 0) : exp(-mean + Double(j) * log(mean) - lgamma(Double(j) + 1))
                pmf[j] += pn * pj
            }
        }
        return pmf
    }

    /// The distribution of a week's key actions: seven days convolved, cut at `limit` values.
    static func weeklyKeyActions(sessions m: Double, perSession k: Double, limit: Int) -> [Double] {
        let day = dailyKeyActions(sessions: m, perSession: k, limit: limit)
        var week = [Double](repeating: 0, count: limit)
        week[0] = 1
        for _ in 0..<7 {
            var next = [Double](repeating: 0, count: limit)
            for a in 0..<limit where week[a] > 0 {
                for b in 0..<(limit - a) { next[a + b] += week[a] * day[b] }
            }
            week = next
        }
        return week
    }
}

@Suite("Usage caps and premium attempts")
struct UsageCapTests {
    /// Kept key actions of a user-week are min(W, 10), W the week's drawn key actions, whose law is the
    /// Poisson mixture of seven days (sessions Poisson(1), key actions Poisson(2 per session)): its mean and
    /// standard deviation are computed from that law, and 3000 users × 4 calendar weeks are compared with a
    /// tolerance of four standard errors.
    @Test("a cap of 10 key actions a week keeps E[min(W, 10)] of the week's Poisson-mixture draws")
    func keyActionCapMean() throws {
        let spec = CapModels.spec(limited: Plan(name: "free", monthlyPriceCents: 0, keyActionsPerWeek: 10))
        let run = try CapModels.record(spec)
        let week = CapModels.weeklyKeyActions(sessions: 1, perSession: 2, limit: 400)
        #expect(abs(week.reduce(0, +) - 1) < 1e-9)
        var mean = 0.0
        var square = 0.0
        for (w, p) in week.enumerated() {
            let kept = Double(min(w, 10))
            mean += p * kept
            square += p * kept * kept
        }
        let sd = (square - mean * mean).squareRoot()
        let n = spec.users
        var total = 0.0
        var weeks = 0
        for u in 0..<n {
            for w in 0..<4 {
                let kept = (0..<7).reduce(0) { $0 + Int(run.keys[(7 * w + $1) * n + u]) }
                #expect(kept <= 10)
                total += Double(kept)
                weeks += 1
            }
        }
        let observed = total / Double(weeks)
        let tolerance = 4 * sd / Double(weeks).squareRoot()
        #expect(abs(observed - mean) < tolerance, "observed \(observed), expected \(mean) ± \(tolerance)")
        // Most weeks of a mean of 14 key actions reach the cap.
        #expect(mean > 8.5 && mean < 10)
    }

    /// The same users and streams on a plan without limits draw what the limited run drew: cut by hand in
    /// calendar weeks (the run starts on a Thursday, so its first week has four days), the unlimited run
    /// must give the limited one exactly, during a trial of the limited plan too.
    @Test(
        "a limited run is the unlimited run cut by hand, in calendar weeks, trial or not",
        arguments: [0, 10])
    func exactCut(trialDays: Int) throws {
        let limited = Plan(
            name: "free", monthlyPriceCents: 0, keyActionsPerWeek: 10, featureDaysPerWeek: [2, 0], lacking: 0b10)
        let thursday = CivilDate(year: 2026, month: 1, day: 8)!
        #expect(thursday.weekday == 3)
        let spec = CapModels.spec(limited: limited, start: thursday, days: 31, users: 600, trialDays: trialDays)
        var free = spec
        free.model.commerce.plans[0] = Plan(name: "free", monthlyPriceCents: 0)
        let capped = try CapModels.record(spec)
        let plain = try CapModels.record(free, threads: 1)
        let n = spec.users
        var cutDays = 0
        var heldDays = 0
        var attempts = 0
        for u in 0..<n {
            var weekKeys = 0
            var weekReports = 0
            for d in 0..<spec.days {
                if thursday.adding(days: d).weekday == 0 {
                    weekKeys = 0
                    weekReports = 0
                }
                let i = d * n + u
                #expect(capped.sessions[i] == plain.sessions[i])
                #expect(capped.milestones[i] == plain.milestones[i])
                // Key actions: cut to what is left of the week's 10.
                let drawn = Int(plain.keys[i])
                let left = max(0, 10 - weekKeys)
                let kept = min(drawn, left)
                weekKeys += kept
                #expect(Int(capped.keys[i]) == kept)
                let keyCut = drawn > left
                // Reports: at most two days a week; automations: never, each would-be use an attempt.
                var features = plain.features[i]
                var held: UInt32 = 0
                if features & 0b01 != 0 {
                    if weekReports >= 2 {
                        features &= ~0b01
                        held = 0b01
                    } else {
                        weekReports += 1
                    }
                }
                let tried = features & 0b10
                features &= ~0b10
                #expect(capped.features[i] == features)
                #expect(capped.capped[i] == held)
                #expect(capped.premium[i] == tried)
                let expected: UInt8 =
                    (keyCut || held != 0 ? UsageDay.Limit.capReached : 0)
                    | (keyCut ? UsageDay.Limit.keyActionsCapped : 0)
                #expect(capped.limits[i] == expected)
                if keyCut { cutDays += 1 }
                if held != 0 { heldDays += 1 }
                if tried != 0 { attempts += 1 }
            }
        }
        #expect(cutDays > 1_000 && heldDays > 500 && attempts > 2_000)
    }

    /// A lacked feature is never used; the days it would have been are premium attempts, at its use rate
    /// on days with a session (0.3), within four standard errors of a binomial proportion.
    @Test("a lacked feature is never used and is attempted at its use rate")
    func lackedFeature() throws {
        let spec = CapModels.spec(limited: Plan(name: "free", monthlyPriceCents: 0, lacking: 0b10), users: 2_000)
        let run = try CapModels.record(spec)
        var sessionDays = 0
        var attempts = 0
        for i in run.sessions.indices {
            #expect(run.features[i] & 0b10 == 0)
            #expect(run.premium[i] & ~0b10 == 0)
            #expect(run.limits[i] == 0)
            guard run.sessions[i] > 0 else {
                #expect(run.premium[i] == 0)
                continue
            }
            sessionDays += 1
            if run.premium[i] != 0 { attempts += 1 }
        }
        let p = CapModels.useRates[1]
        let rate = Double(attempts) / Double(sessionDays)
        let tolerance = 4 * (p * (1 - p) / Double(sessionDays)).squareRoot()
        #expect(abs(rate - p) < tolerance, "attempt rate \(rate), expected \(p) ± \(tolerance)")
    }

    /// A feature cap of two days a week: with use on a session day at 0.6 and P(session) = 1 − e^−1, the
    /// days of use in a full calendar week are min(B, 2) with B binomial(7, 0.6 × (1 − e^−1)).
    @Test("a feature cap of two days a week keeps E[min(B, 2)] days of use")
    func featureCapMean() throws {
        let spec = CapModels.spec(
            limited: Plan(name: "free", monthlyPriceCents: 0, featureDaysPerWeek: [2, 0]), users: 3_000)
        let run = try CapModels.record(spec)
        let q = 0.6 * (1 - exp(-1.0))
        var mean = 0.0
        var square = 0.0
        for b in 0...7 {
            let k = Double(b)
            let choose: Double = exp(lgamma(8.0) - lgamma(k + 1) - lgamma(8.0 - k))
            let p: Double = choose * pow(q, k) * pow(1 - q, 7 - k)
            let kept = Double(min(b, 2))
            mean += p * kept
            square += p * kept * kept
        }
        let sd = (square - mean * mean).squareRoot()
        let n = spec.users
        var total = 0
        var weeks = 0
        for u in 0..<n {
            for w in 0..<4 {
                let used = (0..<7).filter { run.features[(7 * w + $0) * n + u] & 0b01 != 0 }.count
                #expect(used <= 2)
                total += used
                weeks += 1
            }
        }
        let observed = Double(total) / Double(weeks)
        let tolerance = 4 * sd / Double(weeks).squareRoot()
        #expect(abs(observed - mean) < tolerance, "observed \(observed), expected \(mean) ± \(tolerance)")
    }

    /// Limits on a plan nobody is on change nothing: every column of every day is the same as without them.
    @Test("limits of a plan nobody is on leave every day as it was")
    func unusedLimitsChangeNothing() throws {
        let limited = Plan(
            name: "free", monthlyPriceCents: 0, keyActionsPerWeek: 3, featureDaysPerWeek: [1, 0], lacking: 0b10)
        let spec = CapModels.spec(limited: limited, onLimitedPlan: false, users: 500)
        var plain = spec
        plain.model.commerce.plans[0] = Plan(name: "free", monthlyPriceCents: 0)
        let a = try CapModels.record(spec)
        let b = try CapModels.record(plain, threads: 1)
        #expect(a.sessions == b.sessions && a.keys == b.keys && a.features == b.features)
        #expect(a.milestones == b.milestones && a.plan == b.plan)
        #expect(a.limits.allSatisfy { $0 == 0 } && a.premium.allSatisfy { $0 == 0 })
    }
}
