import Foundation
import Simulation
import Stats
import Testing
import UsageModel

/// Sums of observed usage by (persona, true state), gathered after each simulated day.
private final class EmissionTally: DayObserver {
    let truth: TruthRecord
    let persona: Column<UInt8>
    let stateCount: Int
    let featureCount: Int
    var userDays: [Int]
    var sessions: [Int]
    var activeDays: [Int]
    var sessionsOnActiveDays: [Int]
    var keyActions: [Int]
    var featureDays: [Int]
    var sessionsAfterChurn = 0

    init(simulator: Simulator) {
        truth = simulator.truth
        persona = simulator.layout.persona
        stateCount = simulator.spec.model.states.count
        featureCount = simulator.spec.model.features.count
        let cells = simulator.spec.model.personas.count * stateCount
        userDays = Array(repeating: 0, count: cells)
        sessions = userDays
        activeDays = userDays
        sessionsOnActiveDays = userDays
        keyActions = userDays
        featureDays = Array(repeating: 0, count: cells * featureCount)
    }

    func dayDidEnd(_ usage: UsageDay) {
        for u in 0..<truth.users where usage.signedUp[u] {
            guard let s = truth.state(user: u, day: usage.day) else { continue }
            let n = Int(usage.sessions[u])
            if s == truth.churnedState {
                sessionsAfterChurn += n
                continue
            }
            let cell = Int(persona[u]) * stateCount + s
            userDays[cell] += 1
            sessions[cell] += n
            if n > 0 {
                activeDays[cell] += 1
                sessionsOnActiveDays[cell] += n
                keyActions[cell] += Int(usage.keyActions[u])
                for f in 0..<featureCount where usage.features[u] & (1 << UInt32(f)) != 0 {
                    featureDays[cell * featureCount + f] += 1
                }
            }
        }
    }
}

@Suite("Simulator recovers its configured parameters")
struct SimulatorTests {
    @Test("persona shares are apportioned exactly and team sizes follow their distribution")
    func personaShares() throws {
        let spec = TestModels.small(users: 50_001)
        let layout = try PopulationLayout(spec: spec)
        var counts = [0, 0]
        layout.persona.withUnsafeBufferPointer { for p in $0 { counts[Int(p)] += 1 } }
        // Largest remainder: each persona within one user of share × users, total exact.
        #expect(abs(Double(counts[0]) - 0.3 * 50_001) < 1)
        #expect(abs(Double(counts[1]) - 0.7 * 50_001) < 1)
        #expect(counts.reduce(0, +) == 50_001)

        // Team persona: 1 + Poisson(4) capped at 40, so mean size ≈ 5 (the cap removes ~1e-20 of mass).
        // The last account of the persona is truncated; ignore it. Var of the mean = 4 / accounts.
        let teamAccounts = layout.accountPersona.filter { $0 == 1 }.count
        let meanSize = Double(counts[1]) / Double(teamAccounts)
        #expect(abs(meanSize - 5) < 4.5 * (4.0 / Double(teamAccounts)).squareRoot() + 1.0 / Double(teamAccounts))
        // Solo accounts have exactly one user each.
        #expect(layout.accountPersona.filter { $0 == 0 }.count == counts[0])
        // Users of an account are contiguous and share its persona.
        let account = layout.directory.account
        for u in 1..<spec.users where account[u] != account[u - 1] {
            #expect(account[u] == account[u - 1] + 1)
        }
    }

