import Testing

@testable import Analysis

@Suite("Lift by subgroup")
struct SubgroupLiftTests {
    /// Two groups with enough users and one without. Expected values from Python 3.11's
    /// `statistics.NormalDist` (z = inv_cdf(1 − 0.025/2) for two groups), the Wald interval
    /// d ± z √(p₁q₁/n₁ + p₀q₀/n₀), p = 2(1 − Φ(|d|/se)), Holm by hand over the two p-values.
    @Test("Bonferroni intervals and Holm p-values over the groups with enough users; the true effect beside")
    func proportions() throws {
        var observations: [SubgroupLifts.Observation] = []
        func add(_ group: Int, treated: Bool, successes: Int, of n: Int, truth: [Double] = []) {
            for i in 0..<n {
                observations.append(
                    .init(
                        group: group, treated: treated, value: i < successes ? 1 : 0,
                        trueDifference: i < truth.count ? truth[i] : 0))
            }
        }
        // Group a: 24/40 against 20/50; six treated users gained the outcome, two lost it.
        add(0, treated: true, successes: 24, of: 40, truth: [Double](repeating: 1, count: 6) + [-1, -1])
        add(0, treated: false, successes: 20, of: 50)
        add(1, treated: true, successes: 10, of: 35)
        add(1, treated: false, successes: 12, of: 30)
        // Group c has too few users for a lift; group d has none and is left out.
        add(2, treated: true, successes: 5, of: 10)
        add(2, treated: false, successes: 2, of: 5)
        let lifts = try SubgroupLifts(
            dimension: "segment", metric: "retention", names: ["a", "b", "c", "d"], isProportion: true,
            observations: observations)
        #expect(lifts.confidence == 0.975)
        #expect(lifts.groups.map(\.group) == ["a", "b", "c"])
        let a = lifts.groups[0]
        let b = lifts.groups[1]
        let c = lifts.groups[2]
        let tolerance = 1e-12
        #expect(abs(a.absoluteLift! - 0.2) < tolerance)
        #expect(abs(a.lower! - -0.032933404266113936) < 1e-9)
        #expect(abs(a.upper! - 0.4329334042661138) < 1e-9)
        #expect(abs(a.pValue! - 0.054291828366854755) < 1e-9)
        #expect(abs(a.pValueHolm! - 0.10858365673370951) < 1e-9)
        #expect(abs(b.absoluteLift! - -0.11428571428571432) < tolerance)
        #expect(abs(b.lower! - -0.37788557488716007) < 1e-9)
        #expect(abs(b.upper! - 0.14931414631573142) < 1e-9)
        #expect(abs(b.pValueHolm! - 0.33116144384778146) < 1e-9)
        // True effect of a: mean 0.1, interval 0.1 ± z √(s²/40) with s² the sample variance.
        #expect(abs(a.trueEffect! - 0.1) < tolerance)
        #expect(abs(a.trueEffectLower! - -0.05644597458497225) < 1e-9)
        #expect(abs(a.trueEffectUpper! - 0.25644597458497226) < 1e-9)
        #expect(a.trueEffectCovered == true)
        #expect(b.trueEffect == 0)
        #expect(c.treatmentUsers == 10 && c.controlUsers == 5)
        #expect(c.absoluteLift == nil && c.pValueHolm == nil && c.trueEffectCovered == nil)
        #expect(c.treatmentMean == 0.5)
    }
}
