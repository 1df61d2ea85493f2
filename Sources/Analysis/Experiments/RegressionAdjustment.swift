import Stats

/// A treatment effect adjusted for several pre-period covariates by the fully interacted regression of Lin (2013,
/// "Agnostic notes on regression adjustments to experimental data: reexamining Freedman's critique", Annals of
/// Applied Statistics 7(1)), with heteroskedasticity-robust standard errors: CUPED (Deng, Xu, Kohavi and Walker
/// 2013, "Improving the sensitivity of online controlled experiments by utilizing pre-experiment data", WSDM)
/// generalised to many covariates.
///
/// With Tᵢ = 1 for treatment and 0 for control, the covariates centred at their mean over all users,
/// x̃ᵢ = xᵢ − x̄, the ordinary least-squares fit
///
///     Yᵢ = α + τ Tᵢ + βᵀ x̃ᵢ + γᵀ Tᵢ x̃ᵢ + eᵢ
///
/// is a separate regression in each arm (slopes β in control, β + γ in treatment), and τ̂ is the difference of
/// the two arms' fitted means at the pooled x̄: τ̂ = [ȳ₁ − (β̂ + γ̂)ᵀ(x̄₁ − x̄)] − [ȳ₀ − β̂ᵀ(x̄₀ − x̄)]. Assignment is
/// independent of anything measured before it, so τ̂ is consistent for the average effect whatever the true
/// relation between outcome and covariates; Lin's theorem 1 shows it asymptotically at least as precise as the
/// unadjusted difference, and theorem 2 that the Huber–White sandwich variance is consistent or conservative.
/// The interaction is what makes this hold even when the arms' slopes differ or the arms differ in size, where
/// the one-slope regression (ANCOVA) can lose precision (Freedman's critique).
///
/// The sandwich is (XᵀX)⁻¹ Xᵀ diag(ωᵢ) X (XᵀX)⁻¹, with residuals eᵢ and leverages hᵢ = xᵢᵀ(XᵀX)⁻¹xᵢ:
/// - HC2 (MacKinnon and White 1985, "Some heteroskedasticity-consistent covariance matrix estimators with
///   improved finite sample properties", J. Econometrics 29): ωᵢ = eᵢ²/(1 − hᵢ). With no covariates it is
///   exactly Welch's s₁²/n₁ + s₀²/n₀, the Neyman variance, which is why Lin recommends it.
/// - HC1: ωᵢ = eᵢ², times n/(n − p) for the p coefficients (Stata's `robust`).
/// The test and intervals are normal (z), Lin's asymptotics; statsmodels' OLS with `cov_type="HC2"` reports the
/// same.
///
/// Users with no history (new users, users not seen in the pre-period) get covariates 0 and an indicator
/// "no pre-period history" = 1 (the missing-indicator fallback of commercial CUPED variants): with its interaction
/// the indicator gives them their own intercept in each arm, so the 0 does not pretend they had a quiet
/// pre-period. It is the regression counterpart of stratifying on whether a user has pre-period data.
///
/// Against ``CUPED`` with one covariate: CUPED subtracts θ(x − x̄) with one pooled slope
/// θ = Σ(x − x̄)(y − ȳ)/Σ(x − x̄)² over both arms and runs Welch's test on the adjusted outcomes. The two agree
/// exactly in the point estimate when the arms' covariate means are equal (both reduce to ȳ₁ − ȳ₀), and in the
/// residuals as well when, in addition, the two arms' own slopes are equal (then θ is that slope). Even then the
/// variances differ: CUPED treats θ as known and divides Σe² by nₐ − 1, while HC2 weighs each eᵢ² by
/// 1/(1 − hᵢ), which accounts for the slope each arm estimates. When |xᵢ − x̄ₐ| is the same for every user of an
/// arm, hᵢ = 2/nₐ and the HC2 variance is CUPED's with nₐ − 2 in place of nₐ − 1. In general the point estimates
/// differ by (θ − β̂₁)(x̄₁ − x̄) − (θ − β̂₀)(x̄₀ − x̄), with β̂ₐ each arm's own slope: of the order of the standard
/// error itself when the arms' slopes differ (Lin's estimate is then the more precise one asymptotically), and of
/// smaller order when they agree, since θ differs from the pooled within-arm slope only through the between-arm
/// term n₁(x̄₁ − x̄)(ȳ₁ − ȳ) + n₀(x̄₀ − x̄)(ȳ₀ − ȳ), of order 1 against Σ(x − x̄)² of order n.
public struct RegressionAdjustment: Sendable, Hashable, Codable {
    /// One coefficient of the fitted regression with its two robust standard errors.
    public struct Coefficient: Sendable, Hashable, Codable {
        /// "intercept", "treatment", a covariate's name (its slope in control) or "treatment × name" (the
        /// treatment arm's slope minus the control arm's).
        public let name: String
        public let estimate: Double
        public let hc2StandardError: Double
        public let hc1StandardError: Double
    }

