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
