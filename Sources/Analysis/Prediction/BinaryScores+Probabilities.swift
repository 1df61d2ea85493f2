#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One equal-width bin of a calibration table.
public struct CalibrationBin: Sendable, Hashable, Encodable {
    /// The bin is [lower, upper); the last bin also holds `upper` (1).
    public let lower: Double
    public let upper: Double
    public let count: Int
    /// Positive outcomes in the bin, so callers can put an interval on ``observedRate``.
    public let positives: Int
    /// Mean score in the bin; `nil` when empty.
    public let meanPredicted: Double?
    /// Share of positive outcomes in the bin; `nil` when empty.
    public let observedRate: Double?
}

extension BinaryScores {
    /// Smallest and largest probability ``logLoss`` uses, as in scikit-learn's former default `eps = 1e-15`.
    public static let logLossClip = 1e-15

    /// Mean squared difference between score and outcome (1 or 0); 0 is perfect, 0.25 is a constant 0.5.
    ///
    /// Meaningful only when scores are probabilities (a model's output or the true churn probability); for a rule's
    /// 0/1 verdict it is the error rate. Scores outside [0, 1] are used as given.
    public var brierScore: Double {
        var sum = 0.0
        for (score, outcome) in zip(scores, outcomes) {
            let error = score - (outcome ? 1 : 0)
            sum += error * error
        }
        return sum / Double(count)
    }

    /// Mean negative log-likelihood −(1/n) Σ [y log p + (1 − y) log(1 − p)], natural log.
    ///
    /// Meaningful only when scores are probabilities. The probability given to what happened (p for a positive,
    /// 1 − p for a negative) is clipped to [1e-15, 1 − 1e-15] (``logLossClip``), so one confident mistake costs
    /// −ln(1e-15) ≈ 34.54 instead of making the mean infinite; scores outside [0, 1] are clipped the same way.
    /// Clipping that probability rather than p keeps the cap the same for both outcomes, as 1 − 1e-15 is not exact
    /// in binary.
    public var logLoss: Double {
        let low = Self.logLossClip
        let high = 1 - Self.logLossClip
        var sum = 0.0
        for (score, outcome) in zip(scores, outcomes) {
            let likelihood = outcome ? score : 1 - score
            sum -= log(min(max(likelihood, low), high))
        }
        return sum / Double(count)
    }

    /// Predicted against observed rates in `bins` equal-width bins on [0, 1]: bin i is [i/bins, (i+1)/bins), the
    /// last closed at 1. All bins are returned, empty ones with `nil` rates, so tables from different predictors
    /// line up (scikit-learn's `calibration_curve` drops empty bins instead). Meaningful only for probabilities:
    /// a score below 0 is counted in the first bin and one above 1 in the last, so no user goes missing. Empty for
    /// fewer than one bin.
    public func calibration(bins: Int = 10) -> [CalibrationBin] {
        guard bins >= 1 else { return [] }
        let width = Double(bins)
        // Edges as the bins report them, so membership agrees with `lower` and `upper` despite rounding in p × bins.
        func edge(_ i: Int) -> Double { Double(i) / width }
        var counts = [Int](repeating: 0, count: bins)
        var positiveCounts = [Int](repeating: 0, count: bins)
        var sums = [Double](repeating: 0, count: bins)
        for (score, outcome) in zip(scores, outcomes) {
            // Clamped before converting, so infinite scores cannot overflow Int.
            var bin = Int(min(max(score * width, 0), Double(bins - 1)))
            if bin > 0, score < edge(bin) { bin -= 1 }
            if bin < bins - 1, score >= edge(bin + 1) { bin += 1 }
            counts[bin] += 1
            sums[bin] += score
            if outcome { positiveCounts[bin] += 1 }
        }
        return (0..<bins).map { i in
            let n = counts[i]
            return CalibrationBin(
                lower: edge(i), upper: edge(i + 1), count: n, positives: positiveCounts[i],
                meanPredicted: n == 0 ? nil : sums[i] / Double(n),
                observedRate: n == 0 ? nil : Double(positiveCounts[i]) / Double(n))
        }
    }
}

extension BinaryScores {
    /// Predicted against observed rates in up to `bins` bins of equal counts: users sorted by score and cut
    /// into groups of about count / bins, a cut never splitting tied scores (so a bin can be larger, and
    /// there can be fewer bins). Each bin's `lower` and `upper` are its smallest and largest score. Unlike
    /// equal-width bins, every bin holds enough users to estimate its rate, however the scores crowd.
    public func quantileCalibration(bins: Int = 10) -> [CalibrationBin] {
        guard bins >= 1, count > 0 else { return [] }
        let sorted = ranking.reversed().map { ($0, scores[$0]) }  // ascending scores
        var result: [CalibrationBin] = []
        var start = 0
        for b in 0..<bins where start < sorted.count {
            var end = max(start + 1, (b + 1) * count / bins)
            if b == bins - 1 { end = count }
            while end < count, sorted[end].1 == sorted[end - 1].1 { end += 1 }
            let slice = sorted[start..<end]
            let positives = slice.count { outcomes[$0.0] }
            let n = slice.count
            result.append(
                CalibrationBin(
                    lower: slice.first!.1, upper: slice.last!.1, count: n, positives: positives,
                    meanPredicted: slice.reduce(0) { $0 + $1.1 } / Double(n),
                    observedRate: Double(positives) / Double(n)))
            start = end
        }
        return result
    }

    /// The threshold (a score, "score ≥ threshold flags") with the highest F1 on these scores and outcomes,
    /// ties to the higher threshold; nil without positives. Chosen on fitting data and then applied to held-out
    /// users, it replaces 0.5, which at a low prevalence flags nobody.
    public var bestF1Threshold: Double? {
        guard positives > 0 else { return nil }
        var best: (f1: Double, threshold: Double)?
        var truePositives = 0
        var flagged = 0
        var position = 0
        // Descending scores: lowering the threshold to each distinct score flags its whole tie group.
        while position < ranking.count {
            let score = scores[ranking[position]]
            while position < ranking.count, scores[ranking[position]] == score {
                if outcomes[ranking[position]] { truePositives += 1 }
                flagged += 1
                position += 1
            }
            let f1 = 2 * Double(truePositives) / Double(flagged + positives)
            if best == nil || f1 > best!.f1 { best = (f1, score) }
        }
        return best?.threshold
    }
}
