import Foundation
import Testing

@testable import Fitting

/// Forward–backward, the E-step's statistics and Viterbi, against the enumeration of every persona and path of
/// tiny models (``BruteForce``).
@Suite("Exact inference on tiny models")
struct ExactInferenceTests {
    /// The tiny two-persona model in both session families (0, 1), a single-persona model with three live
    /// states (2), the tiny model with account sizes (3), with habit feedback (4) and with releases (5, its users
    /// signing up on calendar days 0, 1, 2, 0, …), and wide models (6 … 9) of 7, 8, 14 and 16 live states: with
    /// churned 8, 9, 15 and 17 states, which the forward and backward passes split into vectors of 8 and 16 states
    /// and the rest (8 + 0, 8 + 1, 8 + 7, 16 + 1).
    static func model(_ index: Int) throws -> HiddenMarkovModel {
        switch index {
        case 0: try tinyModel(family: .negativeBinomial)
        case 1: try tinyModel(family: .poisson)
        case 2: try threeStateModel()
        case 3: try tinyModel(family: .negativeBinomial, accountSizes: true)
        case 4: try tinyHabitModel()
        case 5: try tinyReleaseModel()
        case 6: try wideModel(liveStates: 7, personas: 2)
        case 7: try wideModel(liveStates: 8, personas: 2)
        case 8: try wideModel(liveStates: 14, personas: 1)
        default: try wideModel(liveStates: 16, personas: 1)
        }
    }

    static let models = 0..<10

    /// A model of `liveStates` live states and one or two personas whose every transition is possible, with weights that differ from row
    /// to row and from persona to persona; sessions rise with the state.
    static func wideModel(liveStates: Int, personas: Int) throws -> HiddenMarkovModel {
        let n = liveStates + 1
        let chains = (0..<personas).map { k in
            var transitions: [Double] = []
            for i in 0..<liveStates {
                let weights = (0..<n).map { j in j == liveStates ? 0.3 : 1 + Double((i * 7 + j * 3 + k * 5) % 6) }
                let total = weights.reduce(0, +)
                transitions += weights.map { $0 / total }
            }
            transitions += Array(repeating: 0, count: liveStates) + [1]
            let initial = (0..<liveStates).map { 1 + Double(($0 + k) % 3) }
            let initialTotal = initial.reduce(0, +)
            return PersonaChain(
                share: personas == 1 ? 1 : [0.6, 0.4][k],
                initial: initial.map { $0 / initialTotal }, transitions: transitions)
        }
        return try HiddenMarkovModel(
            personas: chains,
            emissions: (0..<liveStates).map { s in
                StateEmission(
                    sessionMean: 0.3 + 0.45 * Double(s), sessionDispersion: 2,
                    keyActionsPerSession: 0.5 + 0.2 * Double(s),
                    featureProbabilities: [0.05 + 0.05 * Double(s), 0.9 - 0.05 * Double(s)])
            }, featureCount: 2, sessionFamily: .negativeBinomial)
    }

    @Test("a model of more live states than the passes' vectors hold is refused, naming the limit")
    func tooManyLiveStates() throws {
        let error = #expect(throws: FittingError.self) { try Self.wideModel(liveStates: 17, personas: 1) }
        #expect(error?.code == .invalidModel)
        #expect(error?.message.contains("at most 16 live states") == true, "\(error?.message ?? "")")
        #expect(try Self.wideModel(liveStates: 16, personas: 1).liveStates == 16)
    }

    static func threeStateModel() throws -> HiddenMarkovModel {
        try HiddenMarkovModel(
            personas: [
                PersonaChain(
                    share: 1, initial: [0.2, 0.5, 0.3],
                    transitions: [
                        0.70, 0.15, 0.05, 0.10, 0.10, 0.75, 0.10, 0.05, 0.05, 0.20, 0.70, 0.05, 0, 0, 0, 1,
                    ])
            ],
            emissions: [0.4, 1.5, 4.0].enumerated().map { s, mean in
                StateEmission(
                    sessionMean: mean, keyActionsPerSession: 1 + Double(s),
                    featureProbabilities: [0.1 + 0.3 * Double(s)])
            }, featureCount: 1, sessionFamily: .poisson)
    }

