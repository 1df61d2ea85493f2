/// One point of a ROC curve.
public struct ROCPoint: Sendable, Hashable, Encodable {
    /// Scores at or above this are predicted positive; `nil` for the starting point (0, 0), where nobody is.
    public let threshold: Double?
    public let falsePositiveRate: Double
    public let truePositiveRate: Double
}

/// One point of a precision–recall curve.
public struct PrecisionRecallPoint: Sendable, Hashable, Encodable {
    /// Scores at or above this are predicted positive.
    public let threshold: Double
    public let precision: Double
    public let recall: Double
}

extension BinaryScores {
    /// Area under the ROC curve: the probability that a random positive scores above a random negative, a tie
    /// counting one half. `nil` when either class is empty.
    ///
    /// Computed as the Mann–Whitney U statistic over n₁·n₀ from the positives' average ranks, so ties are exact
    /// and the cost is the O(n log n) sort done in `init` rather than O(n₁·n₀) pair comparisons.
    public var rocAUC: Double? {
        guard positives > 0, negatives > 0 else { return nil }
        let n = count
        var positiveRankSum = 0.0
        var start = 0
        while start < n {
            var end = start + 1
            while end < n, scores[ranking[end]] == scores[ranking[start]] { end += 1 }
            // `ranking` is descending, so positions start..<end hold the ascending ranks n − end + 1 … n − start.
            let averageRank = Double(2 * n - start - end + 1) / 2
            let groupPositives = ranking[start..<end].count { outcomes[$0] }
            positiveRankSum += averageRank * Double(groupPositives)
            start = end
        }
        let n1 = Double(positives)
        let u = positiveRankSum - n1 * (n1 + 1) / 2
        return u / (n1 * Double(negatives))
    }

    /// (false-positive rate, true-positive rate) from (0, 0) through one point per distinct score, highest first,
    /// to (1, 1) at the lowest score. Tied scores move both rates in one step, so the curve has no order-dependent
    /// staircase inside a tie. Empty when either class is empty: one of the rates would be 0/0.
    public var rocCurve: [ROCPoint] {
        guard positives > 0, negatives > 0 else { return [] }
        let p = Double(positives)
        let q = Double(negatives)
        return [ROCPoint(threshold: nil, falsePositiveRate: 0, truePositiveRate: 0)]
            + steps.map { step in
                ROCPoint(
                    threshold: step.threshold, falsePositiveRate: Double(step.falsePositives) / q,
                    truePositiveRate: Double(step.truePositives) / p)
            }
    }

    /// (precision, recall) at each distinct score, highest threshold first; recall reaches 1 at the lowest score.
    /// Unlike scikit-learn's `precision_recall_curve` no artificial (recall 0, precision 1) point is added.
    /// Empty when there are no positives: recall would be 0/0.
    public var precisionRecallCurve: [PrecisionRecallPoint] {
        guard positives > 0 else { return [] }
        return steps.map { step in
            PrecisionRecallPoint(
                threshold: step.threshold,
                precision: Double(step.truePositives) / Double(step.truePositives + step.falsePositives),
                recall: Double(step.truePositives) / Double(positives))
        }
    }

    /// Average precision, the PR AUC as scikit-learn's `average_precision_score` defines it:
    /// Σₙ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds in decreasing order, R₀ = 0 — a step sum, not the trapezoidal
    /// area, which would be optimistic. `nil` when there are no positives.
    public var averagePrecision: Double? {
        guard positives > 0 else { return nil }
        var sum = 0.0
        var previousTruePositives = 0
        for step in steps {
            // Rₙ − Rₙ₋₁ from integer counts, so a step with no new positive adds exactly 0.
            let recallGain = Double(step.truePositives - previousTruePositives) / Double(positives)
            sum += recallGain * Double(step.truePositives) / Double(step.truePositives + step.falsePositives)
            previousTruePositives = step.truePositives
        }
        return sum
    }

    /// Observed positive rate among the top `topFraction` of users by score, over the overall rate: 2 means the
    /// flagged group churns twice as often as average. `nil` when there are no positives or the fraction is not in
    /// (0, 1].
    ///
    /// The top group holds round(topFraction × n) users (halves rounded up), at least one. When the cut falls inside
    /// a run of equal scores, the users listed first in `scores` are taken, so the result is reproducible; a
    /// predictor with many ties (a 0/1 rule) is then judged partly on input order — compare it at its own cut.
    public func lift(topFraction: Double = 0.1) -> Double? {
        guard topFraction > 0, topFraction <= 1, positives > 0 else { return nil }
        let top = max(1, Int((topFraction * Double(count)).rounded(.toNearestOrAwayFromZero)))
        let topPositives = ranking.prefix(top).count { outcomes[$0] }
        return (Double(topPositives) / Double(top)) / prevalence
    }
}
