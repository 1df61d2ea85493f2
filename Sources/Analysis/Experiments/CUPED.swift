/// CUPED (Deng, Xu, Kohavi and Walker 2013, "Improving the sensitivity of online controlled experiments by
/// utilizing pre-experiment data"): the outcome is adjusted by a covariate measured before assignment, which removes
/// the part of its variance the covariate predicts without biasing the difference, because assignment is
/// independent of anything measured before it.
///
/// θ = cov(Y, X) / var(X) over both arms pooled, each user's outcome becomes Y − θ (X − X̄) with X̄ the pooled
/// covariate mean, and the arms are compared by ``WelchTest`` on the adjusted outcomes. One θ for both arms keeps
/// the adjustment identical across arms, so it cannot create a difference of its own.
public struct CUPED: Sendable, Hashable {
    /// The regression slope of outcome on covariate, pooled over both arms.
    public let theta: Double
    /// Welch's test on the adjusted outcomes: the CUPED estimate, interval and p-value.
    public let adjusted: WelchTest
    /// Welch's test on the raw outcomes, for comparison.
    public let unadjusted: WelchTest
    /// The covariate of each arm, for recomputing θ and the adjusted figures from summaries.
    public let treatmentCovariate: CovariateMoments
    public let controlCovariate: CovariateMoments

    /// One arm's covariate: count, mean, sample variance and sample covariance with the outcome (divisor n − 1).
    public struct CovariateMoments: Sendable, Hashable {
        public let count: Int
        public let mean: Double
        public let variance: Double
        public let covarianceWithOutcome: Double

        /// Two passes over the arm's values: means first, then centred sums.
        init(outcome y: [Double], covariate x: [Double]) {
            let n = Double(x.count)
            let meanX = x.reduce(0, +) / n
            let meanY = y.reduce(0, +) / n
            var sxx = 0.0
            var sxy = 0.0
            for (xi, yi) in zip(x, y) {
                sxx += (xi - meanX) * (xi - meanX)
                sxy += (xi - meanX) * (yi - meanY)
            }
            count = x.count
            mean = meanX
            variance = sxx / (n - 1)
            covarianceWithOutcome = sxy / (n - 1)
        }
    }

    /// - Parameters:
    ///   - treatment: Outcomes of the treatment arm.
    ///   - treatmentCovariate: The covariate of the same users, in the same order (e.g. active days before the
    ///     index day).
    ///   - control: Outcomes of the control arm.
    ///   - controlCovariate: The control users' covariate.
    ///   - confidence: Level of the intervals, in (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` when a covariate array does not match its outcomes or a
    ///   value is not finite; ``ExperimentError/insufficientData(_:)`` when an arm has fewer than two users or the
    ///   covariate is constant, so θ is undefined.
    public init(
        treatment: [Double], treatmentCovariate: [Double], control: [Double], controlCovariate: [Double],
        confidence: Double = 0.95
    ) throws {
        guard treatment.count == treatmentCovariate.count, control.count == controlCovariate.count else {
            throw ExperimentError.invalidArgument(
                "each outcome needs one covariate value (treatment \(treatment.count) vs \(treatmentCovariate.count),"
                    + " control \(control.count) vs \(controlCovariate.count))")
        }
        unadjusted = try WelchTest(treatment: treatment, control: control, confidence: confidence)
        let y = treatment + control
        let x = treatmentCovariate + controlCovariate
        guard x.allSatisfy(\.isFinite) else {
            throw ExperimentError.invalidArgument("covariate values must be finite")
        }
        let n = Double(y.count)
        let meanX = x.reduce(0, +) / n
        let meanY = y.reduce(0, +) / n
        var sxy = 0.0
        var sxx = 0.0
        for (xi, yi) in zip(x, y) {
            sxy += (xi - meanX) * (yi - meanY)
            sxx += (xi - meanX) * (xi - meanX)
        }
        guard sxx > 0 else {
            throw ExperimentError.insufficientData("the covariate is constant, so it cannot explain any variance")
        }
        let theta = sxy / sxx
        self.theta = theta
        self.treatmentCovariate = CovariateMoments(outcome: treatment, covariate: treatmentCovariate)
        self.controlCovariate = CovariateMoments(outcome: control, covariate: controlCovariate)
        let adjust = { (outcome: Double, covariate: Double) in outcome - theta * (covariate - meanX) }
        adjusted = try WelchTest(
            treatment: zip(treatment, treatmentCovariate).map(adjust),
            control: zip(control, controlCovariate).map(adjust),
            confidence: confidence)
    }

    /// 1 − Var(adjusted difference) / Var(raw difference): the share of the variance of the estimated lift that
    /// the covariate removed, i.e. the share of users the experiment saved. Can be slightly negative in a small
    /// sample where the covariate is useless; `nil` when the raw difference has no variance.
    public var varianceReduction: Double? {
        let raw = unadjusted.standardError * unadjusted.standardError
        guard raw > 0 else { return nil }
        return 1 - adjusted.standardError * adjusted.standardError / raw
    }
}
