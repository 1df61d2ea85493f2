import Fitting
import Foundation
import Stats

/// Exact answers for tiny models by enumerating every persona and state path: the reference the forward–backward
/// and Viterbi code is checked against. Emission probabilities come from GSL's distributions, not from the
/// fitting code's tables.
struct BruteForce {
    let model: HiddenMarkovModel
    let observedDays: Int
    let activeDays: [ActiveDay]
    /// The user's account size class (read only by a model with account sizes).
    var accountSizeClass = 0
    /// The calendar day of the user's sign-up (read only by a model with releases).
    var signupDay = 0

    /// P(day t's observations | state s).
    func emission(day t: Int, state s: Int) throws -> Double {
        let active = activeDays.first { $0.day == t }
        guard s < model.liveStates else { return active == nil ? 1 : 0 }
        let emission = model.emissions[s]
        let sessions: any CountDistribution =
            emission.sessionDispersion.isFinite
            ? try NegativeBinomial.meanDispersion(mean: emission.sessionMean, dispersion: emission.sessionDispersion)
            : try Poisson(mean: emission.sessionMean)
        guard let active else { return sessions.pmf(0) }
        // Releases on or before the calendar day multiply key actions per session and feature probabilities.
        var keyFactor = 1.0
        var featureFactors = [Double](repeating: 1, count: model.featureCount)
        for release in model.releases where release.day <= signupDay + t {
            keyFactor *= release.keyActionFactor
            for f in featureFactors.indices { featureFactors[f] *= release.featureFactors[f] }
        }
        var p = sessions.pmf(active.sessions)
        p *= try Poisson(mean: Double(active.sessions) * emission.keyActionsPerSession * keyFactor)
            .pmf(active.keyActions)
        for (f, q) in emission.featureProbabilities.enumerated() {
            let scaled = q * featureFactors[f]
            p *= active.features & (1 << UInt32(f)) != 0 ? scaled : 1 - scaled
        }
        return p
    }

    /// The habit level after each day, as the simulator computes it (single precision, ½ on the sign-up morning,
    /// 16 levels); all 0 without habit feedback.
    var habitLevels: [Int] {
        guard let habit = model.habit else { return [Int](repeating: 0, count: observedDays) }
        let decay = Float(exp2(-1 / habit.halfLifeDays))
        var h: Float = 0.5
        return (0..<observedDays).map { t in
            let active: Float = activeDays.contains { $0.day == t } ? 1 : 0
            h = h * decay + (1 - decay) * active
            return min(15, Int(h * 16))
        }
    }

    /// P(state `to` tomorrow | state `from` today) at habit `level`: declines (to a live state of lower level, or to
    /// churned) times 1 − strength·(2h − 1) at the level's middle h, the stay taking the difference.
    func transition(persona k: Int, from: Int, to: Int, level: Int) -> Double {
        let persona = model.personas[k]
        guard let habit = model.habit, from < model.liveStates else { return persona.transition(from: from, to: to) }
        let factor = 1 - habit.strength * (2 * (Double(level) + 0.5) / 16 - 1)
        func declines(_ j: Int) -> Bool {
            j == model.liveStates || habit.stateLevels[j] < habit.stateLevels[from]
        }
        var moves = 0.0
        for j in 0..<model.stateCount where j != from {
            moves += persona.transition(from: from, to: j) * (declines(j) ? factor : 1)
        }
        precondition(moves <= 1, "the test models keep every row's moves at most 1")
        if to == from { return 1 - moves }
        return persona.transition(from: from, to: to) * (declines(to) ? factor : 1)
    }

    /// Every (persona, path) with its joint probability with the days.
    func paths() throws -> [(persona: Int, states: [Int], probability: Double)] {
        let n = model.stateCount
        let levels = habitLevels
        let e = try (0..<observedDays).map { t in try (0..<n).map { try emission(day: t, state: $0) } }
        var result: [(Int, [Int], Double)] = []
        var total = 1
        for _ in 0..<observedDays { total *= n }
        for (k, persona) in model.personas.enumerated() {
            for code in 0..<total {
                var states: [Int] = []
                var rest = code
                for _ in 0..<observedDays {
                    states.append(rest % n)
                    rest /= n
                }
                let prior = persona.share * (model.accountSizeClasses > 1 ? persona.accountSizes[accountSizeClass] : 1)
                var p = prior * (states[0] < model.liveStates ? persona.initial[states[0]] : 0) * e[0][states[0]]
                for t in 1..<observedDays {
                    let move = transition(persona: k, from: states[t - 1], to: states[t], level: levels[t - 1])
                    p *= move * e[t][states[t]]
                }
                result.append((k, states, p))
            }
        }
        return result
    }