    /// The name of the indicator added when some user has no covariates.
    public static let noHistoryName = "no pre-period history"

    public let treatmentUsers: Int
    public let controlUsers: Int
    /// Level of the intervals.
    public let confidence: Double
    /// The covariates in the regression, in the order given, the no-history indicator last when present.
    public let covariates: [String]
    /// Their means over all users, where the regression centres them.
    public let covariateMeans: [Double]
    /// Covariates left out because they are constant, or a linear combination of covariates before them, within
    /// an arm (the interacted design would be singular), in the order given. The no-history indicator counts as
    /// first, so a covariate that is constant among the users with history (and 0 for the others) is dropped as
    /// its complement.
    public let droppedCovariates: [String]
    /// τ̂: the adjusted difference of means, treatment minus control.
    public let difference: Double
    /// √ of the HC2 variance of τ̂.
    public let hc2StandardError: Double
    /// √ of the HC1 variance of τ̂.
    public let hc1StandardError: Double
    /// τ̂ / hc2StandardError; `nil`, like ``pValue`` and ``interval``, when that is 0.
    public let zStatistic: Double?
    /// Two-sided, 2 P[Z > |z|].
    public let pValue: Double?
    /// τ̂ ± z(1 − α/2) × hc2StandardError.
    public let interval: ClosedRange<Double>?
    /// τ̂ ± z(1 − α/2) × hc1StandardError; `nil` when that is 0.
    public let hc1Interval: ClosedRange<Double>?
    /// ȳ₁ − ȳ₀.
    public let unadjustedDifference: Double
    /// √(s₁²/n₁ + s₀²/n₀): Welch's standard error, which is also the HC2 one of the regression without covariates.
    public let unadjustedStandardError: Double
    /// 1 − HC2 variance of τ̂ / unadjusted variance: the share of the variance the covariates removed. Negative
    /// when they hurt (possible in small samples); `nil` when the unadjusted variance is 0.
    public let varianceReduction: Double?
    /// Intercept, treatment, the centred covariates' slopes, then their interactions with treatment.
    public let coefficients: [Coefficient]

