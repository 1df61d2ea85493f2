import Foundation
import Stats
import Testing

@testable import Fitting

/// The pieces the fit is made of: the data's rules, the silent-run shortcut, the one-dimensional search and the
/// dispersion estimate.
@Suite("Building blocks")
struct BuildingBlockTests {
    @Test(
        "a user breaking the data's rules is refused with its index and day, and not added",
        arguments: [
            (3, [ActiveDay(day: 3, sessions: 1, keyActions: 0)], "outside the user's 3 observed days"),
            (
                5, [ActiveDay(day: 2, sessions: 1, keyActions: 0), ActiveDay(day: 1, sessions: 1, keyActions: 0)],
                "ascending and distinct"
            ),
            (5, [ActiveDay(day: 1, sessions: 0, keyActions: 0)], "sessions must be ≥ 1"),
            (5, [ActiveDay(day: 1, sessions: 2, keyActions: -1)], "key actions must be ≥ 0"),
            (5, [ActiveDay(day: 4, sessions: 2, keyActions: 1, features: 0b100)], "beyond the 2 declared features"),
        ])
    func invalidUser(days: Int, active: [ActiveDay], message: String) throws {
        var builder = try UserDaySequences.Builder(featureCount: 2)
        try builder.addUser(observedDays: 5, activeDays: [ActiveDay(day: 0, sessions: 1, keyActions: 1)])
        let error = #expect(throws: FittingError.self) { try builder.addUser(observedDays: days, activeDays: active) }
        #expect(error?.code == .invalidObservation)
        #expect(error?.message.hasPrefix("user 1, day ") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        #expect(error?.exitStatus == 2)
        #expect(builder.build().userCount == 1)
    }

    @Test("the silent run after the last session gives what passing its days one by one gives")
    func silentRunShortcut() throws {
        // 120-day users of a model whose loyal persona rarely churns: long silent runs of live users, the case the
        // tables exist for.
        let model = try recoveryModel()
        let data = model.simulate(users: 300, days: 120, signupDays: 30, seed: 5)
        let inference = try HMMInference(model: model, data: data)
        let shortcut = inference.makeWorkspace()
        let dayByDay = inference.makeWorkspace()
        let live = model.liveStates
        let n = model.stateCount
        var runs = 0
        for user in 0..<data.userCount {
            inference.forwardBackward(user: user, in: shortcut, silentRunShortcut: true)
            inference.forwardBackward(user: user, in: dayByDay, silentRunShortcut: false)
            if shortcut.silentRun > 0 { runs += 1 }
            #expect(abs(shortcut.logLikelihood - dayByDay.logLikelihood) <= 1e-10 * abs(dayByDay.logLikelihood))
            for i in 0..<(model.personas.count * live * n) {
                #expect(abs(shortcut.transitionCounts[i] - dayByDay.transitionCounts[i]) <= 1e-9, "user \(user)")
            }
            for s in 0..<live {
                let passed = (0..<shortcut.passedDays).reduce(0.0) { $0 + shortcut.gamma[$1 * live + s] }
                let all = (0..<dayByDay.passedDays).reduce(0.0) { $0 + dayByDay.gamma[$1 * live + s] }
                #expect(abs(passed + shortcut.silentRunDays[s] - all) <= 1e-9, "user \(user) state \(s)")
            }
        }
        #expect(runs > data.userCount / 2)
    }

    @Test("Brent's method finds known minima to its tolerance")
    func brent() {
        let parabola = BrentMinimizer.minimize(in: 0, 5, tolerance: 1e-10) { ($0 - 2) * ($0 - 2) + 1 }
        #expect(abs(parabola.x - 2) <= 1e-7)
        #expect(abs(parabola.value - 1) <= 1e-14)
        let cosine = BrentMinimizer.minimize(in: 3, 4, tolerance: 1e-10) { cos($0) }
        #expect(abs(cosine.x - Double.pi) <= 1e-7)
        // A minimum at the edge of the interval: the search ends next to it.
        let slope = BrentMinimizer.minimize(in: 1, 2, tolerance: 1e-10) { $0 }
        #expect(abs(slope.x - 1) <= 1e-7)
    }

    /// With weights equal to the exact expected frequencies n·P(y) of a negative binomial, the expected
    /// log-likelihood Σ_y P(y) log P(y; k′) is largest at the true k (Gibbs' inequality), so the estimate must
    /// return it up to the search's tolerance. Frequencies of a Poisson are less dispersed than any negative
    /// binomial, so the search ends at the top of its range.
    @Test(
        "the dispersion search returns the dispersion of exact negative binomial frequencies", arguments: [0.8, 3, 50])
    func dispersion(k: Double) throws {
        let mean = 2.5
        let counts = try frequencies(NegativeBinomial.meanDispersion(mean: mean, dispersion: k))
        let estimate = DispersionEstimate(mean: mean, counts: counts).maximize(from: 1)
        #expect(abs(estimate / k - 1) <= 1e-5, "estimate \(estimate)")
    }

    @Test("Poisson frequencies give the largest dispersion searched")
    func poissonDispersion() throws {
        let counts = try frequencies(Poisson(mean: 2.5))
        let estimate = DispersionEstimate(mean: 2.5, counts: counts).maximize(from: 1)
        #expect(estimate >= DispersionEstimate.range.upperBound * 0.99)
    }

    /// 10 000 · P(y) for every y until the tail beyond is below 1e-15.
    private func frequencies(_ distribution: some CountDistribution) -> [(value: Int, weight: Double)] {
        var counts: [(value: Int, weight: Double)] = []
        var y = 0
        while distribution.survival(y - 1) > 1e-15 {
            counts.append((y, 10_000 * distribution.pmf(y)))
            y += 1
        }
        return counts
    }
}