    /// The likelihood, the persona posteriors, the state posteriors per day, the expected transitions per persona and
    /// habit level (at `((k · H + ℓ) · S + i) · (S + 1) + j`, live i), the expected first states per persona (at `k · S + i`) and the joint
    /// posterior of persona and state per day (`[k][t][s]`).
    func exact() throws -> (
        likelihood: Double, personas: [Double], states: [[Double]], transitions: [Double], firsts: [Double],
        personaStates: [[[Double]]]
    ) {
        let n = model.stateCount
        let live = model.liveStates
        let all = try paths()
        let likelihood = all.reduce(0) { $0 + $1.probability }
        var personas = [Double](repeating: 0, count: model.personas.count)
        var states = [[Double]](repeating: [Double](repeating: 0, count: n), count: observedDays)
        let levelCount = model.habit == nil ? 1 : 16
        let levels = habitLevels
        var transitions = [Double](repeating: 0, count: model.personas.count * levelCount * live * n)
        var firsts = [Double](repeating: 0, count: model.personas.count * live)
        var personaStates = [[[Double]]](repeating: states, count: model.personas.count)
        for (k, path, p) in all {
            let w = p / likelihood
            personas[k] += w
            for (t, s) in path.enumerated() {
                states[t][s] += w
                personaStates[k][t][s] += w
            }
            if path[0] < live { firsts[k * live + path[0]] += w }
            for t in 1..<observedDays where path[t - 1] < live {
                let block: Int = k * levelCount + levels[t - 1]
                let row: Int = block * live + path[t - 1]
                transitions[row * n + path[t]] += w
            }
        }
        return (likelihood, personas, states, transitions, firsts, personaStates)
    }
}

/// A small model with every kind of parameter, for the exact checks: two live states and churned, two personas,
/// two features; with `accountSizes`, three account size classes the personas differ in.
func tinyModel(family: SessionFamily, accountSizes: Bool = false) throws -> HiddenMarkovModel {
    let dispersion: (Double) -> Double = { family == .poisson ? .infinity : $0 }
    return try HiddenMarkovModel(
        personas: [
            PersonaChain(
                share: 0.65, initial: [0.3, 0.7],
                transitions: [0.80, 0.15, 0.05, 0.20, 0.70, 0.10, 0, 0, 1],
                accountSizes: accountSizes ? [0.7, 0.2, 0.1] : [1]),
            PersonaChain(
                share: 0.35, initial: [0.6, 0.4],
                transitions: [0.60, 0.10, 0.30, 0.35, 0.55, 0.10, 0, 0, 1],
                accountSizes: accountSizes ? [0.1, 0.3, 0.6] : [1]),
        ],
        emissions: [
            StateEmission(
                sessionMean: 0.6, sessionDispersion: dispersion(0.7), keyActionsPerSession: 0.8,
                featureProbabilities: [0.1, 0.3]),
            StateEmission(
                sessionMean: 2.5, sessionDispersion: dispersion(4), keyActionsPerSession: 2.2,
                featureProbabilities: [0.6, 0.2]),
        ], featureCount: 2, sessionFamily: family)
}

/// The tiny model with habit feedback of a one-day half-life (users of five days pass through several levels and
/// reach level 0 before their last day) and a strength that moves declines by up to ±56 %; state 1 is the higher
/// level, so 1 → 0 and every move to churned are declines.
func tinyHabitModel() throws -> HiddenMarkovModel {
    let model = try tinyModel(family: .negativeBinomial)
    return try HiddenMarkovModel(
        personas: model.personas, emissions: model.emissions, featureCount: model.featureCount,
        sessionFamily: model.sessionFamily, habit: HabitFeedback(halfLifeDays: 1, strength: 0.6, stateLevels: [1, 2]))
}

/// The tiny model with two releases: on calendar day 2 key actions × 1.3 and the features × 1.5 and × 0.6, on day 3
/// key actions × 0.8 and the first feature × 1.1 (users signing up on days 0 … 2 meet them on different days of
/// theirs).
func tinyReleaseModel() throws -> HiddenMarkovModel {
    try tinyModel(family: .negativeBinomial).replacing(releases: [
        ProductRelease(day: 2, keyActionFactor: 1.3, featureFactors: [1.5, 0.6]),
        ProductRelease(day: 3, keyActionFactor: 0.8, featureFactors: [1.1, 1]),
    ])
}

/// Users of five days with active days early, late, everywhere and nowhere, so both the day-by-day passes and the
/// silent runs after the last active day are exercised.
let tinyUsers: [(days: Int, active: [ActiveDay])] = [
    (
        5,
        [ActiveDay(day: 0, sessions: 1, keyActions: 0, features: 0b01), ActiveDay(day: 2, sessions: 3, keyActions: 7)]
    ),
    (5, [ActiveDay(day: 0, sessions: 2, keyActions: 3, features: 0b10)]),
    (5, []),
    (
        5,
        (0..<5).map { ActiveDay(day: $0, sessions: 1 + $0 % 3, keyActions: 2 * $0, features: UInt32($0 % 4)) }
    ),
    (
        4,
        [ActiveDay(day: 1, sessions: 4, keyActions: 9, features: 0b11), ActiveDay(day: 3, sessions: 1, keyActions: 1)]
    ),
    (1, [ActiveDay(day: 0, sessions: 5, keyActions: 12, features: 0b01)]),
]

func tinyData() throws -> UserDaySequences {
    var builder = try UserDaySequences.Builder(featureCount: 2)
    for user in tinyUsers {
        try builder.addUser(observedDays: user.days, activeDays: user.active)
    }
    return builder.build()
}
