import Foundation
import Testing
import UsageModel

@testable import Simulation

/// Gives a campaign effect to some users on a chosen day, after that day's step, as a send of the
/// policy engine would: the effect starts the next day.
private final class EffectGiver: DayObserver {
    let treatment: TreatmentState
    let day: Int
    let users: (Int) -> Bool
    let effectDays: Int32

    init(treatment: TreatmentState, day: Int, effectDays: Int, users: @escaping (Int) -> Bool) {
        self.treatment = treatment
        self.day = day
        self.effectDays = Int32(effectDays)
        self.users = users
    }

    func dayDidEnd(_ usage: UsageDay) {
        guard usage.day == day else { return }
        let today = Int32(day)
        for u in 0..<treatment.users where users(u) {
            treatment.effectStart[u] = today + 1
            treatment.effectScale[u] = 1
            treatment.effectUntil[u] = max(treatment.effectUntil[u], today + effectDays)
        }
    }
}

@Suite("The oracle: each user's horizon simulated forward from the cutoff")
struct ChurnForecastTests {
    static let cutoff = 30
    static let horizon = 14

    /// Runs `spec` with the oracle at ``cutoff`` and returns the simulator.
    static func run(
        _ spec: SimulationSpec, threads: Int = 2, replicas: Int = ChurnForecastPlan.defaultReplicas,
        block: Range<Int>? = nil, observers: (Simulator) -> [any DayObserver] = { _ in [] }
    ) throws -> Simulator {
        let simulator = try Simulator(spec: spec, threads: threads, truthDays: .only([cutoff]), block: block)
        simulator.forecastPlan = ChurnForecastPlan(days: [cutoff], horizon: horizon, replicas: replicas)
        _ = try simulator.run(observers: observers(simulator))
        return simulator
    }

    /// Without habit, campaigns, trials or product changes, a user's probability of being churned 14
    /// days after the cutoff is the churned entry of their state's row of P¹⁴.
    ///
    /// Reference values: `numpy.linalg.matrix_power(P, 14)[s, 2]` (NumPy 2.4) for the two personas'
    /// matrices of ``TestModels/small``, solo [[.90,.08,.02],[.10,.85,.05],[0,0,1]] and team
    /// [[.95,.04,.01],[.15,.82,.03],[0,0,1]]; the test also multiplies the matrices out itself.
    @Test("without habit or campaigns the forecast is the matrix power's churned entry")
    func matrixPower() throws {
        let numpy: [[Double]] = [
            [0.32769526997784487, 0.424766078464646],  // solo: from active, from idle
            [0.16259464468132395, 0.2406399535664649],  // team
        ]
        let spec = TestModels.small(users: 4_000, days: 50)
        for p in 0..<2 {
            let rows = (0..<3).map { spec.model.personas[p].states[$0].next }
            for s in 0..<2 {
                var v = [0.0, 0, 0]
                v[s] = 1
                for _ in 0..<Self.horizon { v = (0..<3).map { j in (0..<3).reduce(0) { $0 + v[$1] * rows[$1][j] } } }
                #expect(abs(v[2] - numpy[p][s]) < 1e-12)
            }
        }

        let simulator = try Self.run(spec)
        let forecast = try #require(simulator.forecast(day: Self.cutoff))
        let R = Double(forecast.replicas)
        let truth = simulator.truth
        // Per (persona, state): users, sum of forecasts, and of squared deviations from the exact value.
        var n = [[Int]](repeating: [0, 0], count: 2)
        var sum = [[Double]](repeating: [0, 0], count: 2)
        var squaredDeviation = 0.0
        var squaredError = 0.0
        var fourthPowers = 0.0
        var binomialVariance = 0.0
        for u in 0..<truth.users {
            guard let s = truth.state(user: u, day: Self.cutoff), s != truth.churnedState else {
                #expect(forecast.probability[u].isNaN)
                continue
            }
            let p = truth.persona(user: u)
            let exact = numpy[p][s]
            let x = forecast.probability[u]
            let se = forecast.standardError[u]
            // Each user: within 5 binomial standard errors, which bound the conditional estimator's.
            #expect(abs(x - exact) <= 5 * (exact * (1 - exact) / R).squareRoot(), "user \(u): \(x) vs \(exact)")
            n[p][s] += 1
            sum[p][s] += x
            squaredDeviation += (x - exact) * (x - exact)
            squaredError += se * se
            fourthPowers += se * se * se * se
            binomialVariance += exact * (1 - exact) / R
        }
        for p in 0..<2 {
            for s in 0..<2 {
                let users = Double(n[p][s])
                #expect(users >= 100, "persona \(p), state \(s): \(n[p][s]) users")
                let exact = numpy[p][s]
                // Users' replicas are independent: the mean's error is at most the binomial one over R·n draws.
                let tolerance = 4 * (exact * (1 - exact) / (R * users)).squareRoot()
                #expect(abs(sum[p][s] / users - exact) < tolerance, "persona \(p), state \(s)")
            }
        }
        // The reported standard errors are honest: the squared deviations from the exact values add up
        // to the sum of the squared standard errors, within 5 of that sum's standard deviation
        // (√(2 Σ se⁴) for normal errors).
        #expect(abs(squaredDeviation - squaredError) < 5 * (2 * fourthPowers).squareRoot())
        // And conditioning on survival beats counting churned replicas: the variance is below the binomial one.
        #expect(squaredError < binomialVariance)
    }

