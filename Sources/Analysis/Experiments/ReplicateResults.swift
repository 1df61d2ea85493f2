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
                metrics.append(try Self.summarise(metric.metric, lifts, alpha: alpha))
            }
            comparisons.append(Comparison(arm: comparison.arm, metrics: metrics))
        }
        self.comparisons = comparisons
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
