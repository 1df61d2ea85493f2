import Analysis
import Testing

/// One comparison of two proportions with its reference values; `nil` where the estimate is undefined.
struct TwoProportionCase: Sendable, CustomTestStringConvertible {
    let counts: (x1: Int, n1: Int, x0: Int, n0: Int)
    let confidence: Double
    let newcombe: (Double, Double)
    let wald: (Double, Double)?
    let relative: (Double, Double)?
    let z: Double?
    let p: Double?

    var testDescription: String { "\(counts.x1)/\(counts.n1) vs \(counts.x0)/\(counts.n0)" }
}

@Suite("Experiments: two proportions")
struct ExperimentTwoProportionTests {
    /// Newcombe intervals: statsmodels 0.15.0 `confint_proportions_2indep(x1, n1, x0, n0, method='newcomb',
    /// alpha=1-confidence)`; Wald: the same with `method='wald'`; relative lift: `compare='ratio', method='log'`
    /// (Katz) minus 1; z and p: `proportions_ztest([x1, x0], [n1, n0])` (pooled). `nil` marks an estimate that
    /// is undefined for the counts (statsmodels divides by zero or returns NaN there) and must come back `nil`.
    static let cases: [TwoProportionCase] = [
        // Newcombe (1998), "Interval estimation for the difference between independent proportions", Statistics in
        // Medicine 17:873–890, Table II example (a): method 10 gives 0.0524 to 0.3339, Wald 0.0575 to 0.3425.
        TwoProportionCase(
            counts: (56, 70, 48, 80), confidence: 0.95, newcombe: (0.05243147240236498, 0.333872654036906),
            wald: (0.05750489914903714, 0.342495100850963), relative: (0.07662642276319298, 0.651248511266387),
            z: 2.6501719512585336, p: 0.00804508136819656),
        // Table II example (b): method 10 gives 0.1705 to 0.8090.
        TwoProportionCase(
            counts: (9, 10, 3, 10), confidence: 0.95, newcombe: (0.1705227239345029, 0.809017973535488),
            wald: (0.26052427977714854, 0.9394757202228516), relative: (0.13835035744766988, 6.906177514784793),
            z: 2.738612787525831, p: 0.006169899320544151),
        TwoProportionCase(
            counts: (5, 56, 3, 29), confidence: 0.95, newcombe: (-0.1823399241924572, 0.10928724867872594),
            wald: (-0.14781708592161255, 0.1194919627689032), relative: (-0.7783238139225552, 2.3604574456293914),
            z: -0.21200882073115243, p: 0.8321001527961223),
        // A campaign-sized comparison at 90 %.
        TwoProportionCase(
            counts: (130, 1000, 100, 1000), confidence: 0.9, newcombe: (0.006524106112510569, 0.05352775279676225),
            wald: (0.006558671634764833, 0.053441328365235165), relative: (0.057931082369488074, 0.5974575548105114),
            z: 2.102740605622114, p: 0.03548845046647471),
        // Zero counts: no Katz interval when an arm has no successes; no Wald interval when both rates are 0 or 1,
        // no z test when nothing varies at all.
        TwoProportionCase(
            counts: (5, 56, 0, 29), confidence: 0.95, newcombe: (-0.038137147903536936, 0.19256001385511165),
            wald: (0.014600240442591991, 0.1639711881288366), relative: nil, z: 1.6586488692392285,
            p: 0.09718656817057973),
        TwoProportionCase(
            counts: (0, 10, 0, 20), confidence: 0.95, newcombe: (-0.1611251580528194, 0.27753279986288926),
            wald: nil, relative: nil, z: nil, p: nil),
        TwoProportionCase(
            counts: (10, 10, 0, 20), confidence: 0.95, newcombe: (0.6790860371419145, 1.0), wald: nil, relative: nil,
            z: 5.47722557505166, p: 4.320463057827506e-08),
    ]

