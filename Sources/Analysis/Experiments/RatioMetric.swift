import Stats

/// The additive moments of one arm's ratio metric Σxᵢ / Σyᵢ over its users: n, Σx, Σy, Σx², Σy² and Σxy, with xᵢ
/// the numerator and yᵢ the denominator of user i (sessions and "active: 1 or 0" for sessions per active user;
/// revenue and "paid: 1 or 0" for revenue per paying user).
///
/// Every field is a sum over users, so moments of shards (days, partitions of a warehouse table) merge by adding
/// them (``merged(with:)``) and the result is the same as from all users at once, up to the order of additions.
/// The price of plain sums is cancellation: a variance Σx²/n − x̄² loses about log₁₀(x̄²/s²) of the sixteen digits,
/// negligible for usage counts and revenue but not for values with a large offset (shift them first).
public struct RatioMoments: Sendable, Hashable, Codable {
    /// Users, including those whose denominator is 0 (they still add to the numerator's and denominator's spread).
    public private(set) var count: Int
    /// Σ xᵢ.
    public private(set) var numeratorSum: Double
    /// Σ yᵢ.
    public private(set) var denominatorSum: Double
    /// Σ xᵢ².
    public private(set) var numeratorSquares: Double
    /// Σ yᵢ².
    public private(set) var denominatorSquares: Double
    /// Σ xᵢyᵢ.
    public private(set) var crossProducts: Double

    /// No users yet; ``add(numerator:denominator:)`` or ``merged(with:)`` fill it.
    public init() {
        (count, numeratorSum, denominatorSum, numeratorSquares, denominatorSquares, crossProducts) = (0, 0, 0, 0, 0, 0)
    }

    /// Moments computed elsewhere (a warehouse query).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a negative count, a non-finite sum or negative sums of
    ///   squares.
    public init(
        count: Int, numeratorSum: Double, denominatorSum: Double, numeratorSquares: Double,
        denominatorSquares: Double, crossProducts: Double
    ) throws {
        guard count >= 0 else { throw ExperimentError.invalidArgument("a count must be non-negative (got \(count))") }
        let sums = [numeratorSum, denominatorSum, numeratorSquares, denominatorSquares, crossProducts]
        guard sums.allSatisfy(\.isFinite), numeratorSquares >= 0, denominatorSquares >= 0 else {
            throw ExperimentError.invalidArgument(
                "ratio moments must be finite with non-negative sums of squares (got \(sums))")
        }
        self.count = count
        self.numeratorSum = numeratorSum
        self.denominatorSum = denominatorSum
        self.numeratorSquares = numeratorSquares
        self.denominatorSquares = denominatorSquares
        self.crossProducts = crossProducts
    }

    /// The moments of per-user numerators and denominators.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` when the arrays differ in length or hold a value that is
    ///   not finite.
    public init(numerators: [Double], denominators: [Double]) throws {
        guard numerators.count == denominators.count else {
            throw ExperimentError.invalidArgument(
                "each user needs a numerator and a denominator (got \(numerators.count) and \(denominators.count))")
        }
        self.init()
        for (x, y) in zip(numerators, denominators) {
            try add(numerator: x, denominator: y)
        }
    }

    /// Adds one user.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a value that is not finite.
    public mutating func add(numerator x: Double, denominator y: Double) throws {
        guard x.isFinite, y.isFinite else {
            throw ExperimentError.invalidArgument("numerator and denominator must be finite (got \(x) and \(y))")
        }
        count += 1
        numeratorSum += x
        denominatorSum += y
        numeratorSquares += x * x
        denominatorSquares += y * y
        crossProducts += x * y
    }

    /// The moments of the union of two disjoint sets of users: the field-wise sum.
    public func merged(with other: RatioMoments) -> RatioMoments {
        var result = self
        result.count += other.count
        result.numeratorSum += other.numeratorSum
        result.denominatorSum += other.denominatorSum
        result.numeratorSquares += other.numeratorSquares
        result.denominatorSquares += other.denominatorSquares
        result.crossProducts += other.crossProducts
        return result
    }

    /// R̂ = Σx / Σy; `nil` when Σy = 0.
    public var ratio: Double? { denominatorSum == 0 ? nil : numeratorSum / denominatorSum }
}

