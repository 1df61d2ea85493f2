import Stats

/// A model of the individual treatment effect τ(x) = E[Y(1) − Y(0) | X = x] of a binary outcome, fitted on a
/// randomised experiment by one of the meta-learners of Künzel, Sekhon, Bickel and Yu (2019, "Metalearners for
/// estimating heterogeneous treatment effects using machine learning", PNAS 116(10) 4156–4165), with logistic
/// regression as the base learner for outcomes and ordinary least squares for imputed effects.
///
/// - **T-learner**: μ̂₁(x) = P̂(Y = 1 | x, treated) and μ̂₀(x) = P̂(Y = 1 | x, control), each a logistic regression
///   fitted on one arm only; τ̂(x) = μ̂₁(x) − μ̂₀(x).
/// - **X-learner**: the same μ̂₁ and μ̂₀, then imputed effects D¹ᵢ = Y¹ᵢ − μ̂₀(X¹ᵢ) for the treated users and
///   D⁰ᵢ = μ̂₁(X⁰ᵢ) − Y⁰ᵢ for the control users, regressed on the features within their arm to give τ̂₁ and τ̂₀;
///   τ̂(x) = g(x) τ̂₀(x) + (1 − g(x)) τ̂₁(x). The imputed effects lie in [−1, 1] and are not binary, so the second
///   stage is least squares. The weight g is the propensity score; the paper suggests an estimate of it, and in a
///   randomised experiment it is the constant share of treated users, which is what is used here. With more
///   treated than control users τ̂₀ (built on the better-fitted μ̂₁) gets the larger weight, as the paper argues.
///
/// Each arm's models use the features that are neither constant nor a linear combination of earlier features
/// among that arm's users (a logistic fit on them would be singular); the others are listed in
/// ``droppedTreatedFeatures`` and ``droppedControlFeatures`` and ignored when scoring. The kept features are
/// standardised on the arm's users before fitting, which changes no unpenalised prediction but keeps the
/// normal equations well conditioned.
public struct UpliftLearner: Sendable {
    /// Which meta-learner.
    public enum Kind: String, Sendable, Hashable, Codable {
        case tLearner = "T-learner"
        case xLearner = "X-learner"
    }

    public let kind: Kind
    /// The names of the features a row passed to ``uplift(_:)`` carries, in order.
    public let featureNames: [String]
    public let treatedUsers: Int
    public let controlUsers: Int
    /// g, the share of treated users among the fitted ones (the X-learner's weight on τ̂₀).
    public let propensity: Double
    /// Features the treated arm's models leave out (constant or collinear among the treated users).
    public var droppedTreatedFeatures: [String] { treated.dropped(featureNames) }
    /// Features the control arm's models leave out.
    public var droppedControlFeatures: [String] { control.dropped(featureNames) }

    let treated: ArmModels
    let control: ArmModels

    /// Fits a T-learner.
    ///
    /// - Parameters:
    ///   - features: One row of finite features per user, all the same length.
    ///   - treated: Whether each user was treated.
    ///   - outcomes: Each user's binary outcome.
    ///   - names: One name per feature; default `x1`, `x2`, ….
    ///   - ridge: The L2 penalty of the logistic regressions (``LogisticRegression`` in Stats, on the standardised
    ///     features); 0 gives the maximum-likelihood fit, which does not exist when an arm's outcomes are
    ///     separable by the features.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for inconsistent or non-finite input;
    ///   ``ExperimentError/insufficientData(_:)`` when an arm has too few users, a single outcome, or an outcome
    ///   model that cannot be fitted.
    public static func tLearner(
        features: [[Double]], treated: [Bool], outcomes: [Bool], names: [String]? = nil, ridge: Double = 0
    ) throws -> UpliftLearner {
        try fit(.tLearner, features: features, treated: treated, outcomes: outcomes, names: names, ridge: ridge)
    }

