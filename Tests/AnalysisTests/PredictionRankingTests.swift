import Analysis
import Testing

/// Ties in both classes, listed out of order. Positives score 0.6, 0.8, 0.3, 0.6; negatives 0.3, 0.4, 0.6.
///
/// By hand, ascending ranks: 0.3, 0.3 → 1.5 each; 0.4 → 3; 0.6, 0.6, 0.6 → 5 each; 0.8 → 7.
/// Positive rank sum R₁ = 5 + 7 + 1.5 + 5 = 18.5, U = R₁ − n₁(n₁ + 1)/2 = 18.5 − 10 = 8.5, AUC = 8.5 / (4·3).
/// Pair by pair: 0.8 beats all 3 (3); each 0.6 ties one and beats two (2.5 + 2.5); 0.3 ties one (0.5) — 8.5.
/// SciPy 1.17.1: `mannwhitneyu([0.6, 0.8, 0.3, 0.6], [0.3, 0.4, 0.6]).statistic` = 8.5, / 12 = 0.708333….
private let tiedScores = [0.6, 0.3, 0.8, 0.4, 0.6, 0.3, 0.6]
private let tiedOutcomes = [true, false, true, false, false, true, true]

/// scikit-learn's documentation style example: outcomes 1 0 1 1 0 at decreasing scores.
private let apScores = [0.9, 0.8, 0.7, 0.6, 0.2]
private let apOutcomes = [true, false, true, true, false]

@Suite("Prediction: ranking statistics")
struct PredictionRankingTests {
    @Test func aucEqualsMannWhitneyUWithTies() throws {
        let scores = try BinaryScores(scores: tiedScores, outcomes: tiedOutcomes)
        #expect(close(scores.rocAUC, 8.5 / 12))
    }

    /// Separable, reversed and constant scores: AUC 1, 0 and ½ (every pair a tie).
    @Test(arguments: [
        ([0.9, 0.8, 0.2, 0.1], 1.0),
        ([0.1, 0.2, 0.8, 0.9], 0.0),
        ([0.5, 0.5, 0.5, 0.5], 0.5),
    ])
    func aucExtremes(scores: [Double], expected: Double) throws {
        let binary = try BinaryScores(scores: scores, outcomes: [true, true, false, false])
        #expect(binary.rocAUC == expected)
    }

    @Test func aucIsInvariantUnderMonotoneTransforms() throws {
        let base = try BinaryScores(scores: tiedScores, outcomes: tiedOutcomes)
        let transforms: [(Double) -> Double] = [{ $0 * $0 * $0 }, { $0 / (1 + abs($0)) }, { 3 * $0 - 7 }, { -1 / $0 }]
        for transform in transforms {
            let moved = try BinaryScores(scores: tiedScores.map(transform), outcomes: tiedOutcomes)
            #expect(close(moved.rocAUC, base.rocAUC!))
        }
    }

    /// The rank formula against the O(n₁·n₀) definition on a larger sample with many ties.
    @Test func aucMatchesPairCounting() throws {
        var state: UInt64 = 12345
        var scores: [Double] = []
        var outcomes: [Bool] = []
        for _ in 0..<400 {
            // Knuth's MMIX linear congruential generator: a fixed, reproducible sample.
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let value = Int(state >> 33) % 20
            scores.append(Double(value) / 20)
            outcomes.append((state >> 13) % 100 < UInt64(20 + 3 * value))
        }
        var wins = 0.0
        var pairs = 0.0
        for (p, isP) in zip(scores, outcomes) where isP {
            for (q, isQ) in zip(scores, outcomes) where !isQ {
                wins += p > q ? 1 : (p == q ? 0.5 : 0)
                pairs += 1
            }
        }
        let binary = try BinaryScores(scores: scores, outcomes: outcomes)
        #expect(close(binary.rocAUC, wins / pairs))
    }

    @Test func aucAndCurvesAreUndefinedForOneClass() throws {
        let allPositive = try BinaryScores(scores: [0.2, 0.4], outcomes: [true, true])
        #expect(allPositive.rocAUC == nil)
        #expect(allPositive.rocCurve.isEmpty)
        #expect(allPositive.averagePrecision == 1)
        let allNegative = try BinaryScores(scores: [0.2, 0.4], outcomes: [false, false])
        #expect(allNegative.rocAUC == nil)
        #expect(allNegative.averagePrecision == nil)
        #expect(allNegative.precisionRecallCurve.isEmpty)
        #expect(allNegative.rocCurve.isEmpty)
        #expect(allNegative.lift() == nil)
    }

