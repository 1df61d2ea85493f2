import Analysis
import Testing

// Reference values: SciPy 1.17.1 and statsmodels 0.15.0, as cited on each line.

@Suite("Experiments: Welch's test and CUPED")
struct ExperimentMeanTests {
    /// Revenue per user in two small arms, many zeros, unequal sizes and spreads.
    static let treatment = [12.5, 0.0, 31.0, 7.25, 18.0, 0.0, 22.5, 9.75, 14.0, 40.0, 5.5, 0.0]
    static let control = [3.0, 0.0, 11.5, 6.25, 0.0, 8.0, 2.5, 0.0, 13.0, 4.75, 9.0]

    @Test func samplesMatchSciPy() throws {
        let test = try WelchTest(treatment: Self.treatment, control: Self.control)
        // r = scipy.stats.ttest_ind(treatment, control, equal_var=False)
        #expect(isNear(test.t, 2.063302944084876))  // r.statistic
        #expect(isNear(test.pValue, 0.05795371319715647))  // r.pvalue
        #expect(isNear(test.degreesOfFreedom, 14.13443390319329))  // r.df
        #expect(isNear(test.interval?.lowerBound, -0.312465166838523))  // r.confidence_interval(0.95).low
        #expect(isNear(test.interval?.upperBound, 16.517010621383974))  // r.confidence_interval(0.95).high
        // statsmodels CompareMeans(DescrStatsW(t), DescrStatsW(c)).tconfint_diff(usevar='unequal') agrees:
        // (-0.312465166838523, 16.517010621383974).
        #expect(isNear(test.treatment.variance, 161.33522727272728))  // numpy.var(treatment, ddof=1)
        #expect(isNear(test.control.variance, 21.730681818181818))  // numpy.var(control, ddof=1)
        #expect(isNear(test.difference, 13.375 - 5.2727272727272725))  // numpy.mean of each
        #expect(isNear(test.relativeLift, 1.536637931034483))  // numpy.mean(t) / numpy.mean(c) - 1

        let ninety = try WelchTest(treatment: Self.treatment, control: Self.control, confidence: 0.9)
        #expect(isNear(ninety.interval?.lowerBound, 1.1905244407779163))  // r.confidence_interval(0.9).low
        #expect(isNear(ninety.interval?.upperBound, 15.014021013767536))  // r.confidence_interval(0.9).high
    }

    @Test func summaryStatisticsMatchSciPy() throws {
        let test = try WelchTest(
            treatment: ArmSummary(count: 25, mean: 12.3, variance: 9.7),
            control: ArmSummary(count: 31, mean: 10.1, variance: 4.2))
        // scipy.stats.ttest_ind_from_stats(12.3, sqrt(9.7), 25, 10.1, sqrt(4.2), 31, equal_var=False)
        #expect(isNear(test.t, 3.040682175058991))
        #expect(isNear(test.pValue, 0.004161826104249811))
        // Welch–Satterthwaite by hand in Python, and diff ± scipy.stats.t.ppf(0.975, df) × se.
        #expect(isNear(test.degreesOfFreedom, 39.80451688620239))
        #expect(isNear(test.standardError, 0.7235218524465877))
        #expect(isNear(test.interval?.lowerBound, 0.7374840525189101))
        #expect(isNear(test.interval?.upperBound, 3.66251594748109))
    }

    @Test func constantArms() throws {
        // One constant arm: df = n₁ − 1. scipy.stats.ttest_ind([1, 2, 3, 4], [2, 2, 2], equal_var=False) gives
        // t = 0.7745966692414834, p = 0.4950253460597111, df = 3.0.
        let one = try WelchTest(treatment: [1, 2, 3, 4], control: [2, 2, 2])
        #expect(isNear(one.t, 0.7745966692414834) && isNear(one.pValue, 0.4950253460597111))
        #expect(isNear(one.degreesOfFreedom, 3))
        // Both constant: no standard error, so no t, p or interval — but the difference is still reported.
        let both = try WelchTest(treatment: [0, 0, 0], control: [0, 0])
        #expect(both.standardError == 0 && both.difference == 0)
        #expect(both.t == nil && both.pValue == nil && both.interval == nil && both.degreesOfFreedom == nil)
        #expect(both.relativeLift == nil)
    }

    @Test func invalidInputThrows() {
        #expect(throws: ExperimentError.self) { try WelchTest(treatment: [1], control: [1, 2]) }
        #expect(throws: ExperimentError.self) { try WelchTest(treatment: [], control: [1, 2]) }
        #expect(throws: ExperimentError.self) { try WelchTest(treatment: [1, .nan], control: [1, 2]) }
        #expect(throws: ExperimentError.self) { try ArmSummary(count: 10, mean: 1, variance: -1) }
        #expect(throws: ExperimentError.self) { try WelchTest(treatment: [1, 2], control: [1, 2], confidence: 0) }
    }

    // Outcomes (e.g. active days after the index day) with a pre-period covariate of the same users.
    static let cupedTreatment: [Double] = [5, 9, 2, 14, 7, 11, 0, 6, 12, 8]
    static let cupedTreatmentBefore: [Double] = [4, 10, 1, 12, 6, 9, 0, 7, 10, 5]
    static let cupedControl: [Double] = [3, 8, 1, 10, 4, 0, 6, 9, 2]
    static let cupedControlBefore: [Double] = [5, 11, 0, 13, 4, 1, 8, 9, 3]

