#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A binary logistic regression, P(y = true | x) = 1 / (1 + e^−(β·x)), fitted by maximum likelihood.
///
/// The fit is Newton–Raphson on the log-likelihood (iteratively reweighted least squares): each step solves
/// (XᵀWX + λD) δ = Xᵀ(y − p) − λDβ by GSL Cholesky, with W = diag(p(1 − p)) and D the identity without the
/// intercept. A step that lowers the (penalized) log-likelihood is halved until it does not.
///
/// Standardization is the caller's job: coefficients are on the scale of the features given, and a ridge penalty
/// treats all features alike, so put features on comparable scales before using `ridge`.
public struct LogisticRegression: Sendable {
    /// One name per coefficient; `"(Intercept)"` first when fitted with an intercept.
    public let names: [String]
    /// β, in the order of ``names``.
    public let coefficients: [Double]
    /// √diag((XᵀWX + λD)⁻¹) at the fitted coefficients. With `ridge > 0` these come from the penalized information
    /// and are approximate (they ignore the bias the penalty introduces).
    public let standardErrors: [Double]
    /// Wald statistics coefficient / standard error.
    public let zScores: [Double]
    /// Two-sided Wald p-values, 2·P[Z > |z|] from GSL's standard normal upper tail.
    public let pValues: [Double]
    /// Newton steps taken.
    public let iterations: Int
    /// Whether the Newton decrement fell below the tolerance within `maxIterations`.
    public let converged: Bool
    /// Unpenalized Bernoulli log-likelihood at the fitted coefficients.
    public let logLikelihood: Double
    /// −2 × ``logLikelihood`` (the saturated model of 0/1 outcomes has log-likelihood 0), as R's `glm` reports.
    public let deviance: Double
    /// Whether the first coefficient is an intercept.
    public let hasIntercept: Bool
    /// The ridge penalty λ used.
    public let ridge: Double

    /// Number of features a row passed to ``probability(_:)`` must have.
    public var featureCount: Int { coefficients.count - (hasIntercept ? 1 : 0) }

    /// Fits the model.
    ///
    /// - Parameters:
    ///   - x: One row of finite features per observation, all rows the same length (the intercept is added here).
    ///   - y: One outcome per row; both values must occur.
    ///   - names: Optional feature names (without the intercept); default `x1`, `x2`, ….
    ///   - intercept: Whether to add a constant column.
    ///   - maxIterations: Newton steps allowed; when they run out the fit is returned with `converged == false`.
    ///   - tolerance: Stop when the Newton decrement δᵀ(XᵀWX)δ — the squared step in standard-error units, twice the
    ///     predicted log-likelihood gain — is at most this, after taking that last step. Newton converges
    ///     quadratically, so the coefficients are then far more precise than √tolerance standard errors.
    ///   - ridge: λ ≥ 0, an L2 penalty ½λ‖β‖² on the non-intercept coefficients. With λ = 0, perfectly or
    ///     quasi-perfectly separable data have no finite maximum-likelihood estimate and the fit throws; any λ > 0
    ///     makes the objective strictly concave and the estimate finite (shrunk towards 0).
    /// - Throws: ``GSLError``: `GSL_EDOM` for empty, ragged, non-finite or one-class input and for bad settings,
    ///   `GSL_EBADLEN` for mismatched lengths, `GSL_ESING` when features are collinear, `GSL_EDIVERGE` when the
    ///   data are separable and `ridge` is 0.
    public static func fit(
        features x: [[Double]], outcomes y: [Bool], names: [String]? = nil, intercept: Bool = true,
        maxIterations: Int = 50, tolerance: Double = 1e-10, ridge: Double = 0
    ) throws -> LogisticRegression {
        let function = "LogisticRegression.fit"
        GSL.ensureInitialized()
        let design = try validate(x: x, y: y, names: names, intercept: intercept, function: function)
        guard maxIterations >= 1 else {
            throw GSL.domainError(function, "maxIterations must be at least 1 (got \(maxIterations))")
        }
        guard tolerance.isFinite, tolerance > 0 else {
            throw GSL.domainError(function, "tolerance must be positive and finite (got \(tolerance))")
        }
        guard ridge.isFinite, ridge >= 0 else {
            throw GSL.domainError(function, "ridge must be non-negative and finite (got \(ridge))")
        }
        let featureNames = names ?? (0..<(design.columns - (intercept ? 1 : 0))).map { "x\($0 + 1)" }
        let allNames = (intercept ? ["(Intercept)"] : []) + featureNames
        let outcomes = y.map { $0 ? 1.0 : 0.0 }
        let penalized = (0..<design.columns).map { !(intercept && $0 == 0) }
        let objective = Objective(design: design, outcomes: outcomes, ridge: ridge, penalized: penalized)

        var beta = [Double](repeating: 0, count: design.columns)
        var state = objective.evaluate(beta)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            let step: [Double]
            do {
                step = try objective.information(state).choleskySolve(state.score)
            } catch let error as GSLError {
                throw iterations == 1 || ridge > 0
                    ? collinear(function, error) : separated(function, ridge: ridge, at: iterations)
            }
            let decrement = zip(step, state.score).reduce(0) { $0 + $1.0 * $1.1 }
            var scale = 1.0
            var candidate = objective.evaluate(zip(beta, step).map { $0 + $1 })
            // Halve a step that overshoots; 30 halvings reach 1e-9 of the step, beyond which it is noise.
            var halvings = 0
            let floor = state.penalizedLogLikelihood - 1e-12 * abs(state.penalizedLogLikelihood)
            while !(candidate.penalizedLogLikelihood >= floor) && halvings < 30 {
                scale /= 2
                halvings += 1
                candidate = objective.evaluate(zip(beta, step).map { $0 + scale * $1 })
            }
            beta = candidate.beta
            state = candidate
            if decrement <= tolerance {
                converged = true
                break
            }
        }

