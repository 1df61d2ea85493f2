#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A "buy till you die" model of repeat purchasing in a non-contractual setting: customers buy at a rate λ while
/// alive and drop out unobserved, with λ and the dropout process varying across customers. Given a customer's
/// history (``CustomerSummary``) the model says how likely the customer is to be alive and what they will do next.
///
/// All times — the summaries' `tx` and `T` and every `horizon` — are in the unit the model was fitted in.
public protocol CustomerBaseModel: Sendable, Hashable {
    /// The parameters' names, in the order of ``parameters``.
    static var parameterNames: [String] { get }
    /// The parameters, all positive.
    var parameters: [Double] { get }
    /// - Throws: ``GSLError`` (`GSL_EDOM`) unless there are as many parameters as ``parameterNames``, all positive
    ///   and finite.
    init(parameters: [Double]) throws
    /// The log-likelihood of one customer's summary.
    func logLikelihood(_ customer: CustomerSummary) -> Double
    /// P(alive at T | x, tx, T).
    func probabilityAlive(_ customer: CustomerSummary) -> Double
    /// E[number of transactions in (T, T + horizon] | x, tx, T]. - Precondition: `horizon` ≥ 0 and finite.
    func expectedTransactions(_ customer: CustomerSummary, horizon: Double) -> Double
    /// P(no transaction in (T, T + horizon] | x, tx, T). - Precondition: `horizon` ≥ 0 and finite.
    func probabilityOfNoTransactions(_ customer: CustomerSummary, horizon: Double) -> Double
}

extension CustomerBaseModel {
    /// The total log-likelihood of several customers.
    public func logLikelihood(_ customers: [CustomerSummary]) -> Double {
        let groups = CustomerGroups(customers)
        return zip(groups.customers, groups.counts).reduce(0) { $0 + $1.1 * logLikelihood($1.0) }
    }

    static func validated(_ parameters: [Double], function: String) throws -> [Double] {
        guard parameters.count == parameterNames.count else {
            throw GSL.domainError(
                function, "expected \(parameterNames.count) parameters, got \(parameters.count)")
        }
        for (value, name) in zip(parameters, parameterNames) {
            try Check.positive(value, name, in: function)
        }
        return parameters
    }

    static func validated(horizon: Double, in function: String) {
        precondition(horizon.isFinite && horizon >= 0, "\(function): horizon must be ≥ 0 and finite (got \(horizon))")
    }
}

/// A customer-base model fitted by maximum likelihood, with standard errors from the observed information.
///
/// The likelihood is maximized over θ = log(parameters). The covariance of θ̂ is the inverse of the observed
/// information — the Hessian of the negative log-likelihood at θ̂, inverted by GSL Cholesky. The Hessian is numerical:
/// central differences of the closed-form gradient where the model has one (BG/NBD), otherwise second differences
/// of the log-likelihood, Richardson-extrapolated from steps 0.004 and 0.002 in θ (Pareto/NBD). The parameters' own standard errors follow by the delta method, SE(p̂) = p̂ · SE(log p̂); at an exact
/// maximum that is the same as inverting the observed information on the natural scale, because the gradient
/// vanishes there and the two Hessians differ only by the Jacobian diag(1/p). Intervals are better formed on the log
/// scale (``confidenceIntervals(level:)``), where they respect positivity.
public struct CustomerBaseFit<Model: CustomerBaseModel>: Sendable {
    /// The fitted model, for predictions.
    public let model: Model
    /// √diag of ``covariance``: standard errors of the parameters by the delta method, in the order of ``names``.
    /// NaN when the observed information is not positive definite (a maximum on the edge of the parameter space, or
    /// too little data to tell parameters apart).
    public let standardErrors: [Double]
    /// Standard errors of log(parameters), √diag of ``logScaleCovariance``.
    public let logScaleStandardErrors: [Double]
    /// Inverse observed information of log(parameters). All NaN when the information is not positive definite.
    public let logScaleCovariance: Matrix
    /// diag(p̂) · ``logScaleCovariance`` · diag(p̂): the delta-method covariance of the parameters.
    public let covariance: Matrix
    /// Total log-likelihood at the estimate.
    public let logLikelihood: Double
    /// Number of customers fitted.
    public let customerCount: Int
    /// Iterations (simplex, quasi-Newton and Newton) from the start that gave the estimate.
    public let iterations: Int
    /// Whether ``gradientNorm`` reached the tolerance given to `fit`.
    public let converged: Bool
    /// Euclidean norm of the gradient of the mean log-likelihood per customer with respect to log(parameters), at
    /// the estimate.
    public let gradientNorm: Double
    /// How many starting points ended at the estimate (within 1e-6 in total log-likelihood) — all of them, as a
    /// rule; fewer hints at a flat or multimodal likelihood.
    public let startsReachingOptimum: Int
    /// Starting points tried (those with a finite likelihood).
    public let startCount: Int

    /// The parameter names, as ``CustomerBaseModel/parameterNames``.
    public var names: [String] { Model.parameterNames }
    /// The estimates, in the order of ``names``.
    public var parameters: [Double] { model.parameters }

