import Fitting
import Stats
import Testing

/// Releases found as steps in key actions and feature use against the model's expectation (``ProductReleases``),
/// on counts drawn with known steps.
@Suite("Product releases")
struct ProductReleaseTests {
    /// 365 days; the model expects 5 000 key actions a day and 800 and 400 uses of two features. Drawn: key actions
    /// at 1.0 × before day 200 and 1.1 × after, the first feature at 0.9 × before and 0.9 · 1.6 × after, the
    /// second unchanged; Poisson counts, or with each day's rate also scaled by a uniform factor in 0.85 … 1.15
    /// (day-to-day variation beyond Poisson, dispersion about 1 + 5 000 · 0.0075 ≈ 38 for key actions).
    static func draw(step: Bool, dayNoise: Bool, seed: UInt64) -> CalendarRates {
        var rng = SplitMix64(seed: seed)
        let days = 365
        let expectedPerDay = [5_000.0, 800, 400]
        var observed: [Double] = []
        var expected: [Double] = []
        for c in 0..<3 {
            for d in 0..<days {
                let after = step && d >= 200
                let truth = [after ? 1.1 : 1.0, after ? 0.9 * 1.6 : 0.9, 1.0][c]
                let noise = dayNoise ? 0.85 + 0.3 * FastSampler.uniform(using: &rng) : 1
                expected.append(expectedPerDay[c])
                observed.append(
                    Double(FastSampler.poisson(mean: expectedPerDay[c] * truth * noise, using: &rng)))
            }
        }
        return CalendarRates(days: days, features: 2, observed: observed, expected: expected)
    }

    @Test("a step is found on its day, with factors within 4 standard errors of the truth")
    func stepFound() throws {
        for seed: UInt64 in 1...5 {
            let found = ProductReleases(Self.draw(step: true, dayNoise: false, seed: seed), users: 20_000)
            #expect(found.releases.count == 1)
            let release = try #require(found.releases.first)
            // A day's key actions move by 500 against a Poisson spread of about 71: the step is sharp.
            #expect(abs(release.day - 200) <= 1, "day \(release.day)")
            for (c, truth) in [1.1, 1.6, 1.0].enumerated() {
                #expect(
                    abs(release.factors[c] - truth) < 4 * release.standardErrors[c],
                    "channel \(c): \(release.factors[c]) ± \(release.standardErrors[c]) against \(truth)")
            }
            // Before the release, the first feature at 0.9 of the expectation: SE √(0.9 · 800 · 200) / (800 · 200).
            let before = found.initialFactors[1]
            let beforeCount: Double = 0.9 * 800 * 200
            let beforeError: Double = beforeCount.squareRoot() / (800 * 200)
            #expect(abs(before - 0.9) < 4 * beforeError, "\(before)")
            #expect(found.dispersions.allSatisfy { $0 < 1.3 })
        }
    }

    @Test("no release is found without a step, with Poisson counts or with day-to-day variation beyond them")
    func noStepNoRelease() {
        for seed: UInt64 in 1...20 {
            for dayNoise in [false, true] {
                let found = ProductReleases(Self.draw(step: false, dayNoise: dayNoise, seed: seed), users: 20_000)
                #expect(found.releases.isEmpty, "seed \(seed), day noise \(dayNoise): \(found.releases)")
                if dayNoise { #expect(found.dispersions[0] > 10) }
            }
        }
    }
}