    /// The tiny users; for models of more than 4 states, their first 4 days only (the enumeration of 17 states
    /// over 5 days would take 1.4 million paths per user).
    static func data(for model: HiddenMarkovModel) throws -> UserDaySequences {
        var builder = try UserDaySequences.Builder(featureCount: model.featureCount)
        let mask: UInt32 = model.featureCount == 2 ? 0b11 : 0b1
        let days = model.stateCount > 4 ? 4 : Int.max
        for (u, user) in tinyUsers.enumerated() {
            try builder.addUser(
                observedDays: min(user.days, days),
                activeDays: user.active.filter { $0.day < days }.map {
                    ActiveDay(
                        day: $0.day, sessions: $0.sessions, keyActions: $0.keyActions, features: $0.features & mask)
                }, accountSizeClass: model.accountSizeClasses > 1 ? u % 3 : 0,
                signupDay: model.releases.isEmpty ? 0 : u % 3)
        }
        return builder.build()
    }

    /// The enumeration of user `u` of `data` under `model`.
    static func bruteForce(_ model: HiddenMarkovModel, _ data: UserDaySequences, user u: Int) -> BruteForce {
        BruteForce(
            model: model, observedDays: data.observedDays(user: u), activeDays: data.activeDays(user: u),
            accountSizeClass: data.accountSizeClass(user: u), signupDay: data.signupDay(user: u))
    }

