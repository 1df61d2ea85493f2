/// Inverse-CDF support for the continuous distributions.
///
/// GSL's `gsl_cdf_*_Pinv` functions are fast and accurate in the bulk, but for small shape parameters
/// (e.g. Gamma shape ≤ 0.1, Beta a or b < 1) or extreme probabilities they fail to converge and return NaN, or
/// stop at a boundary. Each GSL answer is therefore checked against the CDF and, when it is off, replaced by a
/// bisection on GSL's own P/Q functions, which always converges.
enum Inversion {
    /// Validates `p`, asks GSL, verifies the answer and falls back to bisection when needed.
    ///
    /// - Parameters:
    ///   - p: The probability; must be in [0, 1].
    ///   - function: Name used in a thrown ``GSLError``.
    ///   - gsl: GSL's P-inverse.
    ///   - cdf: P[X ≤ x], used to verify and to bisect below the median.
    ///   - survival: P[X > x], used above the median so that 1 − p keeps its precision.
    ///   - toX: Maps the bisection variable t (bounded by `tRange`) monotonically increasing onto the support.
    ///   - tRange: Bisection bounds for t.
    static func quantile(
        _ p: Double,
        function: String,
        gsl: (Double) -> Double,
        cdf: (Double) -> Double,
        survival: (Double) -> Double,
        toX: (Double) -> Double,
        tRange: ClosedRange<Double>
    ) throws -> Double {
        guard p >= 0, p <= 1 else {
            throw GSL.domainError(function, "probability must be in [0, 1] (got \(p))")
        }
        let guess = gsl(p)
        if p == 0 || p == 1 {
            return guess
        }
        if accurate(guess, p: p, cdf: cdf, survival: survival) {
            return guess
        }
        let solved = bisect(p, cdf: cdf, survival: survival, toX: toX, tRange: tRange)
        guard !solved.isNaN else {
            throw GSLError(
                code: GSLError.maxIterations, reason: "inverse CDF did not converge for p = \(p)",
                function: function)
        }
        return solved
    }

    /// Whether `x` reproduces `p` to a relative 1e-7 in the tail that matters (GSL itself aims at ~1e-10 in x).
    private static func accurate(
        _ x: Double, p: Double, cdf: (Double) -> Double, survival: (Double) -> Double
    ) -> Bool {
        guard !x.isNaN else { return false }
        if p <= 0.5 {
            return abs(cdf(x) - p) <= 1e-7 * p
        }
        let q = 1 - p
        return abs(survival(x) - q) <= 1e-7 * q
    }

    private static func bisect(
        _ p: Double,
        cdf: (Double) -> Double,
        survival: (Double) -> Double,
        toX: (Double) -> Double,
        tRange: ClosedRange<Double>
    ) -> Double {
        var low = tRange.lowerBound
        var high = tRange.upperBound
        let q = 1 - p
        // Each step halves [low, high]. The maps in use turn a width of 1e-15 in t into a relative (log and logistic
        // maps) or sd-scaled (normal) error of about 1e-15 in x; stop there, or when the midpoint no longer moves.
        // From the widest range used that takes about 60 steps.
        for _ in 0..<200 {
            let mid = low + (high - low) / 2
            if high - low <= 1e-15 || mid <= low || mid >= high {
                break
            }
            let x = toX(mid)
            let below = p <= 0.5 ? cdf(x) < p : survival(x) > q
            if below {
                low = mid
            } else {
                high = mid
            }
        }
        return toX(low + (high - low) / 2)
    }
}
