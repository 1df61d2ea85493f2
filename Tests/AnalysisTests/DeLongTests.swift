import Foundation
import Stats
import Testing

@testable import Analysis

@Suite("DeLong intervals for ROC AUC")
struct DeLongTests {
    /// Worked by hand from the definitions (DeLong, DeLong & Clarke-Pearson 1988, section 2):
    /// positives 0.9, 0.8, 0.4; negatives 0.7, 0.4, 0.2, 0.1.
    /// Placements of the positives: 4/4, 4/4, (2 + ½)/4 → 1, 1, 0.625, mean 0.875 (the AUC).
    /// Placements of the negatives: 2/3, (2 + ½)/3, 3/3, 3/3 → mean 0.875 too.
    /// S₁₀ = (0.125² + 0.125² + 0.25²)/2 = 0.046875; S₀₁ = (0.208333² + 0.041667² + 0.125² + 0.125²)/3
    /// = 0.0254630; Var = S₁₀/3 + S₀₁/4 = 0.0219907, SE 0.148293.
    @Test func handWorkedExample() throws {
        let scores = [0.9, 0.7, 0.8, 0.4, 0.4, 0.2, 0.1]
        let outcomes = [true, false, true, true, false, false, false]
        let interval = try #require(try DeLong.interval(scores: scores, outcomes: outcomes))
        #expect(abs(interval.estimate - 0.875) < 1e-12)
        #expect(abs(interval.standardError - 0.0219907407407407.squareRoot()) < 1e-12)
        // The estimate agrees with the rank formula the predictors report.
        let ranked = try BinaryScores(scores: scores, outcomes: outcomes)
        #expect(abs(try #require(ranked.rocAUC) - interval.estimate) < 1e-12)
        // A score compared with itself differs by exactly nothing.
        let same = try #require(try DeLong.compare(scores, scores, outcomes: outcomes))
        #expect(same.difference.estimate == 0 && same.difference.standardError == 0 && same.pValue == 1)
    }

    /// Binormal scores: negatives N(0, 1), positives N(d, 1), so the true AUC is Φ(d / √2). Over 400
    /// samples of 100 + 100 users the 95 % interval must cover it at the nominal rate: the count of
    /// misses is Binomial(400, 0.05), mean 20, sd 4.36; accept 8 to 33 (± 3 sd).
    @Test func coverageOnBinormalScores() throws {
        var g = SplitMix64(seed: 7)
        let d = 1.0
        let truth = try Normal(mean: 0, sd: 1).cdf(d / 2.0.squareRoot())
        var misses = 0
        // Two scores of the same users with the same true AUC (independent noise): DeLong's test of
        // no difference must reject at about 5 % too.
        var rejections = 0
        for _ in 0..<400 {
            var scores: [Double] = []
            var other: [Double] = []
            var outcomes: [Bool] = []
            for i in 0..<200 {
                let positive = i < 100
                let mean = positive ? d : 0
                scores.append(mean + FastSampler.normal(using: &g))
                other.append(mean + FastSampler.normal(using: &g))
                outcomes.append(positive)
            }
            let interval = try #require(try DeLong.interval(scores: scores, outcomes: outcomes))
            if truth < interval.lower || truth > interval.upper { misses += 1 }
            let comparison = try #require(try DeLong.compare(scores, other, outcomes: outcomes))
            if comparison.pValue < 0.05 { rejections += 1 }
        }
        #expect((8...33).contains(misses), "\(misses) misses of 400")
        #expect((8...33).contains(rejections), "\(rejections) rejections of 400")
    }

    @Test func tooFewOfAClass() throws {
        #expect(try DeLong.interval(scores: [0.1, 0.2, 0.3], outcomes: [true, false, false]) == nil)
    }
}
