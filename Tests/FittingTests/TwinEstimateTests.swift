import Fitting
import Foundation
import Stats
import Testing

/// What `segmentlab fit` estimates beside the hidden Markov model: weekday factors, team sizes and rates by state.
@Suite("Estimates beside the model")
struct TwinEstimateTests {
    @Test("weekday factors are the weekdays' rates over their mean, with no spread when every cluster agrees")
    func weekdayFactorsExact() throws {
        // Two clusters with the same rates 2, 2, 2, 2, 2, 1, 1 (sessions per day): mean 12/7, so the factors are
        // 2 · 7/12 = 7/6 on weekdays and 7/12 at the weekend, and no cluster moves them.
        let sessions = [4.0, 4, 4, 4, 4, 2, 2] + [10.0, 10, 10, 10, 10, 5, 5]
        let days = [Double](repeating: 2, count: 7) + [Double](repeating: 5, count: 7)
        let weekday = try #require(WeekdayFactors(sessions: sessions, observedDays: days))
        for w in 0..<7 {
            #expect(abs(weekday.factors[w] - (w < 5 ? 7.0 / 6 : 7.0 / 12)) < 1e-12)
            #expect(weekday.standardErrors[w] < 1e-12)
        }
        #expect(weekday.sessions == [14, 14, 14, 14, 14, 7, 7] && weekday.observedDays == [7, 7, 7, 7, 7, 7, 7])
        #expect(WeekdayFactors(sessions: sessions, observedDays: [0] + days.dropFirst()) != nil)
        #expect(
            WeekdayFactors(sessions: sessions, observedDays: [0, 0, 1, 1, 1, 1, 1] + [0, 1, 1, 1, 1, 1, 1]) == nil)
        #expect(WeekdayFactors(sessions: [Double](repeating: 0, count: 14), observedDays: days) == nil)
    }

    /// The within-weekday dispersion gives a silent day as often over the week as the fitted one: against roots of
    /// the same equation found by SciPy's `brentq` (scipy.optimize, on log k′) with the factors of a fitted
    /// default-scenario log (Monday 1.218 … Sunday 0.5171, over their mean), and the identity for a flat week.
    @Test("within-weekday dispersion matches the week's silent days (SciPy brentq roots)")
    func withinWeekdayDispersion() throws {
        let rates = [1.218, 1.244, 1.222, 1.16, 1.038, 0.6009, 0.5171]
        let week = try #require(WeekdayFactors(sessions: rates, observedDays: [Double](repeating: 1, count: 7)))
        for (mean, fitted, scipy) in [(0.3986, 0.7138, 0.8052921572472919), (1.002, 1.059, 1.2171110194967263)] {
            let k = week.withinWeekdayDispersion(mean: mean, dispersion: fitted)
            #expect(abs(k - scipy) < 1e-8 * scipy, "\(k) against \(scipy)")
        }
        // A nearly Poisson state: the weekday swing alone gives more silent days than the fit, so the largest.
        #expect(week.withinWeekdayDispersion(mean: 0.04963, dispersion: 62.88) == 1e6)
        let flat = try #require(
            WeekdayFactors(sessions: [Double](repeating: 3, count: 7), observedDays: [Double](repeating: 2, count: 7)))
        #expect(abs(flat.withinWeekdayDispersion(mean: 1.6, dispersion: 2.0) - 2.0) < 1e-9)
    }

    /// The standard errors match the spread of the factors over data sets drawn with known factors: 400 data sets of
    /// 200 clusters, each cluster with its own rate (uniform in 0.5 … 1.5, so clusters differ as accounts do) and
    /// 10 … 14 days per weekday, Poisson sessions. The standard deviation of 400 draws is within 3.5 % of the true
    /// spread (1/√(2 · 399)); the bounds are 4 of those, 14 %, around the mean standard error. The mean of the
    /// estimates lies within 4 standard errors of the mean (spread / √400) of the truth.
    @Test("weekday standard errors match the spread of the estimates over simulated data sets")
    func weekdayFactorsCalibrated() throws {
        let truth = [1.22, 1.24, 1.22, 1.16, 1.04, 0.60, 0.52]
        var rng = SplitMix64(seed: 2026)
        var estimates: [[Double]] = []
        var errors: [[Double]] = []
        for _ in 0..<400 {
            var sessions: [Double] = []
            var days: [Double] = []
            for c in 0..<200 {
                let rate = 0.5 + FastSampler.uniform(using: &rng)
                for w in 0..<7 {
                    let d = Double(10 + c % 5)
                    days.append(d)
                    sessions.append(Double(FastSampler.poisson(mean: truth[w] * rate * d, using: &rng)))
                }
            }
            let weekday = try #require(WeekdayFactors(sessions: sessions, observedDays: days))
            estimates.append(weekday.factors)
            errors.append(weekday.standardErrors)
        }
        for w in 0..<7 {
            let spread = Summary(estimates.map { $0[w] })
            let meanError = Summary(errors.map { $0[w] }).mean
            #expect(
                abs(spread.standardDeviation / meanError - 1) < 0.14,
                "weekday \(w): spread \(spread.standardDeviation), mean SE \(meanError)")
            #expect(abs(spread.mean - truth[w]) < 4 * spread.standardDeviation / 20)
        }
    }

    /// Sizes 1, 2, 4, 8: log sizes (0, 1, 2, 3) · ln 2, mean 1.5 ln 2, so the median is 2^1.5 = 2.8284271; their
    /// standard deviation is ln 2 · √(5/3) = 0.8948492 (divisor n − 1); the median's standard error
    /// 2.8284271 · 0.8948492 / √4 = 1.2655078 and sigma's 0.8948492 / √6 = 0.3653206.
    @Test("a lognormal summary of sizes, with the standard errors of its median and sigma")
    func lognormalSizes() throws {
        let sizes = try #require(LognormalSizes(sizes: [4, 1, 8, 2]))
        #expect(abs(sizes.median - 2.8284271) < 1e-7)
        #expect(abs(sizes.sigma - 0.8948492) < 1e-7)
        #expect(abs(sizes.medianStandardError - 1.2655078) < 1e-7)
        #expect(abs(sizes.sigmaStandardError - 0.3653206) < 1e-7)
        #expect(sizes.largest == 8 && sizes.count == 4)
        #expect(LognormalSizes(sizes: []) == nil)
        let one = try #require(LognormalSizes(sizes: [3]))
        #expect(abs(one.median - 3) < 1e-12 && one.sigma == 0 && one.medianStandardError.isNaN)
        // Weights 1, 2, 1, 0 on sizes 1, 2, 4, 8: the weighted mean of the log sizes is ln 2 (median 2); the squared
        // deviations (ln 2)² · (1 + 0 + 1) over the divisor Σw − Σw²/Σw = 4 − 6/4 = 2.5 give σ = ln 2 · √0.8 =
        // 0.6199697; n = (Σw)²/Σw² = 8/3, so the median's SE is 2 σ / √n = 0.7593047 and σ's σ / √(2(n − 1)) =
        // 0.3395714. The size of weight 0 is not the largest.
        let weighted = try #require(LognormalSizes(sizes: [1, 2, 4, 8], weights: [1, 2, 1, 0]))
        #expect(abs(weighted.median - 2) < 1e-12 && abs(weighted.sigma - 0.6199697) < 1e-7)
        #expect(abs(weighted.medianStandardError - 0.7593047) < 1e-7)
        #expect(abs(weighted.sigmaStandardError - 0.3395714) < 1e-7)
        #expect(weighted.largest == 4 && weighted.count == 4)
        #expect(LognormalSizes(sizes: [2], weights: [0]) == nil)
    }

    /// Two live states told apart with certainty by sessions: the first never has one (mean 0), the second almost
    /// always (Poisson mean 20, a silent day e^−20 ≈ 2·10⁻⁹). The posterior puts active days in the second state and
    /// silent days in the first, so each state's rate is the plain share of successes among the observations of its
    /// days.
    @Test("rates by state are the plain shares when the posterior knows the states; the same at any thread count")
    func stateOutcomeRates() throws {
        let model = try HiddenMarkovModel(
            personas: [PersonaChain(share: 1, initial: [0.5, 0.5], transitions: [0.6, 0.4, 0, 0.3, 0.7, 0, 0, 0, 1])],
            emissions: [
                StateEmission(sessionMean: 0, keyActionsPerSession: 1, featureProbabilities: []),
                StateEmission(sessionMean: 20, keyActionsPerSession: 1, featureProbabilities: []),
            ], featureCount: 0, sessionFamily: .poisson)
        // User u is active on days d with (d + u) % 3 == 0 of 12; an outcome is observed every day, a success when
        // (7d + u) % 5 < 2.
        func active(_ u: Int, _ day: Int) -> Bool { (day + u) % 3 == 0 }
        func success(_ u: Int, _ day: Int) -> Bool { (7 * day + u) % 5 < 2 }
        var builder = try UserDaySequences.Builder(featureCount: 0)
        var counts = [[0, 0], [0, 0]]  // [silent, active][observations, successes]
        for u in 0..<40 {
            try builder.addUser(
                observedDays: 12,
                activeDays: (0..<12).filter { active(u, $0) }.map { ActiveDay(day: $0, sessions: 20, keyActions: 20) })
            for day in 0..<12 {
                counts[active(u, day) ? 1 : 0][0] += 1
                if success(u, day) { counts[active(u, day) ? 1 : 0][1] += 1 }
            }
        }
        let inference = try HMMInference(model: model, data: builder.build())
        func tally(threads: Int) -> StateOutcomeRates {
            var total = StateOutcomeRates(kinds: 1, liveStates: 2)
            let chunks = inference.tallyPosteriors(initial: total, threads: threads) { u, posterior, rates in
                for day in 0..<12 { rates.add(posterior, day: day, kind: 0, success: success(u, day)) }
            }
            for chunk in chunks { total.add(chunk) }
            return total
        }
        let rates = tally(threads: 1)
        #expect(rates == tally(threads: 2))
        for state in 0..<2 {
            let share = Double(counts[state][1]) / Double(counts[state][0])
            #expect(abs(try #require(rates.rate(kind: 0, state: state)) - share) < 1e-6)
            #expect(abs(rates.weight(kind: 0, state: state) - Double(counts[state][0])) < 1e-6)
        }
        #expect(counts[0][1] * counts[1][0] != counts[1][1] * counts[0][0], "the two states' shares differ")
        #expect(StateOutcomeRates(kinds: 1, liveStates: 2).rate(kind: 0, state: 0) == nil)
    }
}

