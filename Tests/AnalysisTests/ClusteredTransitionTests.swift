import Analysis
import Stats
import Testing
import UsageModel

// Reference values were computed independently in Python with statsmodels 0.15.0 and lifelines 0.30.3
// from the same fixtures, written out by hand below:
//
// - A cell's rate with standard errors clustered by user: each transition expanded to a 0/1 row, then
//   `sm.OLS(y, ones).fit(cov_type='cluster', cov_kwds={'groups': user})`. Its CR1 factor is
//   G/(G − 1) · (N − 1)/(N − K), which with one parameter (K = 1) is G/(G − 1): the same as the survey
//   ratio estimator's linearisation variance G/(G − 1) · Σᵤ (yᵤ − p̂ nᵤ)² / (Σᵤ nᵤ)² (checked equal to
//   1e-17 on the first fixture).
// - Combinations of rates over strata (a difference of halves, the Mantel–Haenszel combination over
//   tenure bands): OLS on one indicator per stratum with `cov_kwds={'groups': user,
//   'use_correction': False}`, the covariance times G/(G − 1), and the contrast c'β, c'Σc.
// - Wilson intervals at the effective size: `proportion_confint(p·n/deff, n/deff, alpha=0.05,
//   method='wilson')`, deff = max(1, variance / (p(1 − p)/n)).
// - Holm: `statsmodels.stats.multitest.multipletests(p, method='holm')`.
// - Kaplan–Meier: `lifelines.KaplanMeierFitter().fit(T, E)`, `median_survival_time_`,
//   `lifelines.utils.restricted_mean_survival_time(kmf, t=tau)`.

/// Seven users, each with (successes, trials) in two strata.
private let smallFixture: [[(Int, Int)]] = [
    [(3, 5), (1, 2)], [(0, 4), (2, 3)], [(2, 2), (0, 0)], [(0, 0), (0, 6)], [(1, 3), (3, 4)], [(4, 7), (0, 1)],
    [(0, 1), (1, 1)],
]