    @Test("daily transitions counted from the truth match each persona's matrix (chi-square)")
    func transitionFrequencies() throws {
        let spec = TestModels.small(users: 20_000, days: 60)
        let simulator = try Simulator(spec: spec, threads: 2)
        _ = try simulator.run()
        let truth = simulator.truth
        let S = spec.model.states.count
        var counts = [Int](repeating: 0, count: spec.model.personas.count * S * S)
        for day in 0..<(spec.days - 1) {
            for u in 0..<spec.users {
                guard let s = truth.state(user: u, day: day), let t = truth.state(user: u, day: day + 1) else {
                    continue
                }
                counts[(Int(simulator.layout.persona[u]) * S + s) * S + t] += 1
            }
        }
        for (p, persona) in spec.model.personas.enumerated() {
            for s in 0..<S where s != spec.model.churnedState {
                let row = persona.states[s].next
                let observed = (0..<S).map { counts[(p * S + s) * S + $0] }
                // Fixed seed, so deterministic; a correct simulator fails a row with probability 1e-4.
                let test = try GoodnessOfFit.chiSquare(observed: observed, expectedProbabilities: row)
                #expect(test.pValue > 1e-4, "persona \(persona.name) state \(s): \(observed) vs \(row)")
            }
        }
        // Churned is absorbing: no user ever leaves it.
        for p in 0..<spec.model.personas.count {
            let c = spec.model.churnedState
            for t in 0..<S where t != c { #expect(counts[(p * S + c) * S + t] == 0) }
            #expect(counts[(p * S + c) * S + c] > 0)
        }
    }

    @Test("sessions, key actions and feature use match the emission parameters of each state")
    func emissionMeans() throws {
        let spec = TestModels.small(users: 20_000, days: 40)
        let simulator = try Simulator(spec: spec, threads: 2)
        let tally = EmissionTally(simulator: simulator)
        _ = try simulator.run(observers: [tally])
        #expect(tally.sessionsAfterChurn == 0)
        let S = spec.model.states.count
        let F = spec.model.features.count
        for (p, persona) in spec.model.personas.enumerated() {
            for s in 0..<S where s != spec.model.churnedState {
                let cell = p * S + s
                let behaviour = persona.states[s]
                let n = Double(tally.userDays[cell])
                #expect(n > 10_000)
                // Sessions a day: mean m; variance m (Poisson) or m + m²/k (negative binomial).
                let m = behaviour.sessions.mean
                let variance: Double
                switch behaviour.sessions {
                case .poisson: variance = m
                case .negativeBinomial(_, let k): variance = m + m * m / k
                }
                let mean = Double(tally.sessions[cell]) / n
                #expect(
                    abs(mean - m) < 4.5 * (variance / n).squareRoot(), "sessions \(persona.name)/\(s): \(mean) vs \(m)")

                // Key actions given sessions are Poisson(sessions × rate): the total over Σ sessions
                // has variance rate × Σ sessions.
                let totalSessions = Double(tally.sessionsOnActiveDays[cell])
                let rate = Double(tally.keyActions[cell]) / totalSessions
                let kaps = behaviour.keyActionsPerSession
                #expect(abs(rate - kaps) < 4.5 * (kaps / totalSessions).squareRoot(), "key actions \(rate) vs \(kaps)")

                // Feature use on active days is Bernoulli(p).
                let active = Double(tally.activeDays[cell])
                for f in 0..<F {
                    let q = behaviour.featureUse[f]
                    let share = Double(tally.featureDays[cell * F + f]) / active
                    let bound = q == 0 ? 0 : 4.5 * (q * (1 - q) / active).squareRoot()
                    #expect(abs(share - q) <= bound, "feature \(f) of \(persona.name)/\(s): \(share) vs \(q)")
                }
            }
        }
    }