/// Trial conversion by latent state when the state of the day is known only through a posterior.
@Suite("Outcome rates by state from posteriors")
struct StateOutcomeMixtureTests {
    /// With every posterior certain the likelihood factorises into one binomial per state: the rates are the
    /// states' success shares and the score-based standard errors √(p(1 − p)/n) exactly (Σ g² = s/p² + (n − s)/(1 −
    /// p)² = n/(p(1 − p))).
    @Test("certain states give each state's share and the binomial standard error")
    func certainStates() throws {
        var mixture = StateOutcomeMixture(liveStates: 3)
        for i in 0..<40 { mixture.add(stateProbabilities: [1, 0, 0], success: i < 10) }
        for i in 0..<25 { mixture.add(stateProbabilities: [0, 2, 0], success: i < 20) }
        let fitted = mixture.fitted()
        let first = try #require(fitted[0])
        let second = try #require(fitted[1])
        #expect(abs(first.rate - 0.25) < 1e-12 && abs(first.standardError - (0.25 * 0.75 / 40).squareRoot()) < 1e-12)
        #expect(abs(second.rate - 0.8) < 1e-12 && abs(second.standardError - (0.8 * 0.2 / 25).squareRoot()) < 1e-12)
        #expect(fitted[2] == nil)
        #expect(mixture.expectedObservations == [40, 25, 0])
    }