    /// Thresholds 0.8, 0.6, 0.4, 0.3 give (FP, TP) = (0, 1), (1, 3), (2, 3), (3, 4) of 3 negatives and 4 positives.
    @Test func rocCurveGroupsTiesAndItsAreaIsTheAUC() throws {
        let scores = try BinaryScores(scores: tiedScores, outcomes: tiedOutcomes)
        let curve = scores.rocCurve
        #expect(curve.map(\.threshold) == [nil, 0.8, 0.6, 0.4, 0.3] as [Double?])
        #expect(curve.map(\.falsePositiveRate) == [0, 0, 1.0 / 3, 2.0 / 3, 1] as [Double])
        #expect(curve.map(\.truePositiveRate) == [0, 0.25, 0.75, 0.75, 1] as [Double])
        var area = 0.0
        for (a, b) in zip(curve, curve.dropFirst()) {
            area += (b.falsePositiveRate - a.falsePositiveRate) * (a.truePositiveRate + b.truePositiveRate) / 2
        }
        #expect(close(area, 8.5 / 12))
    }

    /// By hand, thresholds 0.9 … 0.2: (P, R) = (1, ⅓), (½, ⅓), (⅔, ⅔), (¾, 1), (⅗, 1). Recall rises by ⅓ at
    /// 0.9, 0.7 and 0.6, so AP = (1·1 + ⅔·1 + ¾·1) / 3 = (12 + 8 + 9) / 36 = 29/36 ≈ 0.80556.
    @Test func averagePrecisionByHand() throws {
        let scores = try BinaryScores(scores: apScores, outcomes: apOutcomes)
        #expect(close(scores.averagePrecision, 29.0 / 36))
        let curve = scores.precisionRecallCurve
        #expect(curve.map(\.threshold) == apScores)
        #expect(curve.map(\.precision) == [1, 0.5, 2.0 / 3, 0.75, 0.6] as [Double])
        #expect(curve.map(\.recall) == [1.0 / 3, 1.0 / 3, 2.0 / 3, 1, 1] as [Double])
    }

    /// Outcomes 1 | 0 1 0 (tied at 0.7) | 1. Steps: 0.9 → P 1, R ⅓; 0.7 → P 2/4, R ⅔; 0.1 → P ⅗, R 1.
    /// AP = ⅓·1 + ⅓·½ + ⅓·⅗ = (10 + 5 + 6) / 30 = 0.7, whatever the order inside the tie.
    @Test(arguments: [
        [true, false, true, false, true],
        [true, true, false, false, true],
        [true, false, false, true, true],
    ])
    func averagePrecisionWithTies(outcomes: [Bool]) throws {
        let scores = try BinaryScores(scores: [0.9, 0.7, 0.7, 0.7, 0.1], outcomes: outcomes)
        #expect(close(scores.averagePrecision, 0.7))
        #expect(scores.precisionRecallCurve.count == 3)
    }

    /// 20 users, 4 positives (rate 0.2); the top 10 % (2 users) are both positive: lift 1 / 0.2 = 5.
    @Test func liftOnACraftedRanking() throws {
        let scores = (0..<20).map { Double(20 - $0) / 20 }
        let outcomes = (0..<20).map { [0, 1, 7, 15].contains($0) }
        let binary = try BinaryScores(scores: scores, outcomes: outcomes)
        #expect(close(binary.lift(topFraction: 0.1), 5))
        // Top 20 % = 4 users, 2 positives: 0.5 / 0.2.
        #expect(close(binary.lift(topFraction: 0.2), 2.5))
        #expect(close(binary.lift(topFraction: 1), 1))
    }

    /// 10 users, top 20 % = 2: the 0.9 and the first-listed of the two 0.5s.
    @Test(arguments: [
        ([false, true, true] + Array(repeating: false, count: 7), 2.5),
        ([true, true, false] + Array(repeating: false, count: 7), 5.0),
    ])
    func liftBreaksTiesAtTheCutByInputOrder(outcomes: [Bool], expected: Double) throws {
        let scores = [0.5, 0.9, 0.5] + Array(repeating: 0.1, count: 7)
        let binary = try BinaryScores(scores: scores, outcomes: outcomes)
        #expect(close(binary.lift(topFraction: 0.2), expected))
    }

    /// 0.1 × 25 = 2.5 rounds to 3 users; of them only the first is positive: (1/3) / (1/25).
    @Test func liftRoundsTheTopGroupHalfUp() throws {
        let scores = (0..<25).map { Double(25 - $0) }
        let outcomes = (0..<25).map { $0 == 0 }
        let binary = try BinaryScores(scores: scores, outcomes: outcomes)
        #expect(close(binary.lift(topFraction: 0.1), 25.0 / 3))
    }

    @Test(arguments: [0.0, -0.1, 1.5, Double.nan])
    func liftIsUndefinedForFractionsOutsideTheUnitInterval(fraction: Double) throws {
        let binary = try BinaryScores(scores: [0.1, 0.2], outcomes: [false, true])
        #expect(binary.lift(topFraction: fraction) == nil)
    }

    @Test(arguments: [
        ([0.1, 0.2], [true], BinaryScoresError.lengthMismatch(scores: 2, outcomes: 1)),
        ([], [], BinaryScoresError.empty),
        ([0.1, .nan], [true, false], BinaryScoresError.notANumber(index: 1)),
    ])
    func initRejectsBadInput(scores: [Double], outcomes: [Bool], error: BinaryScoresError) {
        #expect(throws: error) { try BinaryScores(scores: scores, outcomes: outcomes) }
    }
}
