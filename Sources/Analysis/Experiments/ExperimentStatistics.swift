import Stats

/// Each metric of a comparison through the tested functions of this module: the Wald interval and the
/// Wald z test (one standard error for both) for proportions, Welch for means, CUPED on the pre-period
/// covariate, Kaplan–Meier with the log-rank test; then Holm and Benjamini–Hochberg, for the primary
/// metric across the arms and for the exploratory metrics across every arm and exploratory metric.
public enum ExperimentStatistics {
    public static func compare(_ s: ComparisonSamples, arm: String, control: String, winsorizeAt: Double = 0.99) throws
        -> ExperimentResults.Comparison
    {
        var lifts: [ExperimentResults.Lift] = []
        for m in s.metrics {
            var lift = try lift(m, samples: s)
            lift.adjusted = try adjusted(m, samples: s)
            lift.sequential = try sequential(m, samples: s)
            lift.bayesian = try bayesian(m, treatment: lift.treatment, control: lift.control)
            if !m.isProportion, m.treatment.count >= 2, m.control.count >= 2 {
                lift.winsorized = try unlessTooLittle {
                    try WinsorizedComparison(treatment: m.treatment, control: m.control, level: winsorizeAt)
                }
            }
            lifts.append(lift)
        }
        var comparison = ExperimentResults.Comparison(
            arm: arm, control: control, treatmentIndexed: s.treatmentIndexed, controlIndexed: s.controlIndexed,
            metrics: lifts, survival: try survival(s))
        comparison.ratios = try s.ratios.compactMap { r in
            guard let test = try unlessTooLittle({ try RatioMetricTest(treatment: r.treatment, control: r.control) })
            else { return nil }
            let truth = r.treatment.ratio.flatMap { t in r.treatmentCounterfactual.ratio.map { t - $0 } }
            return ExperimentResults.RatioLift(
                metric: r.name, test: test, trueEffect: truth,
                trueEffectCovered: truth.flatMap { t in test.interval.map { $0.contains(t) } })
        }
        return comparison
    }

    /// Lin's regression adjustment of a metric on the users' pre-period covariates; `nil` when the samples
    /// carry none or an arm is too small for the regression.
    static func adjusted(_ m: ComparisonSamples.Metric, samples s: ComparisonSamples) throws -> RegressionAdjustment? {
        guard s.treatmentHistory.count == m.treatment.count, s.controlHistory.count == m.control.count,
            !m.treatment.isEmpty, !m.control.isEmpty
        else { return nil }
        return try unlessTooLittle {
            try RegressionAdjustment(
                outcomes: m.treatment + m.control,
                treated: [Bool](repeating: true, count: m.treatment.count)
                    + [Bool](repeating: false, count: m.control.count),
                covariates: s.treatmentHistory + s.controlHistory, covariateNames: ComparisonSamples.historyNames)
        }
    }

    /// The daily looks at a metric; `nil` when the samples carry no outcome days.
    static func sequential(_ m: ComparisonSamples.Metric, samples s: ComparisonSamples) throws -> SequentialLooks? {
        guard s.treatmentOutcomeDay.count == m.treatment.count, s.controlOutcomeDay.count == m.control.count,
            !m.treatment.isEmpty, !m.control.isEmpty
        else { return nil }
        return try SequentialLooks(
            treatment: zip(s.treatmentOutcomeDay, m.treatment).map { ($0, $1) },
            control: zip(s.controlOutcomeDay, m.control).map { ($0, $1) }, proportion: m.isProportion)
    }

    /// The posterior of the difference: Beta–Binomial with uniform priors for proportions, the normal
    /// approximation with a flat prior for means; `nil` when an arm has fewer than two users.
    /// The arms' groups are the lift's, whose successes are already counted.
    static func bayesian(
        _ m: ComparisonSamples.Metric, treatment t: ExperimentResults.Group, control c: ExperimentResults.Group
    ) throws -> BayesianSummary? {
        guard m.treatment.count >= 2, m.control.count >= 2 else { return nil }
        if let ts = t.successes, let cs = c.successes {
            return try BayesianSummary.proportions(
                treatmentSuccesses: ts, treatmentTrials: t.users, controlSuccesses: cs, controlTrials: c.users)
        }
        return try unlessTooLittle {
            try BayesianSummary.means(treatment: ArmSummary(m.treatment), control: ArmSummary(m.control))
        }
    }

