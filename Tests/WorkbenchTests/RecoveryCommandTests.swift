import Foundation
import Testing
import Workbench

/// Item 3 of the fit's proof at reduced size: a scenario's parameters recovered from its exported event log.
@Suite("Parameter recovery from a simulated log")
struct RecoveryCommandTests {
    /// mobile-habit (3 live states, 2 personas, habit feedback) at 3 000 users × 150 days, its log written without
    /// faults. Every number the fit estimates (56: shares, first states, transitions, emissions, the habit's strength,
    /// trial conversion) lies within 4 standard errors of a fit of this many users: if the fit is right, the chance
    /// that any of 56 does not is below 56 · 6.3 × 10⁻⁵ = 0.35 %. Decoding beats guessing the most common state, and the most likely persona
    /// beats guessing the larger one (68 % of users).
    @Test("mobile-habit: every number within 4 SE of the truth; Viterbi and personas beat guessing")
    func mobileHabit() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/mobile-habit.yaml"))
        let result = try Workbench.recover(
            scenario, options: RunOptions(users: 3_000, days: 150, threads: 2), faults: false)
        #expect(result.changes.contains { $0.hasPrefix("habit (half-life 5.0 days, strength 0.50) kept") })
        #expect(result.changes.contains { $0.hasPrefix("weekday factors") })
        #expect(result.usersFitted == 3_000 && result.usersMatched == 3_000)
        // 2 shares, 2 × 3 first states, 2 × 3 × 4 transitions, 3 × (3 + 4) emissions, the habit's strength, 3
        // conversions; the casual persona's first state streaking is 0, on the boundary.
        #expect(result.rows.count == 2 + 6 + 24 + 21 + 1 + 3)
        #expect(result.compared.count == result.rows.count - 1)
        #expect(result.converged)
        // The maximum of the likelihood is at least its value at the parameters that generated the log.
        #expect(result.logLikelihood >= result.truthLogLikelihood)
        // Jointly: the likelihood ratio against the truth is what χ² on the free parameters allows (45 here: the
        // half-life is the truth's).
        #expect(result.parameterCount == 45)
        let ratio = try #require(result.likelihoodRatio)
        #expect(ratio.pValue > 0.001, "2(ℓ̂ − ℓ₀) = \(ratio.statistic)")
        for row in result.compared {
            #expect(abs(row.z) <= RecoveryResult.bound, "\(row.name): true \(row.truth), fitted \(row.fitted)")
        }
        #expect(result.viterbiAgreement > result.baselineAgreement + 0.2)
        #expect(result.personaAgreement > 0.68)
        #expect(result.markdown.contains("| casual: dabbling → churned | 0.0450 |"))
    }
}
