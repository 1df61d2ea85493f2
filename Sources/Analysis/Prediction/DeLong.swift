import Stats

/// DeLong's nonparametric intervals for ROC AUC, and for the difference between two AUCs on the same
/// users (DeLong, DeLong & Clarke-Pearson 1988, "Comparing the areas under two or more correlated
/// receiver operating characteristic curves", Biometrics 44(3), 837–845).
///
/// Each positive's *placement* V₁₀ is the share of negatives it outranks (ties count one half), each
/// negative's V₀₁ the share of positives that outrank it; the AUC is the mean of either. With m
/// positives and n negatives, Var(AUC) = S₁₀/m + S₀₁/n, where S₁₀ and S₀₁ are the sample variances
/// (divisor m − 1, n − 1) of the placements; for two scores, the covariance is the same sum with
/// sample covariances. Placements come from one sort, so the cost is O(N log N) (Sun & Xu 2014).
public enum DeLong {
    public struct Interval: Codable, Sendable, Equatable {
        public let estimate: Double
        public let standardError: Double
        public let lower: Double
        public let upper: Double
    }

    public struct Comparison: Codable, Sendable, Equatable {
        /// First AUC minus second.
        public let difference: Interval
        public let z: Double
        /// Two-sided.
        public let pValue: Double
    }

    /// The placements of the positives and of the negatives, in the order they appear in `scores`.
    static func placements(_ scores: [Double], _ outcomes: [Bool]) -> (positive: [Double], negative: [Double]) {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        let m = outcomes.count { $0 }
        let n = outcomes.count - m
        // For each score, negatives and positives strictly below it and tied with it.
        var positive: [Double] = []
        var negative: [Double] = []
        var placement = [Double](repeating: 0, count: scores.count)
        var negativesBelow = 0
        var positivesBelow = 0
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, scores[order[end]] == scores[order[start]] { end += 1 }
            let tiedPositives = order[start..<end].count { outcomes[$0] }
            let tiedNegatives = end - start - tiedPositives
            for i in order[start..<end] {
                if outcomes[i] {
                    placement[i] = (Double(negativesBelow) + 0.5 * Double(tiedNegatives)) / Double(n)
                } else {
                    let above = m - positivesBelow - tiedPositives
                    placement[i] = (Double(above) + 0.5 * Double(tiedPositives)) / Double(m)
                }
            }
            negativesBelow += tiedNegatives
            positivesBelow += tiedPositives
            start = end
        }
        for i in scores.indices {
            if outcomes[i] { positive.append(placement[i]) } else { negative.append(placement[i]) }
        }
        return (positive, negative)
    }

    private static var standard: Normal { try! Normal(mean: 0, sd: 1) }

    static func covariance(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n
        let mb = b.reduce(0, +) / n
        var s = 0.0
        for i in a.indices { s += (a[i] - ma) * (b[i] - mb) }
        return s / (n - 1)
    }

    /// The AUC of `scores` with its DeLong standard error and a normal interval at `level`, clipped to
    /// [0, 1]; nil with fewer than two positives or two negatives.
    public static func interval(scores: [Double], outcomes: [Bool], level: Double = 0.95) throws -> Interval? {
        let (v10, v01) = placements(scores, outcomes)
        guard v10.count >= 2, v01.count >= 2 else { return nil }
        let auc = v10.reduce(0, +) / Double(v10.count)
        let variance = covariance(v10, v10) / Double(v10.count) + covariance(v01, v01) / Double(v01.count)
        let se = variance.squareRoot()
        let z = try standard.quantile(0.5 + level / 2)
        return Interval(estimate: auc, standardError: se, lower: max(0, auc - z * se), upper: min(1, auc + z * se))
    }

    /// The difference of two scores' AUCs on the same users and outcomes, with DeLong's test of no
    /// difference; nil with fewer than two positives or two negatives.
    public static func compare(_ first: [Double], _ second: [Double], outcomes: [Bool], level: Double = 0.95)
        throws -> Comparison?
    {
        precondition(first.count == second.count && first.count == outcomes.count, "one score of each per user")
        let (a10, a01) = placements(first, outcomes)
        let (b10, b01) = placements(second, outcomes)
        guard a10.count >= 2, a01.count >= 2 else { return nil }
        let m = Double(a10.count)
        let n = Double(a01.count)
        let difference = a10.reduce(0, +) / m - b10.reduce(0, +) / m
        let variance =
            (covariance(a10, a10) + covariance(b10, b10) - 2 * covariance(a10, b10)) / m
            + (covariance(a01, a01) + covariance(b01, b01) - 2 * covariance(a01, b01)) / n
        let se = max(variance, 0).squareRoot()
        let q = try standard.quantile(0.5 + level / 2)
        let z = se > 0 ? difference / se : (difference == 0 ? 0 : .infinity * difference.sign.multiplier)
        let p = se > 0 ? 2 * standard.survival(abs(z)) : (difference == 0 ? 1 : 0)
        return Comparison(
            difference: Interval(
                estimate: difference, standardError: se, lower: difference - q * se, upper: difference + q * se),
            z: z, pValue: p)
    }
}

extension FloatingPointSign {
    fileprivate var multiplier: Double { self == .minus ? -1 : 1 }
}
