/// Fieller's (1954) confidence set for a ratio ρ = μₐ/μ_b of two normally distributed estimates a and b, e.g. a
/// campaign's cost over the retained users it gained.
///
/// The set holds every ρ for which a − ρb, normal with mean 0 and variance vₐₐ − 2ρvₐ_b + ρ²v_bb at the true ρ, is
/// within z standard errors of 0: the ρ with
///
///     (b² − z²v_bb) ρ² − 2 (ab − z²vₐ_b) ρ + (a² − z²vₐₐ) ≤ 0.
///
/// It is a bounded interval when b is significantly different from 0 (b² > z²v_bb); otherwise it is unbounded:
/// either two rays (−∞, l] ∪ [u, ∞) or the whole line (von Luxburg and Franz 2009, "A geometric approach to
/// confidence sets for ratios", theorem 3). Unlike the delta method it needs no small-variance approximation of
/// the ratio, and it says honestly when the denominator is too uncertain for any finite interval.
public struct FiellerInterval: Sendable, Hashable {
    /// The shape of the confidence set.
    public enum Shape: String, Sendable, Hashable, Codable {
        /// [lower, upper].
        case bounded
        /// (−∞, lower] ∪ [upper, ∞): the denominator may be 0, but the numerator is clearly not.
        case exclusive
        /// Every real number: neither estimate is distinguishable from 0.
        case unbounded
    }

    /// a / b; `nil` when b is 0.
    public let estimate: Double?
    public let shape: Shape
    /// For ``Shape/bounded`` the ends of the interval, for ``Shape/exclusive`` the ends of the gap between the two
    /// rays; `nil` for ``Shape/unbounded``.
    public let lower: Double?
    public let upper: Double?

    /// - Parameters:
    ///   - numerator: a.
    ///   - denominator: b.
    ///   - numeratorVariance: Var(a) ≥ 0; 0 for a known quantity such as a counted spend.
    ///   - denominatorVariance: Var(b) ≥ 0.
    ///   - covariance: Cov(a, b), with covariance² ≤ Var(a) Var(b).
    ///   - confidence: Level of the set, in (0, 1); the critical value is the normal one.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a value that is not finite, a negative variance, a
    ///   covariance the variances do not allow, or a level outside (0, 1).
    public init(
        numerator a: Double, denominator b: Double, numeratorVariance vaa: Double, denominatorVariance vbb: Double,
        covariance vab: Double = 0, confidence: Double = 0.95
    ) throws {
        let z = try ExperimentError.normalCritical(confidence)
        guard [a, b, vaa, vbb, vab].allSatisfy(\.isFinite) else {
            throw ExperimentError.invalidArgument("Fieller's interval needs finite estimates and variances")
        }
        guard vaa >= 0, vbb >= 0 else {
            throw ExperimentError.invalidArgument("variances must be non-negative (got \(vaa) and \(vbb))")
        }
        guard vab * vab <= vaa * vbb * (1 + 1e-12) else {
            throw ExperimentError.invalidArgument(
                "the covariance \(vab) is larger than the variances \(vaa) and \(vbb) allow")
        }
        estimate = b == 0 ? nil : a / b
        let z2 = z * z
        let quadratic = b * b - z2 * vbb
        let half = a * b - z2 * vab
        let constant = a * a - z2 * vaa
        let discriminant = half * half - quadratic * constant
        if quadratic > 0 {
            // b is significantly different from 0, so the estimate itself lies in the set and the discriminant is
            // positive (up to rounding).
            let root = max(0, discriminant).squareRoot()
            shape = .bounded
            (lower, upper) = Self.roots(half: half, root: root, quadratic: quadratic, constant: constant)
        } else if discriminant > 0, quadratic < 0 {
            let root = discriminant.squareRoot()
            shape = .exclusive
            let (r1, r2) = Self.roots(half: half, root: root, quadratic: quadratic, constant: constant)
            (lower, upper) = (min(r1, r2), max(r1, r2))
        } else {
            shape = .unbounded
            (lower, upper) = (nil, nil)
        }
    }

    /// The roots (half ∓ root) / quadratic, in that order. The one whose numerator adds two numbers of the same sign
    /// is computed directly, the other as constant / (that numerator), since the product of the roots is
    /// constant / quadratic: no difference of two nearly equal numbers.
    private static func roots(half: Double, root: Double, quadratic: Double, constant: Double) -> (Double, Double) {
        let big = half + (half >= 0 ? root : -root)
        guard big != 0 else { return (0, 0) }
        let far = big / quadratic
        let near = constant / big
        return half >= 0 ? (near, far) : (far, near)
    }

    /// Whether `value` lies in the confidence set.
    public func contains(_ value: Double) -> Bool {
        switch shape {
        case .bounded: lower! <= value && value <= upper!
        case .exclusive: value <= lower! || value >= upper!
        case .unbounded: true
        }
    }
}
