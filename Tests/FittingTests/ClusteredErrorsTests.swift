import Fitting
import Foundation
import Testing

/// Standard errors robust to users that are not independent (``ParameterStandardErrors``' clusters).
@Suite("Cluster-robust standard errors")
struct ClusteredErrorsTests {
    /// Every user of a data set twice. Taken as independent, the copies double the information and divide each
    /// standard error by √2; clustered in their pairs, the sandwich B⁻¹CB⁻¹ has B = 2B₀ and C = Σ(2s)(2s)ᵀ = 4B₀, so it
    /// gives back exactly the errors of the data without copies: a duplicate says nothing new, which is what
    /// clustering is for. One user per cluster leaves the errors as they were.
    @Test("copies of every user clustered in pairs give the errors of the users once; singletons change nothing")
    func duplicatesInPairs() throws {
        let truth = try recoveryModel()
        let data = truth.simulate(users: 1_500, days: 60, signupDays: 10, seed: 31)
        let once = try ParameterStandardErrors.outerProductOfScores(model: truth, data: data, threads: 2)
        let singletons = try ParameterStandardErrors.outerProductOfScores(
            model: truth, data: data, clusters: Array(0..<data.userCount), threads: 2)
        let twice = data.selecting(users: (0..<(2 * data.userCount)).map { $0 / 2 })
        let pairs = (0..<twice.userCount).map { $0 / 2 }
        let clustered = try ParameterStandardErrors.outerProductOfScores(
            model: truth, data: twice, clusters: pairs, threads: 2)
        let independent = try ParameterStandardErrors.outerProductOfScores(model: truth, data: twice, threads: 1)
        var compared = 0
        for (i, parameter) in once.estimates.enumerated() where once.standardErrors[i] > 0 {
            let se = once.standardErrors[i]
            #expect(abs(singletons.standardErrors[i] - se) <= 1e-9 * se, "\(parameter.name)")
            #expect(abs(clustered.standardErrors[i] - se) <= 1e-9 * se, "\(parameter.name)")
            #expect(abs(independent.standardErrors[i] * 2.0.squareRoot() - se) <= 1e-9 * se, "\(parameter.name)")
            compared += 1
        }
        #expect(compared > truth.freeParameterCount)
        #expect(throws: FittingError.self) {
            try ParameterStandardErrors.outerProductOfScores(model: truth, data: data, clusters: [0])
        }
    }
}