/// A ratio metric Σx/Σy compared between a treatment and a control arm, with variances by the delta method (Deng,
/// Knoblich and Lu 2018, "Applying the Delta method in metric analytics: a practical guide with novel ideas", KDD).
///
/// Users are the randomization unit, so the user pairs (xᵢ, yᵢ) are independent, but the sessions or purchases
/// inside a ratio are not: treating each session as an observation understates the variance. The ratio of means
/// R̂ = x̄/ȳ is a smooth function of the pair of means, so the first-order Taylor expansion around (μₓ, μ_y) gives
///
///     Var(R̂) ≈ (1/n) [ sₓ²/ȳ² − 2 x̄ sₓᵧ/ȳ³ + x̄² s_y²/ȳ⁴ ] = Var(x − R̂ y) / (n ȳ²),
///
/// with sₓ², s_y², sₓᵧ the sample variances and covariance of the users' values (divisor n − 1, as GrowthBook's
/// `gbstats.models.statistics.RatioStatistic.variance` has it; the paper's large-sample result does not depend on
/// the divisor).
///
/// The arms are independent, so the difference Δ = R̂₁ − R̂₀ has variance Var(R̂₁) + Var(R̂₀), and its z test and
/// interval use the standard normal, as the delta method is an asymptotic argument. The relative lift
/// L = R̂₁/R̂₀ − 1 gets the delta method once more, for f(a, b) = a/b − 1 with ∇f = (1/b, −a/b²):
///
///     Var(L) ≈ Var(R̂₁)/R̂₀² + R̂₁² Var(R̂₀)/R̂₀⁴.
///
/// For a lift whose control ratio is uncertain (a small control arm), ``FiellerInterval`` gives an exact set for
/// R̂₁/R̂₀ from the same variances.
public struct RatioMetricTest: Sendable, Hashable, Codable {
    public let treatment: RatioMoments
    public let control: RatioMoments
    /// Level of the intervals.
    public let confidence: Double
    /// R̂₁ = Σx/Σy in the treatment arm.
    public let treatmentRatio: Double
    /// R̂₀ in the control arm.
    public let controlRatio: Double
    /// The delta-method variance of R̂₁ (of the estimate, so already divided by n₁).
    public let treatmentRatioVariance: Double
    /// The delta-method variance of R̂₀.
    public let controlRatioVariance: Double
    /// Δ = R̂₁ − R̂₀.
    public let difference: Double
    /// √(Var(R̂₁) + Var(R̂₀)).
    public let standardError: Double
    /// Δ / standardError; `nil`, like ``pValue`` and ``interval``, when the standard error is 0.
    public let zStatistic: Double?
    /// Two-sided, 2 P[Z > |z|].
    public let pValue: Double?
    /// Δ ± z(1 − α/2) × standardError.
    public let interval: ClosedRange<Double>?
    /// R̂₁/R̂₀ − 1; `nil` (with its standard error and interval) when R̂₀ = 0.
    public let relativeLift: Double?
    /// √(Var(R̂₁)/R̂₀² + R̂₁² Var(R̂₀)/R̂₀⁴).
    public let relativeLiftStandardError: Double?
    /// relativeLift ± z(1 − α/2) × relativeLiftStandardError; `nil` also when that standard error is 0.
    public let relativeLiftInterval: ClosedRange<Double>?