    @Test(arguments: cases)
    func matchesReferences(row: TwoProportionCase) throws {
        let (x1, n1, x0, n0) = row.counts
        let result = try TwoProportions(
            treatmentSuccesses: x1, treatmentTrials: n1, controlSuccesses: x0, controlTrials: n0,
            confidence: row.confidence)
        #expect(isNear(result.difference, Double(x1) / Double(n1) - Double(x0) / Double(n0), relative: 1e-15))
        #expect(isNear(result.newcombeInterval.lowerBound, row.newcombe.0))
        #expect(isNear(result.newcombeInterval.upperBound, row.newcombe.1))
        if let wald = row.wald {
            #expect(isNear(result.waldInterval?.lowerBound, wald.0))
            #expect(isNear(result.waldInterval?.upperBound, wald.1))
        } else {
            #expect(result.waldInterval == nil)
        }
        if let relative = row.relative {
            #expect(isNear(result.relativeLiftInterval?.lowerBound, relative.0))
            #expect(isNear(result.relativeLiftInterval?.upperBound, relative.1))
        } else {
            #expect(result.relativeLiftInterval == nil)
        }
        if let z = row.z, let p = row.p {
            #expect(isNear(result.zStatistic, z))
            #expect(isNear(result.pValue, p))
        } else {
            #expect(result.zStatistic == nil && result.pValue == nil)
        }
    }

    /// The Wald z test, the one the experiment reports: statsmodels 0.15.0 `test_proportions_2indep(x1, n1, x0, n0,
    /// method='wald', compare='diff', correction=False)`, statistic and pvalue. Its interval is the Wald interval
    /// checked above (`confint_proportions_2indep(..., method='wald')`).
    @Test(arguments: [
        (56, 70, 48, 80, 2.750921221621508, 0.005942793304202759),
        (9, 10, 3, 10, 3.4641016151377557, 0.0005320055051392466),
        (5, 56, 3, 29, -0.20768552919900352, 0.8354745173468044),
        (130, 1000, 100, 1000, 2.1050687930179994, 0.03528532025049282),
        (5, 56, 0, 29, 2.3431167445160246, 0.019123398221958313),
    ])
    func waldTestMatchesStatsmodels(x1: Int, n1: Int, x0: Int, n0: Int, z: Double, p: Double) throws {
        let result = try TwoProportions(
            treatmentSuccesses: x1, treatmentTrials: n1, controlSuccesses: x0, controlTrials: n0)
        #expect(isNear(result.waldZStatistic, z))
        #expect(isNear(result.waldPValue, p))
    }

    /// The Wald interval and the Wald test share one standard error, so the 95 % interval excludes 0 exactly
    /// when p < 0.05; the Newcombe interval and the pooled test, reported before, disagree on some counts.
    @Test func waldIntervalAndTestAgree() throws {
        var disagreementsBefore = 0
        var checked = 0
        for n1 in stride(from: 20, through: 200, by: 9) {
            for n0 in stride(from: 15, through: 180, by: 11) {
                for x1 in stride(from: 0, through: n1, by: 3) {
                    for x0 in stride(from: 0, through: n0, by: 5) {
                        let r = try TwoProportions(
                            treatmentSuccesses: x1, treatmentTrials: n1, controlSuccesses: x0, controlTrials: n0)
                        guard let interval = r.waldInterval, let p = r.waldPValue else {
                            #expect(r.waldPValue == nil && r.waldZStatistic == nil)
                            continue
                        }
                        // Skip the knife-edge where rounding decides (|z| within 1e-9 of the critical value).
                        guard abs(abs(r.waldZStatistic!) - 1.959963984540054) > 1e-9 else { continue }
                        checked += 1
                        #expect(!interval.contains(0) == (p < 0.05), "\(x1)/\(n1) vs \(x0)/\(n0)")
                        if let pooled = r.pValue, r.newcombeInterval.contains(0) == (pooled < 0.05) {
                            disagreementsBefore += 1
                        }
                    }
                }
            }
        }
        #expect(checked > 50_000)
        // The grid does reach the cases where the former pair disagreed.
        #expect(disagreementsBefore > 0)
    }

