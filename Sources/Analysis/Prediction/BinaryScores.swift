/// Scores for a binary outcome — a rule's 0/1 verdict, a model's probability or the simulator's true churn
/// probability — with the outcomes they try to predict, so every predictor is judged by the same functions.
///
/// Higher scores mean "more likely positive". Ranking statistics (AUC, curves, lift) use only the order of the
/// scores; ``brierScore``, ``logLoss`` and ``calibration(bins:)`` read them as probabilities.
public struct BinaryScores: Sendable, Equatable {
    public let scores: [Double]
    public let outcomes: [Bool]
    /// Number of positive outcomes.
    public let positives: Int
    /// Indices by decreasing score, equal scores by increasing index: one fixed order for every ranking statistic,
    /// so results never depend on the sort algorithm.
    let ranking: [Int]

    /// - Throws: ``BinaryScoresError`` when the arrays differ in length, are empty, or a score is NaN (a NaN has
    ///   no place in an order). Infinite scores are allowed.
    public init(scores: [Double], outcomes: [Bool]) throws(BinaryScoresError) {
        guard scores.count == outcomes.count else {
            throw .lengthMismatch(scores: scores.count, outcomes: outcomes.count)
        }
        guard !scores.isEmpty else { throw .empty }
        if let index = scores.firstIndex(where: \.isNaN) { throw .notANumber(index: index) }
        self.scores = scores
        self.outcomes = outcomes
        positives = outcomes.count { $0 }
        ranking = scores.indices.sorted { i, j in
            scores[i] != scores[j] ? scores[i] > scores[j] : i < j
        }
    }

    public var count: Int { scores.count }
    public var negatives: Int { count - positives }
    /// Share of positive outcomes.
    public var prevalence: Double { Double(positives) / Double(count) }

    /// Cumulative counts at each distinct score, from the highest down: predicting "positive" for every score at or
    /// above `threshold` gives these true and false positives. Tied scores form one step.
    struct Step {
        let threshold: Double
        let truePositives: Int
        let falsePositives: Int
    }

    var steps: [Step] {
        var steps: [Step] = []
        var truePositives = 0
        var falsePositives = 0
        for (position, index) in ranking.enumerated() {
            if outcomes[index] { truePositives += 1 } else { falsePositives += 1 }
            let isLastOfGroup = position + 1 == ranking.count || scores[ranking[position + 1]] != scores[index]
            if isLastOfGroup {
                steps.append(
                    Step(threshold: scores[index], truePositives: truePositives, falsePositives: falsePositives))
            }
        }
        return steps
    }
}

/// Why ``BinaryScores/init(scores:outcomes:)`` rejected its input.
public enum BinaryScoresError: Error, Equatable, Sendable, CustomStringConvertible {
    case lengthMismatch(scores: Int, outcomes: Int)
    case empty
    case notANumber(index: Int)

    public var description: String {
        switch self {
        case .lengthMismatch(let scores, let outcomes):
            "scores and outcomes must have the same length (\(scores) scores, \(outcomes) outcomes)"
        case .empty:
            "there are no scores"
        case .notANumber(let index):
            "score \(index) is NaN"
        }
    }
}
