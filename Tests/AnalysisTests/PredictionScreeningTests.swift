import Testing

@testable import Analysis

@Suite("Thresholds, calibration bins and feature screening")
struct PredictionScreeningTests {
    /// Worked by hand: flagging down to each score gives F1 = 2·TP / (flagged + positives):
    /// 0.9 → 2/3, 0.8 → 2/4, 0.7 → 4/5 (the best), 0.6 → 4/6, 0.5 → 4/7.
    @Test func bestF1Threshold() throws {
        let s = try BinaryScores(scores: [0.9, 0.8, 0.7, 0.6, 0.5], outcomes: [true, false, true, false, false])
        #expect(s.bestF1Threshold == 0.7)
        #expect(try BinaryScores(scores: [0.2, 0.4], outcomes: [false, false]).bestF1Threshold == nil)
    }

    @Test func equalCountBinsKeepTiesTogether() throws {
        let s = try BinaryScores(
            scores: (1...10).map { Double($0) / 10 }, outcomes: (1...10).map { $0 % 2 == 0 })
        let bins = s.quantileCalibration(bins: 5)
        #expect(bins.map(\.count) == [2, 2, 2, 2, 2])
        #expect(bins[0].lower == 0.1 && bins[0].upper == 0.2 && abs(bins[0].meanPredicted! - 0.15) < 1e-12)
        #expect(bins.map(\.positives) == [1, 1, 1, 1, 1])
        let tied = try BinaryScores(scores: [0.5, 0.5, 0.5, 0.9], outcomes: [true, false, false, true])
        #expect(tied.quantileCalibration(bins: 2).map(\.count) == [3, 1])
    }

    /// Column 1 is 2 × column 0 + 1, column 2 is constant: only columns 0 and 3 carry information.
    @Test func constantAndCollinearFeaturesAreLeftOut() {
        let rows: [ArraySlice<Double>] = [[1, 3, 5, 2], [2, 5, 5, 1], [4, 9, 5, 7], [3, 7, 5, 3]].map { ArraySlice($0) }
        #expect(FeatureScreen.independent(rows: rows) == [0, 3])
    }
}