    /// With habit, weekday factors, a product change and trials that churn unconverted users, the
    /// forecast of each scored user is their true churn probability, so its mean over the scored users
    /// matches the share of them that churned: the labels are independent Bernoulli draws given the
    /// cutoff, so the difference has standard deviation √(Σ p(1 − p) + Σ se²) / n.
    @Test("with habit, seasonality and trials the mean forecast matches the churn observed")
    func calibratedWithHabit() throws {
        let simulator = try Self.run(Self.richSpec(users: 20_000))
        let (mean, observed, sd, users) = try Self.calibration(simulator) { _ in true }
        #expect(users > 5_000)
        #expect(abs(mean - observed) < 4 * sd, "forecast \(mean), observed \(observed), sd \(sd)")

        // The test can tell: the matrix power at the cutoff's habit level (habit held fixed, no trial end) misses.
        let model = simulator.spec.model
        let truth = simulator.truth
        var fixedHabit = 0.0
        for u in 0..<truth.users {
            guard let s = truth.state(user: u, day: Self.cutoff), s != truth.churnedState else { continue }
            let rows = (0..<3).map {
                model.transitionRow(
                    persona: truth.persona(user: u), state: $0,
                    habitLevel: truth.habitLevel(user: u, day: Self.cutoff))
            }
            var v = [0.0, 0, 0]
            v[s] = 1
            for _ in 0..<Self.horizon { v = (0..<3).map { j in (0..<3).reduce(0) { $0 + v[$1] * rows[$1][j] } } }
            fixedHabit += v[2]
        }
        #expect(abs(fixedHabit / Double(users) - observed) > 4 * sd, "fixed habit \(fixedHabit / Double(users))")
    }

    /// Campaign effects given before the cutoff, and others given by a send on the cutoff day (from the
    /// next day on), shape the forecast as they shape the run.
    @Test("campaign effects already given are part of the forecast")
    func calibratedWithCampaignEffects() throws {
        // Trials fall back to the free plan here, so churn comes from transitions, which effects change.
        var spec = Self.richSpec(users: 12_000, fallbackPlan: 0)
        // One policy: active users slip to idle less, idle ones churn much less, for 20 days.
        let policy = Policy(
            name: "save", trigger: .entersSegment(0), channel: .email, costCents: 0,
            effects: [
                TransitionEffect(from: 0, to: 1, relativeChange: -0.5),
                TransitionEffect(from: 1, to: 2, relativeChange: -0.8),
            ], effectDays: 20, cooldownDays: 0, reentry: .every)
        spec.interventions = InterventionSpec(
            policies: [policy], arms: [Arm(name: "all", weight: 1, policies: [0], isControl: false)])
        func givers(onCutoffDay: Bool) -> (Simulator) -> [any DayObserver] {
            { simulator in
                let treatment = simulator.treatment!
                // A third of the users before the cutoff, a third on the cutoff day (acting from the next day).
                return [EffectGiver(treatment: treatment, day: 22, effectDays: 20) { $0 % 3 == 0 }]
                    + (onCutoffDay
                        ? [EffectGiver(treatment: treatment, day: Self.cutoff, effectDays: 20) { $0 % 3 == 1 }] : [])
            }
        }
        // 20 replicas: the tolerance is dominated by the binomial noise of who churned, and the Monte Carlo
        // error of the forecasts is in it (the standard errors enter `sd`), so fewer replicas keep the check
        // as sharp at a fifth of the time.
        let simulator = try Self.run(spec, replicas: 20, observers: givers(onCutoffDay: true))
        for group in 0..<3 {
            let (mean, observed, sd, users) = try Self.calibration(simulator) { $0 % 3 == group }
            #expect(users > 1_000)
            #expect(abs(mean - observed) < 4 * sd, "group \(group): forecast \(mean), observed \(observed), sd \(sd)")
        }
        // The test can tell: without the cutoff day's effect the second third's forecast (same users, same
        // states on the cutoff day) moves by more than the tolerance above.
        let without = try Self.run(spec, replicas: 20, observers: givers(onCutoffDay: false))
        let (ignoring, _, _, _) = try Self.calibration(without) { $0 % 3 == 1 }
        let (forecast, _, sd, _) = try Self.calibration(simulator) { $0 % 3 == 1 }
        #expect(abs(ignoring - forecast) > 4 * sd, "forecast without the effect \(ignoring), with it \(forecast)")
    }

