import Stats

/// Confidence intervals for a binomial proportion (successes out of trials), e.g. one cell of a transition matrix.
///
/// Quantiles come from Stats (GSL), so the numbers follow the same tested path as every other statistic
/// (DESIGN.md, invariant 4). Both functions return `nil` rather than trapping when there is nothing to estimate:
/// zero trials, or arguments outside their domain (negative counts, successes above trials, a confidence level
/// outside the open interval (0, 1)). Bounds are always within [0, 1].
public enum ProportionInterval {
    /// The Wilson score interval: the proportions p whose score test |p̂ − p| / √(p(1 − p)/n) ≤ z does not reject.
    ///
    /// Preferred for reporting many small cells: unlike the Wald interval it never collapses to a point at 0 or n
    /// successes and stays close to its nominal coverage for small n. At 0 successes the lower bound is exactly 0,
    /// at n successes the upper bound is exactly 1.
    public static func wilson(successes: Int, trials: Int, confidence: Double) -> ClosedRange<Double>? {
        guard isValid(successes: successes, trials: trials, confidence: confidence),
            let z = try? Normal(mean: 0, sd: 1).quantile(1 - (1 - confidence) / 2)
        else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let halfWidth = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // At the edges the formula gives 0 and 1 only up to rounding; the exact values are known.
        let lower = successes == 0 ? 0 : max(0, centre - halfWidth)
        let upper = successes == trials ? 1 : min(1, centre + halfWidth)
        return lower...upper
    }

    /// The Clopper–Pearson ("exact") interval from Beta quantiles:
    /// lower = B(α/2; x, n − x + 1), upper = B(1 − α/2; x + 1, n − x), with 0 and 1 at the edges.
    ///
    /// Guarantees at least nominal coverage, at the price of being wider than Wilson; use it where
    /// under-coverage matters more than width.
    public static func clopperPearson(successes: Int, trials: Int, confidence: Double) -> ClosedRange<Double>? {
        guard isValid(successes: successes, trials: trials, confidence: confidence) else { return nil }
        let alpha = 1 - confidence
        let x = Double(successes)
        let n = Double(trials)
        var lower = 0.0
        var upper = 1.0
        if successes > 0 {
            guard let q = try? Beta(a: x, b: n - x + 1).quantile(alpha / 2) else { return nil }
            lower = q
        }
        if successes < trials {
            guard let q = try? Beta(a: x + 1, b: n - x).quantile(1 - alpha / 2) else { return nil }
            upper = q
        }
        return lower...upper
    }

    private static func isValid(successes: Int, trials: Int, confidence: Double) -> Bool {
        trials > 0 && successes >= 0 && successes <= trials && confidence > 0 && confidence < 1
    }
}