    /// θ from scipy.stats.linregress(x, y).slope on both arms pooled; adjusted outcomes y − θ(x − x̄) in NumPy,
    /// then scipy.stats.ttest_ind(adjusted_t, adjusted_c, equal_var=False) and its confidence_interval(0.95).
    /// Variance reduction as 1 − (d_adj/t_adj)² / (d_raw/t_raw)², the squared standard errors recovered from SciPy.
    @Test func cupedMatchesSciPy() throws {
        let cuped = try CUPED(
            treatment: Self.cupedTreatment, treatmentCovariate: Self.cupedTreatmentBefore,
            control: Self.cupedControl, controlCovariate: Self.cupedControlBefore)
        #expect(isNear(cuped.theta, 0.9187650914108314))
        #expect(isNear(cuped.adjusted.difference, 2.2547161856578883))
        #expect(isNear(cuped.adjusted.t, 3.8083485436436724))
        #expect(isNear(cuped.adjusted.pValue, 0.0014218392707313746))
        #expect(isNear(cuped.adjusted.degreesOfFreedom, 16.87119102648686))
        #expect(isNear(cuped.adjusted.interval?.lowerBound, 1.0048821841947757))
        #expect(isNear(cuped.adjusted.interval?.upperBound, 3.504550187121001))
        #expect(isNear(cuped.varianceReduction, 0.8963456533038733))
        // The unadjusted comparison: ttest_ind(y_t, y_c, equal_var=False).
        #expect(isNear(cuped.unadjusted.difference, 2.6222222222222227))
        #expect(isNear(cuped.unadjusted.t, 1.4259623503903431))
        #expect(isNear(cuped.unadjusted.pValue, 0.17208272047913176))
    }

    /// The covariate summaries written to results.json: per arm len(x), numpy.mean(x), numpy.var(x, ddof=1) and
    /// numpy.cov(x, y, ddof=1)[0, 1] (NumPy 2). θ and the adjusted lift recomputed from them and the outcome means
    /// alone equal the figures computed from the users.
    @Test func covariateSummariesRecomputeTheAdjustment() throws {
        let cuped = try CUPED(
            treatment: Self.cupedTreatment, treatmentCovariate: Self.cupedTreatmentBefore,
            control: Self.cupedControl, controlCovariate: Self.cupedControlBefore)
        let (t, c) = (cuped.treatmentCovariate, cuped.controlCovariate)
        #expect(t.count == 10 && isNear(t.mean, 6.4) && isNear(t.variance, 15.822222222222223))
        #expect(isNear(t.covarianceWithOutcome, 16.6))
        #expect(c.count == 9 && isNear(c.mean, 6.0) && isNear(c.variance, 20.25))
        #expect(isNear(c.covarianceWithOutcome, 15.75))
        // Pooled sums of squares from the arms: within-arm parts plus the between-arm part.
        let (n1, n0) = (Double(t.count), Double(c.count))
        let (y1, y0) = (cuped.unadjusted.treatment.mean, cuped.unadjusted.control.mean)
        let meanX = (n1 * t.mean + n0 * c.mean) / (n1 + n0)
        let meanY = (n1 * y1 + n0 * y0) / (n1 + n0)
        let sxy =
            (n1 - 1) * t.covarianceWithOutcome + (n0 - 1) * c.covarianceWithOutcome + n1 * (t.mean - meanX)
            * (y1 - meanY) + n0 * (c.mean - meanX) * (y0 - meanY)
        let sxx =
            (n1 - 1) * t.variance + (n0 - 1) * c.variance + n1 * (t.mean - meanX) * (t.mean - meanX) + n0
            * (c.mean - meanX) * (c.mean - meanX)
        let theta = sxy / sxx
        #expect(isNear(theta, 0.9187650914108314))
        #expect(isNear((y1 - theta * (t.mean - meanX)) - (y0 - theta * (c.mean - meanX)), 2.2547161856578883))
        // The adjusted variance of each arm: Var(y) − 2θ Cov(x, y) + θ² Var(x).
        let v1 = cuped.unadjusted.treatment.variance - 2 * theta * t.covarianceWithOutcome + theta * theta * t.variance
        #expect(isNear(v1, cuped.adjusted.treatment.variance, relative: 1e-12))
    }

    /// A covariate unrelated to the outcome leaves it (almost) alone: with θ = 0 exactly the adjusted test is the
    /// raw one.
    @Test func uncorrelatedCovariateChangesNothing() throws {
        // x = ±1 alternating against y symmetric around its mean: Σ(x − x̄)(y − ȳ) = 0 by construction.
        let cuped = try CUPED(
            treatment: [1, 1, 3, 3], treatmentCovariate: [1, -1, 1, -1], control: [0, 0, 2, 2],
            controlCovariate: [1, -1, 1, -1])
        #expect(cuped.theta == 0)
        #expect(cuped.adjusted == cuped.unadjusted)
        #expect(cuped.varianceReduction == 0)
    }

    @Test func cupedInvalidInputThrows() {
        #expect(throws: ExperimentError.self) {
            try CUPED(treatment: [1, 2], treatmentCovariate: [1], control: [1, 2], controlCovariate: [1, 2])
        }
        let constant = ExperimentError.insufficientData("the covariate is constant, so it cannot explain any variance")
        #expect(throws: constant) {
            try CUPED(treatment: [1, 2], treatmentCovariate: [3, 3], control: [1, 2], controlCovariate: [3, 3])
        }
    }
}