    /// - Parameters:
    ///   - outcomes: Each user's outcome.
    ///   - treated: Whether each user is in the treatment arm (else control).
    ///   - covariates: Each user's pre-period covariates, in the order of `covariateNames`, or `nil` for a user
    ///     with no history.
    ///   - covariateNames: One distinct name per covariate.
    ///   - confidence: Level of the intervals, in (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for arrays of different lengths, a covariate row of the
    ///   wrong length, a value that is not finite, repeated names or a level outside (0, 1);
    ///   ``ExperimentError/insufficientData(_:)`` when an arm has fewer than two users, no more users than the
    ///   coefficients of its regression, or a user whose covariates fit their outcome exactly (leverage 1, where
    ///   HC2 is undefined).
    public init(
        outcomes: [Double], treated: [Bool], covariates: [[Double]?], covariateNames: [String],
        confidence: Double = 0.95
    ) throws {
        let z = try ExperimentError.normalCritical(confidence)
        try Self.validate(outcomes: outcomes, treated: treated, covariates: covariates, names: covariateNames)
        let n = outcomes.count
        let treatmentRows = (0..<n).filter { treated[$0] }
        let controlRows = (0..<n).filter { !treated[$0] }

        // Candidate columns: the named covariates, then the no-history indicator when someone needs it.
        let k = covariateNames.count
        let anyMissing = covariates.contains { $0 == nil }
        let candidates = covariateNames + (anyMissing ? [Self.noHistoryName] : [])
        func value(_ i: Int, _ j: Int) -> Double {
            j < k ? covariates[i]?[j] ?? 0 : (covariates[i] == nil ? 1 : 0)
        }
        // The interacted design is full rank exactly when each arm's own [1, x] is: screen the treatment arm,
        // then the control arm on what survived (a subset of independent columns stays independent). The
        // indicator is screened first: a covariate that only says whether a user has history (one that is
        // constant among those who have it) is then the redundant one.
        func rows(_ users: [Int], _ columns: [Int]) -> [ArraySlice<Double>] {
            users.map { i in ArraySlice(columns.map { value(i, $0) }) }
        }
        let order = (anyMissing ? [k] : []) + Array(0..<k)
        let keptInTreatment = FeatureScreen.independent(rows: rows(treatmentRows, order)).map { order[$0] }
        let kept = FeatureScreen.independent(rows: rows(controlRows, keptInTreatment)).map { keptInTreatment[$0] }
            .sorted()
        let m = kept.count
        for (arm, count) in [("treatment", treatmentRows.count), ("control", controlRows.count)] where count <= m + 1 {
            throw ExperimentError.insufficientData(
                "the \(arm) arm has \(count) users for a regression with \(m + 1) coefficients; it needs more")
        }
        let means = kept.map { j in (0..<n).reduce(0.0) { $0 + value($1, j) } / Double(n) }

        // Design rows [1, T, x̃, T x̃].
        let p = 2 + 2 * m
        var elements = [Double](repeating: 0, count: n * p)
        for i in 0..<n {
            let t = treated[i] ? 1.0 : 0.0
            elements[i * p] = 1
            elements[i * p + 1] = t
            for (c, j) in kept.enumerated() {
                let centred = value(i, j) - means[c]
                elements[i * p + 2 + c] = centred
                elements[i * p + 2 + m + c] = t * centred
            }
        }
        let fit = try Self.leastSquares(Matrix(rows: n, columns: p, elements: elements), outcomes)

        let names =
            ["intercept", "treatment"] + kept.map { candidates[$0] } + kept.map { "treatment × \(candidates[$0])" }
        coefficients = (0..<p).map { j in
            Coefficient(
                name: names[j], estimate: fit.beta[j], hc2StandardError: max(0, fit.hc2[j, j]).squareRoot(),
                hc1StandardError: max(0, fit.hc1[j, j]).squareRoot())
        }
        treatmentUsers = treatmentRows.count
        controlUsers = controlRows.count
        self.confidence = confidence
        self.covariates = kept.map { candidates[$0] }
        covariateMeans = means
        droppedCovariates = candidates.indices.filter { !kept.contains($0) }.map { candidates[$0] }

        let tau = fit.beta[1]
        difference = tau
        hc2StandardError = coefficients[1].hc2StandardError
        hc1StandardError = coefficients[1].hc1StandardError
        if hc2StandardError > 0 {
            let statistic = tau / hc2StandardError
            zStatistic = statistic
            pValue = min(1, 2 * (try Normal(mean: 0, sd: 1)).survival(abs(statistic)))
            interval = (tau - z * hc2StandardError)...(tau + z * hc2StandardError)
        } else {
            (zStatistic, pValue, interval) = (nil, nil, nil)
        }
        hc1Interval = hc1StandardError > 0 ? (tau - z * hc1StandardError)...(tau + z * hc1StandardError) : nil

        let treatmentSummary = try ArmSummary(treatmentRows.map { outcomes[$0] })
        let controlSummary = try ArmSummary(controlRows.map { outcomes[$0] })
        unadjustedDifference = treatmentSummary.mean - controlSummary.mean
        let unadjustedVariance =
            treatmentSummary.variance / Double(treatmentSummary.count) + controlSummary.variance
            / Double(controlSummary.count)
        unadjustedStandardError = unadjustedVariance.squareRoot()
        varianceReduction =
            unadjustedVariance > 0 ? 1 - hc2StandardError * hc2StandardError / unadjustedVariance : nil
    }