    /// Outcomes drawn with states from known posteriors: the maximum-likelihood rates lie within 4 of their standard
    /// errors of the truth, while the posterior-weighted shares (what the rate of ``StateOutcomeRates`` would give)
    /// are pulled towards each other by far more than that.
    @Test("uncertain states: the maximum-likelihood rates recover the truth, posterior-weighted shares do not")
    func uncertainStates() throws {
        let truth = [0.05, 0.6]
        var rng = SplitMix64(seed: 19)
        var mixture = StateOutcomeMixture(liveStates: 2)
        var weighted = [0.0, 0.0]
        var weights = [0.0, 0.0]
        for _ in 0..<20_000 {
            // Posteriors from fairly sure to unsure: P(state 0) uniform on [0, 1].
            let p = FastSampler.uniform(using: &rng)
            let state = FastSampler.uniform(using: &rng) < p ? 0 : 1
            let success = FastSampler.uniform(using: &rng) < truth[state]
            mixture.add(stateProbabilities: [p, 1 - p], success: success)
            for (s, w) in [p, 1 - p].enumerated() {
                weights[s] += w
                if success { weighted[s] += w }
            }
        }
        let fitted = mixture.fitted()
        for s in 0..<2 {
            let estimate = try #require(fitted[s])
            #expect(abs(estimate.rate - truth[s]) <= 4 * estimate.standardError, "state \(s): \(estimate)")
            #expect(abs(weighted[s] / weights[s] - truth[s]) > 10 * estimate.standardError)
        }
    }
}
