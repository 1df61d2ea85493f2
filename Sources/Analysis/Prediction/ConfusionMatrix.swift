/// Counts of a yes/no prediction against the outcome, with the usual rates.
///
/// Each rate is `nil` when its denominator is zero, rather than 0 or NaN, so a report can say "undefined"
/// instead of showing a number nobody measured.
public struct ConfusionMatrix: Sendable, Hashable, Encodable {
    public let truePositives: Int
    public let falsePositives: Int
    public let trueNegatives: Int
    public let falseNegatives: Int

    public init(truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    public var total: Int { truePositives + falsePositives + trueNegatives + falseNegatives }

    /// TP / (TP + FP): of those flagged, the share that were positive. `nil` when nothing is flagged.
    public var precision: Double? { Self.ratio(truePositives, truePositives + falsePositives) }

    /// TP / (TP + FN), the true-positive rate. `nil` when there are no positives.
    public var recall: Double? { Self.ratio(truePositives, truePositives + falseNegatives) }

    /// 2TP / (2TP + FP + FN), the harmonic mean of precision and recall written so that it is 0, not undefined,
    /// when positives exist but none is flagged. `nil` only with no positives and nothing flagged.
    public var f1: Double? { Self.ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }

    /// (TP + TN) / total. `nil` for an empty matrix.
    public var accuracy: Double? { Self.ratio(truePositives + trueNegatives, total) }

    /// TN / (TN + FP), the true-negative rate. `nil` when there are no negatives.
    public var specificity: Double? { Self.ratio(trueNegatives, trueNegatives + falsePositives) }

    private static func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }
}

extension BinaryScores {
    /// The confusion matrix of the rule "score ≥ threshold predicts positive". A NaN threshold predicts nobody
    /// positive (every comparison with NaN is false).
    public func confusion(threshold: Double) -> ConfusionMatrix {
        var truePositives = 0
        var falsePositives = 0
        for (score, outcome) in zip(scores, outcomes) where score >= threshold {
            if outcome { truePositives += 1 } else { falsePositives += 1 }
        }
        return ConfusionMatrix(
            truePositives: truePositives, falsePositives: falsePositives,
            trueNegatives: negatives - falsePositives, falseNegatives: positives - truePositives)
    }
}