    private static func validate(outcomes: [Double], treated: [Bool], covariates: [[Double]?], names: [String])
        throws
    {
        guard treated.count == outcomes.count, covariates.count == outcomes.count else {
            throw ExperimentError.invalidArgument(
                "each user needs an outcome, an arm and covariates (got \(outcomes.count), \(treated.count) and"
                    + " \(covariates.count))")
        }
        guard Set(names).count == names.count, !names.contains(noHistoryName) else {
            throw ExperimentError.invalidArgument(
                "covariate names must be distinct and not \"\(noHistoryName)\" (got \(names))")
        }
        if let bad = covariates.firstIndex(where: { $0 != nil && $0!.count != names.count }) {
            throw ExperimentError.invalidArgument(
                "user \(bad) has \(covariates[bad]!.count) covariates for \(names.count) names")
        }
        if let bad = outcomes.firstIndex(where: { !$0.isFinite }) {
            throw ExperimentError.invalidArgument("user \(bad)'s outcome is \(outcomes[bad]); it must be finite")
        }
        if let bad = covariates.firstIndex(where: { !($0 ?? []).allSatisfy(\.isFinite) }) {
            throw ExperimentError.invalidArgument("user \(bad)'s covariates must be finite (got \(covariates[bad]!))")
        }
        let treatedCount = treated.count(where: { $0 })
        for (arm, count) in [("treatment", treatedCount), ("control", treated.count - treatedCount)] where count < 2 {
            throw ExperimentError.insufficientData("the \(arm) arm needs at least two users (got \(count))")
        }
    }

    /// β̂ = (XᵀX)⁻¹Xᵀy by Cholesky on the normal equations (GSL, through ``Matrix``), and the HC2 and HC1
    /// sandwich covariances. The columns were screened for collinearity and the covariates centred, so XᵀX is
    /// well conditioned up to the covariates' scales, and Cholesky's error bound is invariant under scaling the
    /// columns (Higham 2002, "Accuracy and Stability of Numerical Algorithms", 2nd ed., ch. 10). On the test
    /// design the coefficients agree with statsmodels' pseudo-inverse fit to about 1e-12.
    private static func leastSquares(_ x: Matrix, _ y: [Double]) throws -> (beta: [Double], hc2: Matrix, hc1: Matrix) {
        let (n, p) = (x.rows, x.columns)
        let gram = x.transposeMultiplied(by: x)
        let beta: [Double]
        let bread: Matrix
        do {
            beta = try gram.choleskySolve(x.transposeMultiplied(by: y))
            bread = try gram.choleskyInverse()
        } catch let error as GSLError {
            throw ExperimentError.insufficientData("the covariates are collinear after screening: \(error)")
        }
        let fitted = x.multiplied(by: beta)
        let leverageFactors = x.multiplied(by: bread)
        var hc2Rows = x
        var hc0Rows = x
        for i in 0..<n {
            var leverage = 0.0
            for j in 0..<p { leverage += leverageFactors[i, j] * x[i, j] }
            guard leverage < 1 - 1e-10 else {
                throw ExperimentError.insufficientData(
                    "user \(i) has leverage 1: its covariates single it out in its arm, so its residual is 0 and"
                        + " HC2 is undefined")
            }
            let residual = y[i] - fitted[i]
            let squared = residual * residual
            for j in 0..<p {
                hc0Rows[i, j] *= squared
                hc2Rows[i, j] *= squared / (1 - leverage)
            }
        }
        let hc2 = bread * hc2Rows.transposeMultiplied(by: x) * bread
        let hc0 = bread * hc0Rows.transposeMultiplied(by: x) * bread
        let scale = Double(n) / Double(n - p)
        let hc1 = Matrix(rows: p, columns: p, elements: hc0.elements.map { $0 * scale })
        return (beta, hc2, hc1)
    }
}