    @Test("churned users never come back and no one acts before signing up")
    func churnIsFinal() throws {
        let spec = TestModels.small(users: 5_000, days: 90, signupDays: 30)
        let simulator = try Simulator(spec: spec, threads: 1)
        let tally = EmissionTally(simulator: simulator)
        let metrics = try simulator.run(observers: [tally])
        #expect(tally.sessionsAfterChurn == 0)
        let truth = simulator.truth
        var churnedUsers = 0
        for u in 0..<spec.users {
            let signup = Int(simulator.directory.signupDay[u])
            var churned = false
            for day in 0..<spec.days {
                let s = truth.state(user: u, day: day)
                #expect((s == nil) == (day < signup))
                if churned { #expect(s == truth.churnedState) }
                if s == truth.churnedState { churned = true }
            }
            if churned { churnedUsers += 1 }
        }
        // Churn events counted per day equal users who reached the churned state (last day's churns
        // happen at its end, so they are not yet in the truth of a day).
        let lastDayChurns = metrics.last!.churned
        #expect(metrics.reduce(0) { $0 + $1.churned } == churnedUsers + lastDayChurns)
        #expect(churnedUsers > 0)
    }

    @Test("the truth's daily churn probability is the matrix entry when there is no habit")
    func churnProbabilityTruth() throws {
        let spec = TestModels.small(users: 200, days: 10)
        let simulator = try Simulator(spec: spec, threads: 1)
        _ = try simulator.run()
        for u in 0..<spec.users {
            let persona = spec.model.personas[Int(simulator.layout.persona[u])]
            for day in 0..<spec.days {
                guard let s = simulator.truth.state(user: u, day: day) else { continue }
                let expected = s == spec.model.churnedState ? 0 : persona.states[s].next[spec.model.churnedState]
                #expect(simulator.truth.dailyChurnProbability(user: u, day: day) == expected)
            }
        }
    }

    @Test("habit lowers declines for habitual users and raises them for idle ones")
    func habitModifier() throws {
        let spec = TestModels.small(users: 100, days: 5, habit: Habit(halfLifeDays: 7, strength: 0.5))
        let model = spec.model
        // Persona solo, state active: decline to idle 0.08 and churn 0.02.
        let top = model.transitionRow(persona: 0, state: 0, habitLevel: 15)
        let bottom = model.transitionRow(persona: 0, state: 0, habitLevel: 0)
        let factorTop = 1 - 0.5 * (2 * (15.5 / 16) - 1)
        let factorBottom = 1 - 0.5 * (2 * (0.5 / 16) - 1)
        #expect(abs(top[1] - 0.08 * factorTop) < 1e-15)
        #expect(abs(top[2] - 0.02 * factorTop) < 1e-15)
        #expect(abs(bottom[2] - 0.02 * factorBottom) < 1e-15)
        #expect(abs(top.reduce(0, +) - 1) < 1e-12)
        // State idle: moving up to active is not a decline and is left alone.
        #expect(model.transitionRow(persona: 0, state: 1, habitLevel: 0)[0] == 0.10)
    }

    @Test("trials convert by state, fall back to the free plan, and revenue counts paying users")
    func commerce() throws {
        let spec = TestModels.small(users: 20_000, days: 30, trialDays: 14)
        let simulator = try Simulator(spec: spec, threads: 2)
        let metrics = try simulator.run()
        let day14 = metrics[14]
        // Everyone signed up on day 0; the trial ends on day 14 for every user not churned by then.
        #expect(day14.conversions + day14.trialExpirations == metrics[13].trialUsers)
        #expect(metrics[13].payingUsers == 0)
        let converted = Double(day14.conversions)
        let alive = Double(day14.conversions + day14.trialExpirations)
        // Conversion is 0.6 in active and 0.1 in idle, so the overall rate lies strictly between.
        #expect(converted / alive > 0.1 && converted / alive < 0.6)
        // MRR is the sum of plan prices of paying users (team 15.00 or business 39.00).
        let m = metrics[20]
        #expect(m.mrrCents >= 1500 * m.payingUsers && m.mrrCents <= 3900 * m.payingUsers)
    }
}

@Suite("A truth record of chosen days")
struct TruthDaysTests {
    @Test("keeping some days gives the same truth on them and the same run as keeping all")
    func sameTruthOnKeptDays() throws {
        let spec = TestModels.small(users: 3_000, days: 40)
        let everything = try Simulator(spec: spec, threads: 2)
        let full = try everything.run()
        let kept: Set<Int> = [0, 6, 13, 20, 27, 39]
        let some = try Simulator(spec: spec, threads: 2, truthDays: .only(kept))
        let partial = try some.run()
        #expect(partial == full)
        for day in kept.sorted() {
            #expect(some.truth.keeps(day: day))
            for u in 0..<spec.users {
                #expect(some.truth.state(user: u, day: day) == everything.truth.state(user: u, day: day))
                #expect(some.truth.habitLevel(user: u, day: day) == everything.truth.habitLevel(user: u, day: day))
            }
        }
        #expect(!some.truth.keeps(day: 1))
        // Churn is known on every day, kept or not, and agrees with the state.
        var churnedUserDays = 0
        for day in 0..<spec.days {
            for u in 0..<spec.users {
                let churned = everything.truth.state(user: u, day: day) == everything.truth.churnedState
                #expect(some.truth.churned(user: u, by: day) == churned)
                if churned { churnedUserDays += 1 }
            }
        }
        #expect(churnedUserDays > 1_000)
        // Six kept rows and one scratch row instead of forty, and a churn day per user.
        #expect(TruthRecord.bytes(users: 3_000, days: 40, keeping: .only(kept)) == 2 * 3_000 * 7 + 4 * 3_000)
        #expect(TruthRecord.bytes(users: 3_000, days: 40, keeping: .all) == 2 * 3_000 * 40 + 4 * 3_000)
    }
}