    /// Fits an X-learner; the parameters and errors are those of ``tLearner(features:treated:outcomes:names:ridge:)``.
    public static func xLearner(
        features: [[Double]], treated: [Bool], outcomes: [Bool], names: [String]? = nil, ridge: Double = 0
    ) throws -> UpliftLearner {
        try fit(.xLearner, features: features, treated: treated, outcomes: outcomes, names: names, ridge: ridge)
    }

    /// τ̂(x), the estimated effect of treatment on the probability of the outcome.
    /// - Precondition: `features.count == featureNames.count`.
    public func uplift(_ features: [Double]) -> Double {
        switch kind {
        case .tLearner:
            return treatedOutcomeProbability(features) - controlOutcomeProbability(features)
        case .xLearner:
            return propensity * controlEffect(features)! + (1 - propensity) * treatedEffect(features)!
        }
    }

    /// μ̂₁(x): the fitted probability of the outcome under treatment.
    public func treatedOutcomeProbability(_ features: [Double]) -> Double {
        treated.probability(check(features))
    }

    /// μ̂₀(x): the fitted probability of the outcome without treatment.
    public func controlOutcomeProbability(_ features: [Double]) -> Double {
        control.probability(check(features))
    }

    /// τ̂₁(x), the X-learner's regression of the treated users' imputed effects; `nil` for a T-learner.
    public func treatedEffect(_ features: [Double]) -> Double? {
        treated.effect(check(features))
    }

    /// τ̂₀(x), the X-learner's regression of the control users' imputed effects; `nil` for a T-learner.
    public func controlEffect(_ features: [Double]) -> Double? {
        control.effect(check(features))
    }

    private func check(_ features: [Double]) -> [Double] {
        precondition(
            features.count == featureNames.count,
            "UpliftLearner needs \(featureNames.count) features, got \(features.count)")
        return features
    }

    private static func fit(
        _ kind: Kind, features: [[Double]], treated: [Bool], outcomes: [Bool], names: [String]?, ridge: Double
    ) throws -> UpliftLearner {
        let width = features.first?.count ?? 0
        guard treated.count == features.count, outcomes.count == features.count else {
            throw ExperimentError.invalidArgument(
                "each user needs features, an arm and an outcome (got \(features.count), \(treated.count) and"
                    + " \(outcomes.count))")
        }
        if let bad = features.firstIndex(where: { $0.count != width }) {
            throw ExperimentError.invalidArgument("user \(bad) has \(features[bad].count) features, user 0 \(width)")
        }
        if let bad = features.firstIndex(where: { !$0.allSatisfy(\.isFinite) }) {
            throw ExperimentError.invalidArgument("user \(bad)'s features must be finite (got \(features[bad]))")
        }
        if let names, names.count != width {
            throw ExperimentError.invalidArgument("\(names.count) names for \(width) features")
        }
        guard ridge.isFinite, ridge >= 0 else {
            throw ExperimentError.invalidArgument("ridge must be finite and non-negative (got \(ridge))")
        }
        let treatedRows = features.indices.filter { treated[$0] }
        let controlRows = features.indices.filter { !treated[$0] }
        let treatedModels = try ArmModels(
            arm: "treatment", rows: treatedRows.map { features[$0] }, outcomes: treatedRows.map { outcomes[$0] },
            ridge: ridge)
        let controlModels = try ArmModels(
            arm: "control", rows: controlRows.map { features[$0] }, outcomes: controlRows.map { outcomes[$0] },
            ridge: ridge)
        let share = Double(treatedRows.count) / Double(features.count)
        var learner = UpliftLearner(
            kind: kind, featureNames: names ?? (0..<width).map { "x\($0 + 1)" }, treatedUsers: treatedRows.count,
            controlUsers: controlRows.count, propensity: share, treated: treatedModels, control: controlModels)
        if kind == .xLearner {
            // Imputed effects: each arm's observed outcome against the other arm's model.
            let treatedImputed = treatedRows.map { (outcomes[$0] ? 1 : 0) - controlModels.probability(features[$0]) }
            let controlImputed = controlRows.map { treatedModels.probability(features[$0]) - (outcomes[$0] ? 1 : 0) }
            try learner = UpliftLearner(
                kind: kind, featureNames: learner.featureNames, treatedUsers: learner.treatedUsers,
                controlUsers: learner.controlUsers, propensity: share,
                treated: treatedModels.withEffect(treatedRows.map { features[$0] }, treatedImputed),
                control: controlModels.withEffect(controlRows.map { features[$0] }, controlImputed))
        }
        return learner
    }
}