    /// The estimate, or `nil` when the data are too few for it (``ExperimentError/insufficientData(_:)``);
    /// any other error is thrown.
    static func unlessTooLittle<T>(_ estimate: () throws -> T) throws -> T? {
        do {
            return try estimate()
        } catch ExperimentError.insufficientData {
            return nil
        }
    }

    static func lift(_ m: ComparisonSamples.Metric, samples s: ComparisonSamples) throws -> ExperimentResults.Lift {
        let trueEffect = mean(m.trueDifference)
        let controlDifference = mean(m.controlDifference)
        let t = group(m.treatment, proportion: m.isProportion)
        let c = group(m.control, proportion: m.isProportion)
        var absolute = t.mean - c.mean
        var interval: ClosedRange<Double>?
        var relative: Double?
        var relativeInterval: ClosedRange<Double>?
        var p: Double?
        var method: String
        if m.isProportion, t.users > 0, c.users > 0 {
            let test = try TwoProportions(
                treatmentSuccesses: t.successes!, treatmentTrials: t.users, controlSuccesses: c.successes!,
                controlTrials: c.users)
            absolute = test.difference
            interval = test.waldInterval
            relative = test.relativeLift
            relativeInterval = test.relativeLiftInterval
            p = test.waldPValue
            method = "Wald interval and Wald z test (the same unpooled standard error)"
        } else if !m.isProportion, t.users >= 2, c.users >= 2 {
            let test = try WelchTest(treatment: m.treatment, control: m.control)
            absolute = test.difference
            interval = test.interval
            relative = test.relativeLift
            p = test.pValue
            method = "Welch t test"
        } else {
            method = "too few users"
        }
        let analytic = m.isProportion && t.users > 0 && c.users > 0 && c.mean > 0 && c.mean < 1
        var cuped: ExperimentResults.Cuped?
        if t.users >= 2, c.users >= 2,
            let adjusted = try? CUPED(
                treatment: m.treatment, treatmentCovariate: s.treatmentCovariate, control: m.control,
                controlCovariate: s.controlCovariate)
        {
            func summary(_ m: CUPED.CovariateMoments) -> ExperimentResults.CovariateSummary {
                ExperimentResults.CovariateSummary(
                    users: m.count, mean: m.mean, variance: m.variance, covarianceWithOutcome: m.covarianceWithOutcome)
            }
            cuped = ExperimentResults.Cuped(
                theta: adjusted.theta, treatmentCovariate: summary(adjusted.treatmentCovariate),
                controlCovariate: summary(adjusted.controlCovariate), varianceReduction: adjusted.varianceReduction,
                absoluteLift: adjusted.adjusted.difference, lower: adjusted.adjusted.interval?.lowerBound,
                upper: adjusted.adjusted.interval?.upperBound, pValue: adjusted.adjusted.pValue)
        }
        return ExperimentResults.Lift(
            metric: m.name, kind: m.isProportion ? "proportion" : "mean", treatment: t, control: c,
            absoluteLift: absolute, lower: interval?.lowerBound, upper: interval?.upperBound, method: method,
            relativeLift: relative, relativeLower: relativeInterval?.lowerBound,
            relativeUpper: relativeInterval?.upperBound, pValue: p, pValueHolm: nil, pValueBenjaminiHochberg: nil,
            cuped: cuped, trueEffect: trueEffect, controlCounterfactualDifference: controlDifference,
            trueEffectCovered: interval.map { $0.contains(trueEffect) },
            minimumDetectableEffect: analytic
                ? try PowerAnalysis.minimumDetectableEffect(
                    baselineRate: c.mean, treatmentCount: t.users, controlCount: c.users, test: .wald) : nil,
            powerForTrueEffect: analytic && c.mean + trueEffect >= 0 && c.mean + trueEffect <= 1
                ? try PowerAnalysis.power(
                    baselineRate: c.mean, difference: trueEffect, treatmentCount: t.users, controlCount: c.users,
                    test: .wald) : nil)
    }