    /// Wald intervals on the log scale mapped back, exp(log p̂ ± z·SE(log p̂)) with z the standard normal quantile
    /// for `level`: always positive, and asymmetric like the likelihood usually is.
    /// - Throws: ``GSLError`` (`GSL_EDOM`) unless 0 < level < 1.
    /// Both bounds are NaN where the standard error is.
    public func confidenceIntervals(level: Double = 0.95) throws -> [(lower: Double, upper: Double)] {
        guard level > 0, level < 1 else {
            throw GSL.domainError("CustomerBaseFit.confidenceIntervals", "level must be in (0, 1) (got \(level))")
        }
        let z = try Normal(mean: 0, sd: 1).quantile(0.5 + level / 2)
        return zip(parameters, logScaleStandardErrors).map { estimate, error in
            (estimate * exp(-z * error), estimate * exp(z * error))
        }
    }

    /// P(alive at T | x, tx, T) under the fitted model.
    public func probabilityAlive(_ customer: CustomerSummary) -> Double {
        model.probabilityAlive(customer)
    }

    /// E[transactions in (T, T + horizon] | x, tx, T] under the fitted model.
    public func expectedTransactions(_ customer: CustomerSummary, horizon: Double) -> Double {
        model.expectedTransactions(customer, horizon: horizon)
    }

    /// P(no transaction in (T, T + horizon] | x, tx, T) under the fitted model.
    public func probabilityOfNoTransactions(_ customer: CustomerSummary, horizon: Double) -> Double {
        model.probabilityOfNoTransactions(customer, horizon: horizon)
    }

    /// Fits `Model` by maximizing the sum of `logLikelihood` over `customers`.
    static func estimate(
        _ customers: [CustomerSummary], starts: [Model], maxIterations: Int, gradientTolerance: Double,
        function: String, gradient: ((CustomerSummary, [Double]) -> [Double])? = nil
    ) throws -> CustomerBaseFit {
        guard !customers.isEmpty else { throw GSL.domainError(function, "there are no customers") }
        guard maxIterations >= 1 else {
            throw GSL.domainError(function, "maxIterations must be at least 1 (got \(maxIterations))")
        }
        guard gradientTolerance.isFinite, gradientTolerance > 0 else {
            throw GSL.domainError(function, "gradientTolerance must be positive and finite (got \(gradientTolerance))")
        }
        let groups = CustomerGroups(customers)
        guard groups.pooledRate > 0 else {
            throw GSL.domainError(
                function, "no customer has a repeat transaction, so the purchase rate cannot be estimated")
        }
        guard !starts.isEmpty else { throw GSL.domainError(function, "there are no starting points") }
        let count = Double(groups.total)
        let dimension = Model.parameterNames.count
        let value: ([Double]) -> Double = { theta in
            guard let model = try? Model(parameters: theta.map(exp)) else { return .infinity }
            var sum = 0.0
            for (customer, multiplicity) in zip(groups.customers, groups.counts) {
                sum += multiplicity * model.logLikelihood(customer)
            }
            let mean = -sum / count
            return mean.isFinite ? mean : .infinity
        }
        let meanGradient: (([Double]) -> [Double])? = gradient.map { perCustomer in
            { theta in
                let parameters = theta.map(exp)
                var sum = [Double](repeating: 0, count: dimension)
                for (customer, multiplicity) in zip(groups.customers, groups.counts) {
                    for (index, component) in perCustomer(customer, parameters).enumerated() {
                        sum[index] += multiplicity * component
                    }
                }
                return sum.map { -$0 / count }
            }
        }
        let objective = LogScaleObjective(
            dimension: dimension, customerCount: groups.total, value: value, gradient: meanGradient)
        let optimum = try LogScaleMaximumLikelihood.minimize(
            objective, starts: starts.map { $0.parameters.map(log) }, maxIterations: maxIterations,
            gradientTolerance: gradientTolerance, function: function)

        let estimates = optimum.theta.map(exp)
        let model = try Model(parameters: estimates)
        let information = objective.totalHessian(at: optimum.theta)
        let logCovariance =
            (try? information.choleskyInverse())
            ?? Matrix(rows: dimension, columns: dimension, repeating: .nan)
        var covariance = logCovariance
        for i in 0..<dimension {
            for j in 0..<dimension {
                covariance[i, j] *= estimates[i] * estimates[j]
            }
        }
        let logErrors = (0..<dimension).map { logCovariance[$0, $0].squareRoot() }
        let logLikelihood = zip(groups.customers, groups.counts).reduce(0) { $0 + $1.1 * model.logLikelihood($1.0) }
        return CustomerBaseFit(
            model: model, standardErrors: zip(estimates, logErrors).map { $0 * $1 },
            logScaleStandardErrors: logErrors, logScaleCovariance: logCovariance, covariance: covariance,
            logLikelihood: logLikelihood, customerCount: groups.total, iterations: optimum.iterations,
            converged: optimum.converged, gradientNorm: optimum.gradientNorm,
            startsReachingOptimum: optimum.startsReachingOptimum, startCount: optimum.startsUsed)
    }
}