    @Test("the same probabilities on 1 and 3 threads and when the population is run in two blocks")
    func deterministic() throws {
        let spec = Self.richSpec(users: 3_000)
        let one = try #require(try Self.run(spec, threads: 1, replicas: 50).forecast(day: Self.cutoff))
        let three = try #require(try Self.run(spec, threads: 3, replicas: 50).forecast(day: Self.cutoff))
        func bits(_ x: [Double]) -> [UInt64] { x.map(\.bitPattern) }
        #expect(bits(one.probability) == bits(three.probability))
        #expect(bits(one.standardError) == bits(three.standardError))
        #expect(one.probability.contains { !$0.isNaN })

        let blocks = try PopulationLayout(spec: spec).blocks(parts: 2)
        #expect(blocks.allSatisfy { !$0.isEmpty })
        var joined: [Double] = []
        var joinedErrors: [Double] = []
        for block in blocks {
            let part = try #require(
                try Self.run(spec, threads: 2, replicas: 50, block: block).forecast(day: Self.cutoff))
            joined += part.probability
            joinedErrors += part.standardError
        }
        #expect(bits(joined) == bits(one.probability))
        #expect(bits(joinedErrors) == bits(one.standardError))
    }

    /// ``TestModels/small`` with habit, uneven weekdays, a product change inside the horizon, sign-ups
    /// over 40 days and 14-day trials that churn the users who do not convert (unless there is a fallback plan).
    static func richSpec(users: Int, fallbackPlan: Int? = nil) -> SimulationSpec {
        var spec = TestModels.small(
            users: users, days: 50, signupDays: 40, habit: Habit(halfLifeDays: 7, strength: 0.6), trialDays: 14,
            fallbackPlan: fallbackPlan)
        spec.model.weekdayFactors = [1.3, 1.3, 1.2, 1.1, 1.0, 0.6, 0.5]
        spec.model.productChanges = [
            ProductChange(day: 36, sessionFactor: 0.5, keyActionFactor: 1, featureFactors: [1, 1])
        ]
        return spec
    }

    /// Over the scored users `include` keeps: the mean forecast, the share churned by the horizon, the
    /// standard deviation of their difference, and the number of users.
    static func calibration(_ simulator: Simulator, include: (Int) -> Bool) throws -> (
        Double, Double, Double, Int
    ) {
        let forecast = try #require(simulator.forecast(day: cutoff))
        let truth = simulator.truth
        var (n, sum, churned, variance) = (0, 0.0, 0, 0.0)
        for u in 0..<truth.users where include(u) {
            guard let s = truth.state(user: u, day: cutoff), s != truth.churnedState else { continue }
            let p = forecast.probability[u]
            n += 1
            sum += p
            variance += p * (1 - p) + forecast.standardError[u] * forecast.standardError[u]
            if truth.churned(user: u, by: cutoff + horizon) { churned += 1 }
        }
        let users = Double(n)
        return (sum / users, Double(churned) / users, variance.squareRoot() / users, n)
    }
}