        if ridge == 0, objective.isSeparated(state) {
            throw separated(function, ridge: ridge, at: iterations)
        }
        let covariance: Matrix
        do {
            covariance = try objective.information(state).choleskyInverse()
        } catch let error as GSLError {
            throw ridge == 0 ? separated(function, ridge: ridge, at: iterations) : collinear(function, error)
        }
        let standardErrors = (0..<beta.count).map { covariance[$0, $0].squareRoot() }
        let zScores = zip(beta, standardErrors).map { $0 / $1 }
        let standardNormal = try Normal(mean: 0, sd: 1)
        let pValues = zScores.map { z in z.isNaN ? Double.nan : min(1, 2 * standardNormal.survival(abs(z))) }
        return LogisticRegression(
            names: allNames, coefficients: beta, standardErrors: standardErrors, zScores: zScores, pValues: pValues,
            iterations: iterations, converged: converged, logLikelihood: state.logLikelihood,
            deviance: -2 * state.logLikelihood, hasIntercept: intercept, ridge: ridge)
    }

    /// Fitted P(outcome = true) for one row of features (without the intercept column).
    /// - Precondition: `features.count == featureCount`.
    public func probability(_ features: [Double]) -> Double {
        precondition(
            features.count == featureCount,
            "LogisticRegression.probability needs \(featureCount) features, got \(features.count)")
        var eta = hasIntercept ? coefficients[0] : 0
        for (value, coefficient) in zip(features, coefficients.dropFirst(hasIntercept ? 1 : 0)) {
            eta += value * coefficient
        }
        return Self.logistic(eta)
    }

    // MARK: - Internals

    /// 1 / (1 + e^−η), written so that neither branch overflows.
    static func logistic(_ eta: Double) -> Double {
        if eta >= 0 {
            return 1 / (1 + exp(-eta))
        }
        let e = exp(eta)
        return e / (1 + e)
    }

    private static func validate(
        x: [[Double]], y: [Bool], names: [String]?, intercept: Bool, function: String
    ) throws -> Matrix {
        guard !x.isEmpty else { throw GSL.domainError(function, "there are no observations") }
        guard x.count == y.count else {
            throw GSLError(
                code: Matrix.badLength, reason: "\(x.count) feature rows but \(y.count) outcomes", function: function)
        }
        let width = x[0].count
        if let bad = x.firstIndex(where: { $0.count != width }) {
            throw GSLError(
                code: Matrix.badLength, reason: "row \(bad) has \(x[bad].count) features but row 0 has \(width)",
                function: function)
        }
        if let names, names.count != width {
            throw GSLError(
                code: Matrix.badLength, reason: "\(names.count) names for \(width) features", function: function)
        }
        for (i, row) in x.enumerated() {
            if let j = row.firstIndex(where: { !$0.isFinite }) {
                throw GSL.domainError(function, "features must be finite (row \(i), feature \(j) is \(row[j]))")
            }
        }
        guard width + (intercept ? 1 : 0) > 0 else {
            throw GSL.domainError(function, "the model has no coefficients (no features and no intercept)")
        }
        guard y.contains(true), y.contains(false) else {
            throw GSL.domainError(
                function, "outcomes are all \(y[0]); both outcomes must occur for the likelihood to have a maximum")
        }
        var elements: [Double] = []
        elements.reserveCapacity(x.count * (width + 1))
        for row in x {
            if intercept { elements.append(1) }
            elements.append(contentsOf: row)
        }
        return Matrix(rows: x.count, columns: width + (intercept ? 1 : 0), elements: elements)
    }

    private static func collinear(_ function: String, _ error: GSLError) -> GSLError {
        GSLError(
            code: Matrix.singular,
            reason: "XᵀWX is not positive definite: features are collinear or constant (\(error.reason))",
            function: function)
    }

    private static func separated(_ function: String, ridge: Double, at iteration: Int) -> GSLError {
        GSLError(
            code: 22,  // GSL_EDIVERGE
            reason: "outcomes are perfectly or quasi-perfectly separated by the features, so coefficients diverge"
                + " (detected after \(iteration) iterations); use ridge > 0 or remove the separating feature",
            function: function)
    }
}