    /// Cases where statsmodels has no number to compare with (division by zero, NaN) but the answer is known.
    @Test func undefinedEstimatesAreNil() throws {
        // 9/10 vs 3/10: the ratio exists, 0.9/0.3 − 1 = 2; statsmodels proportions_ztest([9, 3], [10, 10]) gives
        // z = 2.738612787525831, p = 0.006169899320544151.
        let b = try TwoProportions(treatmentSuccesses: 9, treatmentTrials: 10, controlSuccesses: 3, controlTrials: 10)
        #expect(isNear(b.relativeLift, 2, relative: 1e-15))
        #expect(isNear(b.zStatistic, 2.738612787525831) && isNear(b.pValue, 0.006169899320544151))
        // 5/56 vs 0/29: control rate 0, so no ratio and no Katz interval; the pooled z test exists:
        // proportions_ztest([5, 0], [56, 29]) gives z = 1.6586488692392285, p = 0.09718656817057973.
        let zeroControl = try TwoProportions(
            treatmentSuccesses: 5, treatmentTrials: 56, controlSuccesses: 0, controlTrials: 29)
        #expect(zeroControl.relativeLift == nil && zeroControl.relativeLiftInterval == nil)
        #expect(isNear(zeroControl.zStatistic, 1.6586488692392285))
        #expect(isNear(zeroControl.pValue, 0.09718656817057973))
        // 0/10 vs 4/20: the ratio is 0 − 1 = −1, but log 0 leaves Katz's interval undefined.
        let zeroTreatment = try TwoProportions(
            treatmentSuccesses: 0, treatmentTrials: 10, controlSuccesses: 4, controlTrials: 20)
        #expect(zeroTreatment.relativeLift == -1 && zeroTreatment.relativeLiftInterval == nil)
        // 0/10 vs 0/20: nothing varies, so there is no test at all.
        let none = try TwoProportions(
            treatmentSuccesses: 0, treatmentTrials: 10, controlSuccesses: 0, controlTrials: 20)
        #expect(none.zStatistic == nil && none.pValue == nil && none.waldInterval == nil && none.relativeLift == nil)
        #expect(none.treatmentRate == 0 && none.controlRate == 0 && none.difference == 0)
    }

    @Test(arguments: [(1, 0, 1, 10), (-1, 10, 1, 10), (11, 10, 1, 10), (1, 10, 2, 1)])
    func invalidCountsThrow(x1: Int, n1: Int, x0: Int, n0: Int) {
        #expect(throws: ExperimentError.self) {
            try TwoProportions(treatmentSuccesses: x1, treatmentTrials: n1, controlSuccesses: x0, controlTrials: n0)
        }
    }

    @Test func emptyArmAndBadLevelThrow() {
        #expect(throws: ExperimentError.insufficientData("the control arm has no trials")) {
            try TwoProportions(treatmentSuccesses: 1, treatmentTrials: 10, controlSuccesses: 0, controlTrials: 0)
        }
        #expect(throws: ExperimentError.self) {
            try TwoProportions(
                treatmentSuccesses: 1, treatmentTrials: 10, controlSuccesses: 1, controlTrials: 10, confidence: 1)
        }
    }
}

@Suite("Experiments: power and minimum detectable effect")
struct ExperimentPowerTests {
    @Test func powerMatchesClosedFormAndStatsmodels() throws {
        // R's documented example power.prop.test(n = 50, p1 = .50, p2 = .75) prints power = 0.7401659, the near
        // tail only (strict = FALSE). With the far tail as well (strict = TRUE, the same closed form evaluated with
        // SciPy 1.17.1 norm.cdf): 0.740167193453611; statsmodels 0.15.0
        // power_proportions_2indep(0.25, 0.5, 50).power = 0.7401671934536109.
        let r = try PowerAnalysis.power(baselineRate: 0.5, difference: 0.25, treatmentCount: 50, controlCount: 50)
        #expect(isNear(r, 0.740167193453611))
        #expect(abs(r - 0.7401659) < 2e-6)  // the far tail adds 1.3e-6
        // statsmodels power_proportions_2indep(0.05, 0.20, 1000).power; the closed form gives 0.7638458805048884.
        let a = try PowerAnalysis.power(baselineRate: 0.2, difference: 0.05, treatmentCount: 1000, controlCount: 1000)
        #expect(isNear(a, 0.7638458805048886))
        // A decrease at α = 0.01: power_proportions_2indep(-0.03, 0.30, 500, alpha=0.01).power.
        let b = try PowerAnalysis.power(
            baselineRate: 0.3, difference: -0.03, treatmentCount: 500, controlCount: 500, alpha: 0.01)
        #expect(isNear(b, 0.06366206554852702))
        // Unequal arms, 2000 treated and 1000 controls: power_proportions_2indep(0.04, 0.30, 2000, ratio=0.5).power.
        let c = try PowerAnalysis.power(baselineRate: 0.3, difference: 0.04, treatmentCount: 2000, controlCount: 1000)
        #expect(isNear(c, 0.5968135646848567))
        // No effect: the test rejects with probability α.
        let null = try PowerAnalysis.power(baselineRate: 0.3, difference: 0, treatmentCount: 700, controlCount: 300)
        #expect(isNear(null, 0.05, relative: 1e-9))
    }