/// One arm's fitted models: the outcome model μ̂ and, for an X-learner, the effect regression τ̂, both on the
/// features kept for the arm, standardised on its users.
struct ArmModels: Sendable {
    /// Indices of the features used.
    let kept: [Int]
    let featureCount: Int
    let mean: [Double]
    let sd: [Double]
    let outcomeModel: LogisticRegression
    /// Intercept then one slope per kept feature (on the standardised scale); `nil` for a T-learner.
    let effectCoefficients: [Double]?

    init(arm: String, rows: [[Double]], outcomes: [Bool], ridge: Double) throws {
        featureCount = rows.first?.count ?? 0
        let kept = FeatureScreen.independent(rows: rows.map { ArraySlice($0) })
        self.kept = kept
        guard rows.count > kept.count + 1 else {
            throw ExperimentError.insufficientData(
                "the \(arm) arm has \(rows.count) users for \(kept.count + 1) coefficients; it needs more")
        }
        let standardize = Standardization(rows: rows.map { row in ArraySlice(kept.map { row[$0] }) })
        (mean, sd) = (standardize.mean, standardize.sd)
        effectCoefficients = nil
        do {
            outcomeModel = try LogisticRegression.fit(
                features: rows.map { row in standardize(ArraySlice(kept.map { row[$0] })) }, outcomes: outcomes,
                ridge: ridge)
        } catch {
            throw ExperimentError.insufficientData("the \(arm) arm's outcome model cannot be fitted: \(error)")
        }
    }

    private init(_ base: ArmModels, effectCoefficients: [Double]) {
        kept = base.kept
        featureCount = base.featureCount
        mean = base.mean
        sd = base.sd
        outcomeModel = base.outcomeModel
        self.effectCoefficients = effectCoefficients
    }

    /// The same arm with τ̂ fitted by least squares of `imputed` on the kept features: β̂ = (ZᵀZ)⁻¹Zᵀd by GSL's
    /// Cholesky on the normal equations, Z = [1, standardised features]; the screen made Z full rank and the
    /// standardisation keeps ZᵀZ well conditioned.
    func withEffect(_ rows: [[Double]], _ imputed: [Double]) throws -> ArmModels {
        let p = kept.count + 1
        var elements: [Double] = []
        elements.reserveCapacity(rows.count * p)
        for row in rows {
            elements.append(1)
            elements.append(contentsOf: standardized(row))
        }
        let design = Matrix(rows: rows.count, columns: p, elements: elements)
        do {
            let beta = try design.transposeMultiplied(by: design).choleskySolve(design.transposeMultiplied(by: imputed))
            return ArmModels(self, effectCoefficients: beta)
        } catch {
            throw ExperimentError.insufficientData("the imputed effects' regression cannot be fitted: \(error)")
        }
    }

    func standardized(_ row: [Double]) -> [Double] {
        kept.indices.map { (row[kept[$0]] - mean[$0]) / sd[$0] }
    }

    func probability(_ row: [Double]) -> Double {
        outcomeModel.probability(standardized(row))
    }

    func effect(_ row: [Double]) -> Double? {
        guard let beta = effectCoefficients else { return nil }
        return zip(standardized(row), beta.dropFirst()).reduce(beta[0]) { $0 + $1.0 * $1.1 }
    }

    func dropped(_ names: [String]) -> [String] {
        names.indices.filter { !kept.contains($0) }.map { names[$0] }
    }
}