    static func group(_ values: [Double], proportion: Bool) -> ExperimentResults.Group {
        let summary = Summary(values)
        return ExperimentResults.Group(
            users: values.count, successes: proportion ? values.filter { $0 > 0 }.count : nil, mean: mean(values),
            standardDeviation: values.count >= 2 ? summary.standardDeviation : nil)
    }

    /// The mean, 0 for no values (an arm nobody entered).
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : Summary(values).mean
    }

    /// Marks each comparison's `primary` metric and adjusts the p-values in two families: the primary
    /// metric's across the arms (the confirmatory question, one test per arm), and every other metric's
    /// across every arm and metric (exploratory). Holm controls the family-wise error rate,
    /// Benjamini–Hochberg the false discovery rate.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` when a comparison has no metric named `primary`.
    public static func correctForMultipleTesting(_ comparisons: [ExperimentResults.Comparison], primary: String)
        throws -> [ExperimentResults.Comparison]
    {
        var result = comparisons
        var families: [[(Int, Int)]] = [[], []]
        for (i, c) in comparisons.enumerated() {
            guard c.metrics.contains(where: { $0.metric == primary }) else {
                throw ExperimentError.invalidArgument(
                    "no metric '\(primary)' in the comparison of \(c.arm) (metrics: "
                        + c.metrics.map(\.metric).joined(separator: ", ") + ")")
            }
            for (j, lift) in c.metrics.enumerated() {
                let isPrimary = lift.metric == primary
                result[i].metrics[j].role = isPrimary ? "primary" : "exploratory"
                if lift.pValue != nil { families[isPrimary ? 0 : 1].append((i, j)) }
            }
        }
        for places in families where !places.isEmpty {
            let pValues = places.map { comparisons[$0.0].metrics[$0.1].pValue! }
            let holm = try MultipleTesting.holm(pValues)
            let bh = try MultipleTesting.benjaminiHochberg(pValues)
            for (k, (i, j)) in places.enumerated() {
                result[i].metrics[j].pValueHolm = holm[k]
                result[i].metrics[j].pValueBenjaminiHochberg = bh[k]
            }
        }
        return result
    }

    public static func sampleRatio(observed: [Int], shares: [Double]) throws -> ExperimentResults.SampleRatio {
        let test = try? SampleRatioMismatch(observed: observed, weights: shares)
        return ExperimentResults.SampleRatio(
            observed: observed, expectedShares: shares, chiSquare: test?.statistic,
            degreesOfFreedom: observed.count - 1, pValue: test?.pValue, mismatch: test?.isMismatch ?? false)
    }

    /// Kaplan–Meier per group and the log-rank test, when both groups have users. A run too short
    /// for anyone to lapse has curves but no test: the reason is kept in its place.
    static func survival(_ s: ComparisonSamples) throws -> ExperimentResults.Survival? {
        let t = s.treatmentSurvival.map { SurvivalObservation(time: $0.days, event: $0.event) }
        let c = s.controlSurvival.map { SurvivalObservation(time: $0.days, event: $0.event) }
        guard !t.isEmpty, !c.isEmpty else { return nil }
        let test: LogRankTest?
        var notComputable: String?
        do {
            test = try LogRankTest(groups: [t, c])
        } catch let error as ExperimentError {
            test = nil
            notComputable = error.description
        }
        func curve(_ o: [SurvivalObservation]) throws -> [ExperimentResults.CurvePoint] {
            try KaplanMeier(o).steps.map {
                ExperimentResults.CurvePoint(
                    day: $0.time, atRisk: $0.atRisk, events: $0.events, survival: $0.survival, lower: $0.lower,
                    upper: $0.upper)
            }
        }
        let table = try LogRankTest.riskTable(groups: [t, c]).map {
            ExperimentResults.LogRankRow(day: $0.time, atRisk: $0.atRisk, events: $0.events, censored: $0.censored)
        }
        return ExperimentResults.Survival(
            treatment: try curve(t), control: try curve(c), treatmentFollowUpDays: t.map(\.time).max() ?? 0,
            controlFollowUpDays: c.map(\.time).max() ?? 0, logRankChiSquare: test?.statistic,
            logRankPValue: test?.pValue, observedEvents: test?.observed, expectedEvents: test?.expected,
            logRankNotComputable: notComputable, logRankTable: table)
    }
}