/// Fourteen users: the sign-up day and the segment code at evaluations on days 0, 7, …, 77 (255: not
/// signed up; 0 active, 1 dormant, 2 churned).
private let histories: [(signup: Int, codes: [UInt8])] = [
    (5, [255, 0, 1, 1, 0, 0, 1, 2, 2, 2, 1, 1]), (20, [255, 255, 255, 0, 1, 2, 2, 1, 1, 1, 1, 1]),
    (20, [255, 255, 255, 0, 0, 2, 2, 0, 0, 1, 1, 1]), (-30, [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 1, 1]),
    (12, [255, 255, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2]), (33, [255, 255, 255, 255, 255, 0, 1, 1, 1, 2, 2, 2]),
    (40, [255, 255, 255, 255, 255, 255, 0, 0, 0, 2, 2, 1]), (12, [255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    (12, [255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), (0, [0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0]),
    (-3, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0]), (-3, [0, 2, 0, 2, 2, 2, 0, 2, 1, 1, 2, 2]),
    (20, [255, 255, 255, 0, 2, 0, 0, 1, 1, 0, 1, 2]), (0, [0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 2]),
]
private let labels = ["active", "dormant", "churned"]

private func counts(users: Range<Int>) -> TransitionCounts {
    let evaluations = histories[0].codes.count
    let history = (0..<evaluations).map { e in Column(users.map { histories[$0].codes[e] }) }
    return TransitionCounts(
        history: history, states: 3, evaluations: 0..<(evaluations - 1), days: (0..<evaluations).map { 7 * $0 },
        signup: { histories[users.lowerBound + $0].signup }, targets: TransitionCounts.targets(labels: labels),
        groups: ["early": { histories[users.lowerBound + $0].signup <= 5 }])
}

private func near(_ x: Double?, _ expected: Double, _ tolerance: Double = 1e-10) -> Bool {
    guard let x else { return false }
    return abs(x - expected) <= tolerance
}

@Suite("Rates with standard errors clustered by user")
struct ClusteredTransitionTests {
    @Test func ratioAndDifferenceMatchStatsmodels() throws {
        var m = ClusteredRatioMoments(strata: 2)
        for user in smallFixture { m.addCluster(successes: user.map(\.0), trials: user.map(\.1)) }
        #expect(m.clusters == 7)
        let pooled = try #require(m.ratio)
        #expect(near(pooled.estimate, 0.4358974358974361, 1e-15))
        #expect(near(pooled.variance, 0.008665879095252488, 1e-15))
        let difference = try #require(
            m.combination([.init(strata: [1], coefficient: 1), .init(strata: [0], coefficient: -1)]))
        #expect(near(difference.estimate, -0.04278074866310155, 1e-15))
        #expect(near(difference.variance, 0.06585310860748912, 1e-15))
        let interval = try #require(ProportionInterval.clustered(m, confidence: 0.95))
        #expect(near(interval.designEffect, 1.3744686685863163, 1e-12))
        #expect(near(interval.interval.lowerBound, 0.27213927119122344, 1e-12))
        #expect(near(interval.interval.upperBound, 0.6149428431773685, 1e-12))
    }

    @Test func edgesAndTooFewClusters() throws {
        var one = ClusteredRatioMoments()
        one.addCluster(successes: 2, trials: 5)
        #expect(one.ratio == nil)
        // One user: its five trials are worth one, the Wilson interval of 0.4 at n = 1.
        let single = try #require(ProportionInterval.clustered(one, confidence: 0.95))
        #expect(single.designEffect == 5)
        // No success in any cluster: the interval starts at 0 and the design effect is 1.
        var none = ClusteredRatioMoments()
        none.addCluster(successes: 0, trials: 3)
        none.addCluster(successes: 0, trials: 4)
        let zero = try #require(ProportionInterval.clustered(none, confidence: 0.95))
        #expect(zero.interval.lowerBound == 0 && zero.designEffect == 1)
        let wilson = try #require(ProportionInterval.wilson(successes: 0, trials: 7, confidence: 0.95))
        #expect(near(zero.interval.upperBound, wilson.upperBound, 1e-15))
        #expect(ProportionInterval.clustered(ClusteredRatioMoments(), confidence: 0.95) == nil)
    }

    @Test func transitionCellsMatchStatsmodels() throws {
        let results = try TransitionResults(counts: counts(users: 0..<histories.count), labels: labels, every: 7)
        let table = results.overall
        #expect(table.counts == [[43, 11, 8], [3, 20, 8], [6, 5, 23]])
        // (design effect, lower, upper) per cell.
        let expected: [[(Double, Double, Double)]] = [
            [
                (2.4994973439716195, 0.49678711391089914, 0.8384003829922714),
                (1.9340773078913478, 0.08228987472905394, 0.3415876231991347),
                (1.8305762338020382, 0.05334853784443365, 0.28029463422663065),
            ],
            [
                (1, 0.033464644163197374, 0.24899938443392844), (1, 0.46947954064368885, 0.788833409061346),
                (1, 0.13701705906393744, 0.43246135809433806),
            ],
            [
                (1, 0.08348969045372318, 0.3351373739984275), (1, 0.06449441444782457, 0.30128056495452166),
                (1, 0.508428945939082, 0.808683564359745),
            ],
        ]
        for i in 0..<3 {
            for j in 0..<3 {
                let (deff, lower, upper) = expected[i][j]
                #expect(near(table.designEffects?[i][j] ?? nil, deff), "\(i)→\(j)")
                #expect(near(table.lower[i][j], lower), "\(i)→\(j)")
                #expect(near(table.upper[i][j], upper), "\(i)→\(j)")
            }
        }
        // Users with a transition out of each row (counted in Python from the same histories).
        #expect(table.users == [14, 9, 11])
    }

    @Test func driftAtTheSameTenureMatchesStatsmodels() throws {
        let results = try TransitionResults(counts: counts(users: 0..<histories.count), labels: labels, every: 7)
        // Per cell: first half, second half, difference, its SE, its p; same-tenure difference, its SE,
        // its p; Holm-adjusted p.
        let expected: [[Double]] = [
            [
                0.6896551724137927, 0.6969696969696971, 0.0073145245559044225, 0.08561349259696187,
                0.9319143077545775, -0.030802938523005613, 0.08554075240596787, 0.718774856650197, 1.0,
            ],
            [
                0.13793103448275856, 0.21212121212121215, 0.07419017763845359, 0.0893770193941604,
                0.4064929127667021, 0.0725608970228122, 0.11460918558959256, 0.5266579636208432, 1.0,
            ],
            [
                0.1724137931034482, 0.09090909090909093, -0.08150470219435728, 0.08635318882900471,
                0.34524485616321055, -0.04175795849980668, 0.0796489690950367, 0.6000873242249019, 1.0,
            ],
            [
                0.24999999999999994, 0.04347826086956522, -0.20652173913043473, 0.11325878442177813,
                0.06823525175789594, -0.2432432432432432, 0.13751882002774837, 0.07692731215475845,
                0.5389978970935057,
            ],
            [
                0.6249999999999998, 0.6521739130434784, 0.027173913043478604, 0.1973324178035258,
                0.8904725565109117, 0.017279574656624164, 0.16007777751080202, 0.9140394250520302, 1.0,
            ],
            [
                0.12499999999999997, 0.3043478260869566, 0.17934782608695662, 0.1965382048656364,
                0.36148759456417257, 0.22596366858661948, 0.12353371032916907, 0.0673747371366882,
                0.5389978970935057,
            ],
            [
                0.28571428571428564, 0.14814814814814817, -0.13756613756613748, 0.18439203459438921,
                0.45563570417786425, -0.08474576271186439, 0.1508262961521215, 0.5742001147289066, 1.0,
            ],
            [
                0.0, 0.18518518518518523, 0.18518518518518523, 0.06417935563944906, 0.0039087653082012595,
                0.1864406779661017, 0.096815785422296, 0.054138592064807645, 0.4872473285832688,
            ],
            [
                0.7142857142857142, 0.6666666666666669, -0.04761904761904734, 0.1605949718725197,
                0.7668357220582425, -0.10169491525423707, 0.12006653331265088, 0.39700179927581924, 1.0,
            ],
        ]
        #expect(results.driftTests.count == 9)
        for (test, e) in zip(results.driftTests, expected) {
            let got = [
                test.firstHalf, test.secondHalf, test.difference, test.standardError, test.unstratifiedPValue,
                test.sameTenureDifference, test.sameTenureStandardError, test.pValue, test.adjustedPValue,
            ]
            for (g, x) in zip(got, e) { #expect(near(g, x), "\(test.from)→\(test.to): \(got) vs \(e)") }
            #expect(!test.flagged)
        }
        #expect(results.drift.isEmpty && results.tenureBands == [0, 28, 56, 112])
    }

    @Test func measuredTimeToTargetsMatchesLifelines() throws {
        let results = try TransitionResults(counts: counts(users: 0..<histories.count), labels: labels, every: 7)
        // (target, from): entrants, events, median, restricted mean, τ, 1 − Ŝ(τ).
        let expected: [(String, String, Int, Int, Double, Double, Double, Double)] = [
            ("dormant", "active", 13, 9, 35, 31.937500000000007, 63, 1 - 0.18750000000000008),
            ("dormant", "churned", 12, 7, 28, 31.59999999999999, 63, 1 - 0.14285714285714277),
            ("churned", "active", 13, 9, 28, 31.62962962962963, 63, 1 - 0.1851851851851852),
            ("churned", "dormant", 10, 8, 21, 25.511111111111106, 63, 1),
        ]
        for (target, from, entrants, reached, median, mean, tau, share) in expected {
            let m = try #require(results.measuredDaysTo[target]?[from], "\(from) → \(target)")
            #expect(m.entrants == entrants && m.reached == reached)
            #expect(m.medianDays == median)
            #expect(near(m.restrictedMeanDays, mean, 1e-12))
            #expect(m.restrictedToDays == tau)
            #expect(near(m.reachedByEnd, share, 1e-12))
        }
    }

    /// Any split of the users into blocks gives the same sums.
    @Test(arguments: [1, 5, 9, 13])
    func blocksAddUpToTheWhole(split: Int) {
        var first = counts(users: 0..<split)
        first.add(counts(users: split..<histories.count))
        #expect(first == counts(users: 0..<histories.count))
    }

    /// Users with their own propensity p ~ Beta(a, b) and m trials each: the rate's design effect is
    /// 1 + (m − 1)ρ with ρ = 1/(a + b + 1) (the beta-binomial intraclass correlation). Over many samples
    /// the clustered interval's design effect averages to it, its width is about √deff times the naive
    /// Wilson width, and it covers the true mean at about 95 % where the naive one does not.
    @Test func simulatedDesignEffectAndCoverage() throws {
        let (a, b, m, users, samples) = (2.0, 6.0, 20, 200, 400)
        let truth = a / (a + b)
        let deff = 1 + Double(m - 1) / (a + b + 1)
        let beta = try Beta(a: a, b: b)
        let random = GSLRandom(seed: 15)
        var designEffects: [Double] = []
        var widthRatios: [Double] = []
        var covered = 0
        var naiveCovered = 0
        for _ in 0..<samples {
            var moments = ClusteredRatioMoments()
            var total = 0
            for _ in 0..<users {
                let p = beta.sample(using: random)
                var y = 0
                for _ in 0..<m where random.uniform() < p { y += 1 }
                moments.addCluster(successes: y, trials: m)
                total += y
            }
            let clustered = try #require(ProportionInterval.clustered(moments, confidence: 0.95))
            let naive = try #require(ProportionInterval.wilson(successes: total, trials: users * m, confidence: 0.95))
            designEffects.append(clustered.designEffect)
            widthRatios.append(
                (clustered.interval.upperBound - clustered.interval.lowerBound) / (naive.upperBound - naive.lowerBound))
            if clustered.interval.contains(truth) { covered += 1 }
            if naive.contains(truth) { naiveCovered += 1 }
        }
        func meanAndError(_ x: [Double]) -> (Double, Double) {
            let mean = x.reduce(0, +) / Double(x.count)
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)
            return (mean, (variance / Double(x.count)).squareRoot())
        }
        let (meanDeff, deffError) = meanAndError(designEffects)
        #expect(abs(meanDeff - deff) < 4 * deffError, "mean design effect \(meanDeff) ± \(deffError), expected \(deff)")
        let (meanRatio, ratioError) = meanAndError(widthRatios)
        // The Wilson width at the true rate, at n / deff and at n (about √deff apart).
        let z = 1.959963984540054
        func width(_ n: Double) -> Double {
            2 * z / (1 + z * z / n) * (truth * (1 - truth) / n + z * z / (4 * n * n)).squareRoot()
        }
        let n = Double(users * m)
        let ratio = width(n / deff) / width(n)
        #expect(abs(meanRatio - ratio) < 4 * ratioError, "width ratio \(meanRatio) ± \(ratioError), expected \(ratio)")
        // Coverage: binomial sampling error of a share over `samples` intervals, four standard errors.
        let nominal = 0.95
        let coverageError = 4 * (nominal * (1 - nominal) / Double(samples)).squareRoot()
        #expect(abs(Double(covered) / Double(samples) - nominal) < coverageError, "covered \(covered)")
        // The naive interval's coverage: P(|Z| < 1.96 / √deff) ≈ 0.73 here.
        let naiveExpected = 1 - 2 * (try Normal(mean: 0, sd: 1)).survival(z / deff.squareRoot())
        #expect(
            abs(Double(naiveCovered) / Double(samples) - naiveExpected)
                < 4 * (naiveExpected * (1 - naiveExpected) / Double(samples)).squareRoot(), "naive \(naiveCovered)")
    }
}
