import Stats
import Testing

@testable import Fitting

@Suite("Forecast of a quiet horizon")
struct ForecastTests {
    /// P(no key action in a day | state s) by summing the session distribution (GSL) times e^(−nκ) term by
    /// term, not through the generating function the code uses.
    static func quietDay(_ model: HiddenMarkovModel, _ s: Int) throws -> Double {
        guard s < model.liveStates else { return 1 }
        let e = model.emissions[s]
        let sessions: any CountDistribution =
            e.sessionDispersion.isFinite
            ? try NegativeBinomial.meanDispersion(mean: e.sessionMean, dispersion: e.sessionDispersion)
            : try Poisson(mean: e.sessionMean)
        return try (0..<400).reduce(0.0) { sum, n in
            sum + sessions.pmf(n) * (try Poisson(mean: Double(n) * e.keyActionsPerSession).pmf(0))
        }
    }

    @Test("equals the enumeration of every persona and path through the observed days and the horizon")
    func exact() throws {
        for family in SessionFamily.allCases {
            let model = try tinyModel(family: family)
            let data = try tinyData()
            let horizon = 3
            let forecast = try HMMInference(model: model, data: data).probabilityOfNoKeyAction(
                horizon: horizon, threads: 2)
            let n = model.stateCount
            let quiet = try (0..<n).map { try Self.quietDay(model, $0) }
            for u in 0..<data.userCount {
                let paths = try BruteForce(
                    model: model, observedDays: data.observedDays(user: u), activeDays: data.activeDays(user: u)
                ).paths()
                var joint = 0.0
                var likelihood = 0.0
                for (k, states, p) in paths {
                    likelihood += p
                    // Every continuation of the path over the horizon, each day without a key action.
                    var total = 1
                    for _ in 0..<horizon { total *= n }
                    for code in 0..<total {
                        var rest = code
                        var previous = states[states.count - 1]
                        var q = p
                        for _ in 0..<horizon {
                            let s = rest % n
                            rest /= n
                            q *= model.personas[k].transition(from: previous, to: s) * quiet[s]
                            previous = s
                        }
                        joint += q
                    }
                }
                #expect(ExactInferenceTests.close(forecast[u], joint / likelihood), "user \(u), \(family)")
            }
        }
    }
}