/// The penalized log-likelihood and its derivatives for one data set.
private struct Objective {
    let design: Matrix
    let outcomes: [Double]
    let ridge: Double
    let penalized: [Bool]

    struct State {
        let beta: [Double]
        let eta: [Double]
        /// p(1 − p) per observation, computed from e^−|η| so it stays positive far into the tails.
        let weights: [Double]
        let score: [Double]
        let logLikelihood: Double
        let penalizedLogLikelihood: Double
    }

    func evaluate(_ beta: [Double]) -> State {
        let eta = design.multiplied(by: beta)
        var residuals = [Double](repeating: 0, count: eta.count)
        var weights = [Double](repeating: 0, count: eta.count)
        var logLikelihood = 0.0
        for i in 0..<eta.count {
            let e = exp(-abs(eta[i]))
            let p = LogisticRegression.logistic(eta[i])
            residuals[i] = outcomes[i] - p
            weights[i] = e / ((1 + e) * (1 + e))
            // log p = −log(1 + e^−η), log(1 − p) = −log(1 + e^η), both via log1p(e^−|η|).
            let softplus = max(eta[i], 0) + log1p(e)
            logLikelihood += outcomes[i] * eta[i] - softplus
        }
        var score = design.transposeMultiplied(by: residuals)
        var penalty = 0.0
        for j in 0..<beta.count where penalized[j] {
            score[j] -= ridge * beta[j]
            penalty += 0.5 * ridge * beta[j] * beta[j]
        }
        return State(
            beta: beta, eta: eta, weights: weights, score: score, logLikelihood: logLikelihood,
            penalizedLogLikelihood: logLikelihood - penalty)
    }

    /// XᵀWX + λD, the negative Hessian of the penalized log-likelihood.
    func information(_ state: State) -> Matrix {
        var scaled = design
        for i in 0..<design.rows {
            let root = state.weights[i].squareRoot()
            for j in 0..<design.columns {
                scaled[i, j] *= root
            }
        }
        var information = scaled.transposeMultiplied(by: scaled)
        for j in 0..<design.columns where penalized[j] {
            information[j, j] += ridge
        }
        return information
    }

    /// Separation test at the fitted β. Around a finite maximum the log-likelihood falls steeply in every
    /// direction; separated data let it keep rising (or stay flat) along the direction the coefficients escape in,
    /// which is where the Newton step from β points. So: move β along that step, scaled until the linear predictor
    /// changes by up to 10, and call the data separated when the log-likelihood does not fall by at least 1e-6.
    func isSeparated(_ state: State) -> Bool {
        // Separation drives some fitted probabilities to numerically 0 or 1; without such a point the fit is interior.
        guard state.eta.contains(where: { abs($0) > 15 }) else { return false }
        guard let step = try? information(state).choleskySolve(state.score) else { return true }
        guard step.contains(where: { $0 != 0 }) else { return false }
        let change = design.multiplied(by: step)
        let largest = change.reduce(0) { max($0, abs($1)) }
        guard largest > 0 else { return true }
        let probe = zip(state.beta, step).map { $0 + 10 / largest * $1 }
        return evaluate(probe).logLikelihood >= state.logLikelihood - 1e-6
    }
}
