import Stats

/// `results.json`'s `replicates`: the same scenario run with seeds `seed, seed + 1, …`, and for each
/// arm and metric the distribution of the measured lift, the share of replicates that detect it
/// (the power) and the share whose interval covers that replicate's true effect (the coverage).
public struct ReplicateResults: Codable, Sendable {
    public let count: Int
    public let seeds: [UInt64]
    public var alpha = 0.05
    public let comparisons: [Comparison]

    public struct Comparison: Codable, Sendable {
        public let arm: String
        public let metrics: [Metric]
    }

    public struct Metric: Codable, Sendable {
        public let metric: String
        /// `primary` or `exploratory`, as in each replicate.
        public let role: String
        public let lifts: [Double]
        /// Each replicate's 95 % interval (`nil` where it has none) and group sizes, so the coverage and
        /// the standard errors can be recomputed.
        public let lowers: [Double?]
        public let uppers: [Double?]
        public let treatmentUsers: [Int]
        public let controlUsers: [Int]
        /// Raw p-values, which the power counts, and Holm-adjusted ones within each replicate's family.
        public let pValues: [Double?]
        public let pValuesHolm: [Double?]
        public let trueEffects: [Double]
        public let meanLift: Double
        public let standardDeviationOfLift: Double?
        public let meanTrueEffect: Double
        /// Mean of the standard errors implied by each replicate's interval (width / 3.92).
        public let meanStandardError: Double?
        /// Share of replicates with raw p < alpha: the power of one test.
        public let power: Double?
        /// Share of replicates whose 95 % interval holds their true effect.
        public let coverage: Double?
        /// Analytic power of the Wald z test for the mean true effect at the mean group sizes and
        /// control rate: what the replicates' power checks.
        public let analyticPower: Double?
        /// Analytic minimum detectable effect (80 % power) at the mean group sizes and control rate.
        public let minimumDetectableEffect: Double?
        /// Every estimator of the metric over the replicates (``MethodSummary``).
        public var methods: [MethodSummary] = []
    }

    /// How one estimator or decision rule fared over the replicates, against each replicate's true effect.
    public struct MethodSummary: Codable, Sendable {
        public let method: String
        /// Replicates in which the method gave a result.
        public let replicates: Int
        /// Share of them in which it declared an effect (p < α, an interval or sequence excluding 0, or a
        /// posterior chance of being better above 1 − α/2 or below α/2): the power, or under a placebo the
        /// false-positive rate.
        public let rejections: Double?
        /// Share whose interval held the replicate's true effect.
        public let coverage: Double?
        /// Mean of estimate − true effect, and the root mean square of it.
        public let bias: Double?
        public let rootMeanSquareError: Double?
        /// For rules that stop: the median day of monitoring at which the stopping replicates stopped (day 1 is
        /// the first look).
        public let medianStoppingDay: Double?
    }

    public init(seeds: [UInt64], runs: [ExperimentResults]) throws {
        count = runs.count
        self.seeds = seeds
        guard let first = runs.first else {
            comparisons = []
            return
        }
        var comparisons: [Comparison] = []
        for (k, comparison) in first.comparisons.enumerated() {
            var metrics: [Metric] = []
            for (j, metric) in comparison.metrics.enumerated() {
                let lifts = runs.map { $0.comparisons[k].metrics[j] }
                var summary = try Self.summarise(metric.metric, lifts, alpha: alpha)
                summary.methods = Self.methods(lifts, alpha: alpha)
                metrics.append(summary)
            }
            comparisons.append(Comparison(arm: comparison.arm, metrics: metrics))
        }
        self.comparisons = comparisons
    }

    /// One replicate's reading by one method: its estimate, interval, whether it declared an effect, and the
    /// day of monitoring it stopped on.
    struct Reading {
        var estimate: Double?
        var interval: (Double, Double)?
        var rejects: Bool
        var stoppedOn: Int?
    }