    /// Each MDE is the root of statsmodels' power function found by SciPy: `brentq(lambda d:
    /// power_proportions_2indep(d, p0, n1, ratio=n0/n1, alpha=alpha).power - power, 1e-9, 1 - p0, xtol=1e-15)`;
    /// plugging it back into our own power function must give the wanted power.
    @Test(arguments: [
        (0.20, 1000, 1000, 0.05, 0.8, 0.05238637299972632),
        (0.30, 2000, 1000, 0.05, 0.9, 0.059048343394014415),
        (0.05, 20000, 5000, 0.01, 0.8, 0.012649210999613063),
    ])
    func minimumDetectableEffect(p0: Double, n1: Int, n0: Int, alpha: Double, power: Double, expected: Double) throws {
        let mde = try #require(
            try PowerAnalysis.minimumDetectableEffect(
                baselineRate: p0, treatmentCount: n1, controlCount: n0, alpha: alpha, power: power))
        #expect(isNear(mde, expected))
        let achieved = try PowerAnalysis.power(
            baselineRate: p0, difference: mde, treatmentCount: n1, controlCount: n0, alpha: alpha)
        #expect(isNear(achieved, power, relative: 1e-9))
    }

    /// The Wald test's power, normal approximation Φ(δ/σ₁ − z) + Φ(−δ/σ₁ − z) with σ₁ the true unpooled standard
    /// error: statsmodels 0.15.0 `normal_power_het(delta, 1, alpha, std_null=s1, std_alternative=s1,
    /// alternative='two-sided')` with s1 = √(p₁q₁/n₁ + p₀q₀/n₀). Each MDE is its root found by SciPy 1.17.1
    /// `brentq(..., 1e-9, 1 - p0, xtol=1e-15)`.
    @Test func waldPowerMatchesStatsmodels() throws {
        let rows: [(Double, Double, Int, Int, Double, Double)] = [
            (0.5, 0.25, 50, 50, 0.05, 0.7619701394681069),
            (0.2, 0.05, 1000, 1000, 0.05, 0.7649297684982908),
            (0.3, -0.03, 500, 500, 0.01, 0.06384030147514674),
            (0.3, 0.04, 2000, 1000, 0.05, 0.6058402306949928),
            (0.3, 0, 700, 300, 0.05, 0.05),
        ]
        for (p0, delta, n1, n0, alpha, expected) in rows {
            let power = try PowerAnalysis.power(
                baselineRate: p0, difference: delta, treatmentCount: n1, controlCount: n0, alpha: alpha, test: .wald)
            #expect(isNear(power, expected), "\(p0) + \(delta), \(n1) vs \(n0)")
        }
        let mdes: [(Double, Int, Int, Double, Double, Double)] = [
            (0.20, 1000, 1000, 0.05, 0.8, 0.05231165266350647),
            (0.30, 2000, 1000, 0.05, 0.9, 0.058435420546760646),
            (0.05, 20000, 5000, 0.01, 0.8, 0.012038691469920274),
        ]
        for (p0, n1, n0, alpha, power, expected) in mdes {
            let mde = try PowerAnalysis.minimumDetectableEffect(
                baselineRate: p0, treatmentCount: n1, controlCount: n0, alpha: alpha, power: power, test: .wald)
            #expect(isNear(mde, expected))
        }
    }

    @Test func undetectableAndInvalid() throws {
        // statsmodels power_proportions_2indep(0.5, 0.5, 5, alpha=0.001).power = 0.03640756135196423: even a jump
        // from 50 % to 100 % is below 80 % power with 5 users an arm.
        #expect(
            try PowerAnalysis.minimumDetectableEffect(
                baselineRate: 0.5, treatmentCount: 5, controlCount: 5, alpha: 0.001, power: 0.8) == nil)
        #expect(
            isNear(
                try PowerAnalysis.power(
                    baselineRate: 0.5, difference: 0.5, treatmentCount: 5, controlCount: 5, alpha: 0.001),
                0.03640756135196423))
        #expect(throws: ExperimentError.self) {
            try PowerAnalysis.power(baselineRate: 0, difference: 0.1, treatmentCount: 10, controlCount: 10)
        }
        #expect(throws: ExperimentError.self) {
            try PowerAnalysis.power(baselineRate: 0.9, difference: 0.2, treatmentCount: 10, controlCount: 10)
        }
        #expect(throws: ExperimentError.self) {
            try PowerAnalysis.minimumDetectableEffect(baselineRate: 0.2, treatmentCount: 0, controlCount: 10)
        }
        #expect(throws: ExperimentError.self) {
            try PowerAnalysis.minimumDetectableEffect(
                baselineRate: 0.2, treatmentCount: 10, controlCount: 10, alpha: 0.05, power: 0.01)
        }
    }
}
