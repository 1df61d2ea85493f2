import Analysis
import Testing

@Suite("Prediction: confusion matrix")
struct PredictionConfusionTests {
    /// Scores 0.9 0.8 0.7 0.6 0.2 with outcomes 1 0 1 1 0. At 0.7 (≥, so 0.7 counts) the flagged users are
    /// 0.9 (TP), 0.8 (FP), 0.7 (TP); 0.6 is a FN and 0.2 a TN. Precision = recall = F1 = ⅔, accuracy ⅗,
    /// specificity ½. Above every score nobody is flagged: TP 0, FP 0, TN 2, FN 3 — precision undefined,
    /// recall 0, F1 0, accuracy ⅖, specificity 1. At the lowest score everybody is flagged.
    @Test(arguments: [
        (
            0.7, ConfusionMatrix(truePositives: 2, falsePositives: 1, trueNegatives: 1, falseNegatives: 1),
            [2.0 / 3, 2.0 / 3, 2.0 / 3, 0.6, 0.5] as [Double?]
        ),
        (
            0.95, ConfusionMatrix(truePositives: 0, falsePositives: 0, trueNegatives: 2, falseNegatives: 3),
            [nil, 0, 0, 0.4, 1]
        ),
        (
            0.2, ConfusionMatrix(truePositives: 3, falsePositives: 2, trueNegatives: 0, falseNegatives: 0),
            [0.6, 1, 0.75, 0.6, 0]
        ),
    ])
    func confusionAtThreshold(threshold: Double, expected: ConfusionMatrix, rates: [Double?]) throws {
        let scores = try BinaryScores(scores: [0.9, 0.8, 0.7, 0.6, 0.2], outcomes: [true, false, true, true, false])
        let matrix = scores.confusion(threshold: threshold)
        #expect(matrix == expected)
        let actual = [matrix.precision, matrix.recall, matrix.f1, matrix.accuracy, matrix.specificity]
        for (a, e) in zip(actual, rates) {
            if let e { #expect(close(a, e)) } else { #expect(a == nil) }
        }
    }

    @Test func ratesAreUndefinedWithoutTheirDenominators() {
        let empty = ConfusionMatrix(truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0)
        #expect(empty.precision == nil && empty.recall == nil && empty.f1 == nil)
        #expect(empty.accuracy == nil && empty.specificity == nil)
        // No positives and nothing flagged: recall and F1 undefined, specificity 1.
        let quiet = ConfusionMatrix(truePositives: 0, falsePositives: 0, trueNegatives: 4, falseNegatives: 0)
        #expect(quiet.recall == nil && quiet.f1 == nil && quiet.precision == nil)
        #expect(quiet.specificity == 1 && quiet.accuracy == 1)
    }
}

@Suite("Prediction: probability scores")
struct PredictionProbabilityTests {
    /// Scores 0.9, 0.2, 0.6 for outcomes 1, 0, 0.
    /// Brier: (0.1² + 0.2² + 0.6²) / 3 = (0.01 + 0.04 + 0.36) / 3 = 0.136667.
    /// Log loss: −(ln 0.9 + ln 0.8 + ln 0.4) / 3 = (0.1053605 + 0.2231436 + 0.9162907) / 3 = 0.4149316.
    @Test func brierAndLogLossByHand() throws {
        let scores = try BinaryScores(scores: [0.9, 0.2, 0.6], outcomes: [true, false, false])
        #expect(close(scores.brierScore, 0.41 / 3, tolerance: 1e-15))
        #expect(close(scores.logLoss, 0.4149315996, tolerance: 1e-9))
    }

    /// A constant 0.5 scores Brier ¼ and log loss ln 2 = 0.693147 whatever the outcomes.
    @Test func uninformativeProbability() throws {
        let scores = try BinaryScores(scores: [0.5, 0.5, 0.5], outcomes: [true, false, false])
        #expect(scores.brierScore == 0.25)
        #expect(close(scores.logLoss, 0.6931471806, tolerance: 1e-9))
    }

    /// Certain and wrong costs −ln(1e-15) = 34.538776 per user after clipping, whichever the outcome; certain and
    /// right costs −ln(1 − 1e-15) ≈ 1e-15.
    @Test func logLossClipsCertainPredictions() throws {
        let wrong = try BinaryScores(scores: [0, 1], outcomes: [true, false])
        #expect(close(wrong.logLoss, 34.5387763949, tolerance: 1e-9))
        #expect(wrong.brierScore == 1)
        let right = try BinaryScores(scores: [1, 0], outcomes: [true, false])
        #expect(right.logLoss >= 0 && right.logLoss < 1e-14)
        #expect(right.brierScore == 0)
    }

    /// Ten bins: bin 0 holds 0.0 and 0.05 (one positive); bin 1 holds 0.1 (its lower edge), 0.12 and 0.15
    /// (mean 0.123333…, one positive); bin 5 holds 0.5; bin 9 holds 0.95 and 1.0 (the closed last edge).
    @Test func calibrationBins() throws {
        let scores = try BinaryScores(
            scores: [0.05, 0.15, 0.12, 0.5, 0.95, 1.0, 0.1, 0.0],
            outcomes: [true, false, false, true, true, true, true, false])
        let bins = scores.calibration()
        #expect(bins.count == 10)
        #expect(bins.map(\.count) == [2, 3, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(bins.map(\.positives) == [1, 1, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(close(bins[0].meanPredicted, 0.025))
        #expect(close(bins[1].meanPredicted, 0.37 / 3))
        #expect(close(bins[9].meanPredicted, 0.975))
        #expect(bins[0].observedRate == 0.5)
        #expect(close(bins[1].observedRate, 1.0 / 3))
        #expect(bins[9].observedRate == 1)
        #expect(bins[2].meanPredicted == nil && bins[2].observedRate == nil)
        #expect(bins[3].lower == 0.3 && bins[3].upper == 0.4 && bins.last?.upper == 1)
    }

    /// 15/22 × 22 evaluates to 14.999…, and the double just below 0.9 times 10 rounds up to 9: each score must
    /// still fall in the bin whose reported [lower, upper) holds it.
    @Test(arguments: [(15.0 / 22, 22, 15), (0.9.nextDown, 10, 8), (1.0 / 3, 3, 1), (2.0 / 3, 3, 2), (1.0, 4, 3)])
    func calibrationEdgesMatchMembership(score: Double, bins: Int, expectedBin: Int) throws {
        let scores = try BinaryScores(scores: [score], outcomes: [true])
        let table = scores.calibration(bins: bins)
        #expect(table.firstIndex { $0.count == 1 } == expectedBin)
        #expect(table[expectedBin].lower <= score)
        #expect(score < table[expectedBin].upper || expectedBin == bins - 1)
    }

    /// Scores outside [0, 1] (here −∞, −1, 3, +∞) are counted in the end bins; no bins means no table.
    @Test func calibrationKeepsOutOfRangeScoresInTheEndBins() throws {
        let scores = try BinaryScores(
            scores: [-.infinity, -1, 0.5, 3, .infinity], outcomes: [false, false, true, true, true])
        #expect(scores.calibration(bins: 4).map(\.count) == [2, 0, 1, 2])
        #expect(scores.calibration(bins: 0).isEmpty)
    }
}