    /// The estimators of ``ExperimentResults/Lift`` over the replicates, each against the true effects.
    static func methods(_ lifts: [ExperimentResults.Lift], alpha: Double) -> [MethodSummary] {
        func pair(_ lower: Double?, _ upper: Double?) -> (Double, Double)? {
            lower.flatMap { lo in upper.map { (lo, $0) } }
        }
        func day(_ l: ExperimentResults.Lift, _ stop: Int?) -> Int? {
            stop.flatMap { s in l.sequential?.firstLookDay.map { s - $0 + 1 } }
        }
        let readers: [(String, (ExperimentResults.Lift) -> Reading?)] = [
            (
                "fixed horizon",
                { l in
                    l.pValue.map {
                        Reading(estimate: l.absoluteLift, interval: pair(l.lower, l.upper), rejects: $0 < alpha)
                    }
                }
            ),
            (
                "fixed horizon, peeking daily",
                { l in
                    l.sequential.flatMap { s in
                        s.final == nil
                            ? nil
                            : Reading(rejects: s.peekingStoppingDay != nil, stoppedOn: day(l, s.peekingStoppingDay))
                    }
                }
            ),
            (
                "confidence sequence",
                { l in
                    l.sequential?.final.map { f in
                        Reading(
                            estimate: f.difference, interval: (f.lower, f.upper),
                            rejects: l.sequential?.stoppingDay != nil, stoppedOn: day(l, l.sequential?.stoppingDay))
                    }
                }
            ),
            (
                "CUPED",
                { l in
                    l.cuped.flatMap { c in
                        c.pValue.map {
                            Reading(estimate: c.absoluteLift, interval: pair(c.lower, c.upper), rejects: $0 < alpha)
                        }
                    }
                }
            ),
            (
                "regression-adjusted",
                { l in
                    l.adjusted.flatMap { a in
                        a.pValue.map {
                            Reading(
                                estimate: a.difference, interval: pair(a.interval?.lowerBound, a.interval?.upperBound),
                                rejects: $0 < alpha)
                        }
                    }
                }
            ),
            (
                "winsorized",
                { l in
                    l.winsorized.flatMap { w in
                        w.welch.pValue.map {
                            Reading(
                                estimate: w.welch.difference,
                                interval: pair(w.welch.interval?.lowerBound, w.welch.interval?.upperBound),
                                rejects: $0 < alpha)
                        }
                    }
                }
            ),
            (
                "Bayesian",
                { l in
                    l.bayesian.map { b in
                        Reading(
                            estimate: b.posteriorMean, interval: (b.credibleLower, b.credibleUpper),
                            rejects: b.probabilityTreatmentBetter > 1 - alpha / 2
                                || b.probabilityTreatmentBetter < alpha / 2)
                    }
                }
            ),
        ]
        return readers.compactMap { name, read in
            let readings = lifts.compactMap { l in read(l).map { (l.trueEffect, $0) } }
            guard !readings.isEmpty else { return nil }
            let n = Double(readings.count)
            let rejections = Double(readings.count { $0.1.rejects }) / n
            let intervals = readings.compactMap { t, r in r.interval.map { $0.0 <= t && t <= $0.1 } }
            let errors = readings.compactMap { t, r in r.estimate.map { $0 - t } }
            let stops = readings.compactMap(\.1.stoppedOn).map(Double.init)
            return MethodSummary(
                method: name, replicates: readings.count, rejections: rejections,
                coverage: intervals.isEmpty ? nil : Double(intervals.count { $0 }) / Double(intervals.count),
                bias: errors.isEmpty ? nil : ExperimentStatistics.mean(errors),
                rootMeanSquareError: errors.isEmpty
                    ? nil : (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot(),
                medianStoppingDay: stops.isEmpty ? nil : Descriptive.median(stops))
        }
    }

    static func summarise(_ name: String, _ lifts: [ExperimentResults.Lift], alpha: Double) throws -> Metric {
        let values = lifts.map(\.absoluteLift)
        let summary = Summary(values)
        let mean = summary.mean
        let sd = values.count > 1 ? summary.standardDeviation : nil
        let trueEffects = lifts.map(\.trueEffect)
        let meanTrue = ExperimentStatistics.mean(trueEffects)
        let errors = lifts.compactMap { l in l.lower.flatMap { lo in l.upper.map { ($0 - lo) / 3.919927969 } } }
        let pValues = lifts.compactMap(\.pValue)
        let covered = lifts.compactMap(\.trueEffectCovered)
        var analytic: Double?
        var mde: Double?
        if lifts[0].kind == "proportion" {
            let n1 = lifts.reduce(0) { $0 + $1.treatment.users } / lifts.count
            let n0 = lifts.reduce(0) { $0 + $1.control.users } / lifts.count
            let p0 = lifts.reduce(0.0) { $0 + $1.control.mean } / Double(lifts.count)
            if n1 > 0, n0 > 0, p0 > 0, p0 < 1, p0 + meanTrue >= 0, p0 + meanTrue <= 1 {
                analytic = try PowerAnalysis.power(
                    baselineRate: p0, difference: meanTrue, treatmentCount: n1, controlCount: n0, alpha: alpha,
                    test: .wald)
                mde = try PowerAnalysis.minimumDetectableEffect(
                    baselineRate: p0, treatmentCount: n1, controlCount: n0, alpha: alpha, test: .wald)
            }
        }
        return Metric(
            metric: name, role: lifts[0].role, lifts: values, lowers: lifts.map(\.lower), uppers: lifts.map(\.upper),
            treatmentUsers: lifts.map(\.treatment.users), controlUsers: lifts.map(\.control.users),
            pValues: lifts.map(\.pValue), pValuesHolm: lifts.map(\.pValueHolm), trueEffects: trueEffects,
            meanLift: mean,
            standardDeviationOfLift: sd, meanTrueEffect: meanTrue,
            meanStandardError: errors.isEmpty ? nil : ExperimentStatistics.mean(errors),
            power: pValues.isEmpty ? nil : Double(pValues.filter { $0 < alpha }.count) / Double(pValues.count),
            coverage: covered.isEmpty ? nil : Double(covered.filter { $0 }.count) / Double(covered.count),
            analyticPower: analytic, minimumDetectableEffect: mde)
    }
}