    static func close(_ a: Double, _ b: Double, within tolerance: Double = 1e-12) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test("likelihood, persona and state posteriors equal the enumeration's within 1e-12", arguments: models)
    func posteriors(modelIndex: Int) throws {
        let model = try Self.model(modelIndex)
        let data = try Self.data(for: model)
        let inference = try HMMInference(model: model, data: data)
        for u in 0..<data.userCount {
            let exact = try Self.bruteForce(model, data, user: u).exact()
            let posterior = inference.posterior(user: u)
            #expect(posterior.days == data.observedDays(user: u))
            #expect(Self.close(posterior.logLikelihood, log(exact.likelihood)), "user \(u)")
            for (k, p) in exact.personas.enumerated() {
                #expect(Self.close(posterior.personaProbabilities[k], p), "user \(u) persona \(k)")
            }
            for (t, day) in exact.states.enumerated() {
                for (s, p) in day.enumerated() {
                    #expect(Self.close(posterior.probability(day: t, state: s), p), "user \(u) day \(t) state \(s)")
                }
            }
            for (k, days) in exact.personaStates.enumerated() {
                for (t, day) in days.enumerated() {
                    for s in 0..<model.liveStates {
                        #expect(
                            Self.close(posterior.probability(persona: k, day: t, state: s), day[s]),
                            "user \(u) persona \(k) day \(t) state \(s)")
                    }
                }
            }
        }
    }

    @Test("the forward passes' log-likelihood is the E-step's and the enumeration's within 1e-12", arguments: models)
    func forwardLogLikelihood(modelIndex: Int) throws {
        let model = try Self.model(modelIndex)
        let data = try Self.data(for: model)
        let inference = try HMMInference(model: model, data: data)
        let eStep = inference.expectedStatistics(threads: 1).logLikelihood
        #expect(inference.logLikelihood(threads: 1) == eStep)
        var exact = 0.0
        for u in 0..<data.userCount {
            exact += log(try Self.bruteForce(model, data, user: u).exact().likelihood)
        }
        #expect(Self.close(eStep, exact))
    }

    @Test("every sufficient statistic of the E-step equals the enumeration's within 1e-12", arguments: models)
    func statistics(modelIndex: Int) throws {
        let model = try Self.model(modelIndex)
        let data = try Self.data(for: model)
        let inference = try HMMInference(model: model, data: data)
        let statistics = inference.expectedStatistics(threads: 1)
        let layout = statistics.layout
        var expected = [Double](repeating: 0, count: layout.count)
        let live = model.liveStates
        for u in 0..<data.userCount {
            let active = data.activeDays(user: u)
            let exact = try Self.bruteForce(model, data, user: u).exact()
            expected[layout.logLikelihood] += log(exact.likelihood)
            for (k, p) in exact.personas.enumerated() {
                expected[layout.personaWeight + k] += p
                if model.accountSizeClasses > 1 {
                    expected[layout.accountSizes + k * model.accountSizeClasses + data.accountSizeClass(user: u)] += p
                }
            }
            for (i, value) in exact.firsts.enumerated() { expected[layout.initial + i] += value }
            for (i, value) in exact.transitions.enumerated() { expected[layout.transitions + i] += value }
            for (t, day) in exact.states.enumerated() {
                for s in 0..<live {
                    guard let today = active.first(where: { $0.day == t }) else {
                        expected[layout.silentDays + s] += day[s]
                        continue
                    }
                    expected[layout.activeDays + s] += day[s]
                    expected[layout.sessions + s] += day[s] * Double(today.sessions)
                    expected[layout.keyActions + s] += day[s] * Double(today.keyActions)
                    let level = data.sessionValues.firstIndex(of: today.sessions)!
                    expected[layout.sessionHistogram + s * layout.levels + level] += day[s]
                    for f in 0..<model.featureCount where today.features & (1 << UInt32(f)) != 0 {
                        expected[layout.featureDays + s * model.featureCount + f] += day[s]
                    }
                    if layout.periodCells > 0 {
                        let cell = model.period(ofCalendarDay: data.signupDay(user: u) + t) * live + s
                        expected[layout.periodActiveDays + cell] += day[s]
                        expected[layout.periodSessions + cell] += day[s] * Double(today.sessions)
                        expected[layout.periodKeyActions + cell] += day[s] * Double(today.keyActions)
                        for f in 0..<model.featureCount where today.features & (1 << UInt32(f)) != 0 {
                            expected[layout.periodFeatureDays + cell * model.featureCount + f] += day[s]
                        }
                    }
                }
            }
        }
        for i in 0..<layout.count {
            #expect(Self.close(statistics.values[i], expected[i]), "statistic \(i)")
        }
    }

    @Test("Viterbi finds the enumeration's most probable persona and path", arguments: models)
    func viterbi(modelIndex: Int) throws {
        let model = try Self.model(modelIndex)
        let data = try Self.data(for: model)
        let inference = try HMMInference(model: model, data: data)
        for u in 0..<data.userCount {
            let paths = try Self.bruteForce(model, data, user: u).paths()
            let best = paths.max { $0.probability < $1.probability }!
            let decoded = try #require(inference.viterbi(user: u))
            #expect(decoded.persona == best.persona, "user \(u)")
            #expect(decoded.states == best.states, "user \(u)")
            #expect(Self.close(decoded.logProbability, log(best.probability)), "user \(u)")
        }
    }

    /// Splitting each persona into its users alone in an account and its users in teams changes no user's
    /// likelihood (the two parts share the chain, their shares and account sizes multiply back to the persona's),
    /// and every split persona holds users of one kind only.
    @Test("splitting personas by account size keeps every user's likelihood")
    func splitKeepsLikelihood() throws {
        let model = try Self.model(3)
        let data = try Self.data(for: model)
        let split = try #require(model.splitByAccountBand(users: data.userCount, minimumUsers: 0))
        #expect(split.personas.count == 4)
        for persona in split.personas {
            #expect(persona.accountSizes[0] == 0 || persona.accountSizes[0] == 1)
        }
        let before = try HMMInference(model: model, data: data)
        let after = try HMMInference(model: split, data: data)
        for u in 0..<data.userCount {
            #expect(Self.close(after.posterior(user: u).logLikelihood, before.posterior(user: u).logLikelihood))
        }
        #expect(model.splitByAccountBand(users: data.userCount, minimumUsers: 1e9) == nil)
        #expect(try Self.model(0).splitByAccountBand(users: data.userCount, minimumUsers: 0) == nil)
    }

    @Test("the filtered distribution of the last day equals the enumeration's, conditioned on every day")
    func lastDay() throws {
        let model = try tinyModel(family: .negativeBinomial)
        let data = try tinyData()
        let filtered = try HMMInference(model: model, data: data).lastDayStateProbabilities(threads: 2)
        for u in 0..<data.userCount {
            let days = data.observedDays(user: u)
            let exact = try BruteForce(model: model, observedDays: days, activeDays: data.activeDays(user: u)).exact()
            for s in 0..<model.stateCount {
                #expect(Self.close(filtered[u * model.stateCount + s], exact.states[days - 1][s]), "user \(u)")
            }
        }
    }
}