    /// - Parameters:
    ///   - treatment: The treatment arm's moments.
    ///   - control: The control arm's moments.
    ///   - confidence: Level of the intervals, in (0, 1).
    /// - Throws: ``ExperimentError/insufficientData(_:)`` when an arm has fewer than two users or its denominators
    ///   sum to 0; ``ExperimentError/invalidArgument(_:)`` for a level outside (0, 1) or moments no set of real
    ///   values can have (a negative variance beyond rounding).
    public init(treatment: RatioMoments, control: RatioMoments, confidence: Double = 0.95) throws {
        let z = try ExperimentError.normalCritical(confidence)
        let t = try Self.arm(treatment, "treatment")
        let c = try Self.arm(control, "control")
        self.treatment = treatment
        self.control = control
        self.confidence = confidence
        (treatmentRatio, controlRatio) = (t.ratio, c.ratio)
        (treatmentRatioVariance, controlRatioVariance) = (t.variance, c.variance)

        difference = t.ratio - c.ratio
        standardError = (t.variance + c.variance).squareRoot()
        let normal = try Normal(mean: 0, sd: 1)
        if standardError > 0 {
            let statistic = difference / standardError
            zStatistic = statistic
            pValue = min(1, 2 * normal.survival(abs(statistic)))
            interval = (difference - z * standardError)...(difference + z * standardError)
        } else {
            (zStatistic, pValue, interval) = (nil, nil, nil)
        }

        if c.ratio != 0 {
            let lift = t.ratio / c.ratio - 1
            let r0Squared = c.ratio * c.ratio
            let se = (t.variance / r0Squared + t.ratio * t.ratio * c.variance / (r0Squared * r0Squared)).squareRoot()
            relativeLift = lift
            relativeLiftStandardError = se
            relativeLiftInterval = se > 0 ? (lift - z * se)...(lift + z * se) : nil
        } else {
            (relativeLift, relativeLiftStandardError, relativeLiftInterval) = (nil, nil, nil)
        }
    }

    /// Per-user numerators and denominators of each arm.
    /// - Throws: As ``RatioMoments/init(numerators:denominators:)`` and ``init(treatment:control:confidence:)``.
    public init(
        treatmentNumerators: [Double], treatmentDenominators: [Double], controlNumerators: [Double],
        controlDenominators: [Double], confidence: Double = 0.95
    ) throws {
        try self.init(
            treatment: RatioMoments(numerators: treatmentNumerators, denominators: treatmentDenominators),
            control: RatioMoments(numerators: controlNumerators, denominators: controlDenominators),
            confidence: confidence)
    }

    /// R̂ and its delta-method variance for one arm, written as the paper's three terms.
    private static func arm(_ m: RatioMoments, _ name: String) throws -> (ratio: Double, variance: Double) {
        guard m.count >= 2 else {
            throw ExperimentError.insufficientData("the \(name) arm needs at least two users (got \(m.count))")
        }
        let sums = [m.numeratorSum, m.denominatorSum, m.numeratorSquares, m.denominatorSquares, m.crossProducts]
        guard sums.allSatisfy(\.isFinite) else {
            throw ExperimentError.invalidArgument("the \(name) arm's moments must be finite (got \(sums))")
        }
        guard let ratio = m.ratio else {
            throw ExperimentError.insufficientData("the \(name) arm's denominators sum to 0, so its ratio is undefined")
        }
        let n = Double(m.count)
        let meanX = m.numeratorSum / n
        let meanY = m.denominatorSum / n
        let varX = try centred(m.numeratorSquares, m.numeratorSum * m.numeratorSum, n, "numerator", name)
        let varY = try centred(m.denominatorSquares, m.denominatorSum * m.denominatorSum, n, "denominator", name)
        let covXY = (m.crossProducts - m.numeratorSum * m.denominatorSum / n) / (n - 1)
        let perUser =
            varX / (meanY * meanY) - 2 * covXY * meanX / (meanY * meanY * meanY) + meanX * meanX * varY
            / (meanY * meanY * meanY * meanY)
        // Var(x − R̂y)/ȳ² cannot be negative; a value below 0 within rounding of its terms is 0.
        let scale = varX / (meanY * meanY) + meanX * meanX * varY / (meanY * meanY * meanY * meanY)
        guard perUser >= -1e-12 * scale else {
            throw ExperimentError.invalidArgument(
                "the \(name) arm's moments give a negative variance (\(perUser)): the covariance exceeds what the"
                    + " variances allow")
        }
        return (ratio, max(0, perUser) / n)
    }

    /// The sample variance (Σv² − (Σv)²/n)/(n − 1), 0 when rounding makes it slightly negative.
    private static func centred(
        _ squares: Double, _ sumSquared: Double, _ n: Double, _ what: String, _ arm: String
    ) throws -> Double {
        let variance = (squares - sumSquared / n) / (n - 1)
        guard variance >= -1e-12 * squares / (n - 1) else {
            throw ExperimentError.invalidArgument(
                "the \(arm) arm's \(what) moments give a negative variance: Σv² < (Σv)²/n")
        }
        return max(0, variance)
    }
}
