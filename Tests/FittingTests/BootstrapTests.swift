import Fitting
import Testing

@Suite("Bootstrap over users")
struct BootstrapTests {
    /// Two estimates of the same standard errors. With 8 replicates a bootstrap standard deviation has a relative
    /// error of about 1/√(2·7) ≈ 27 %, and the score-based estimate a few per cent at 800 users, so a ratio outside
    /// [1/3, 3] — more than four of the bootstrap's own errors on the log scale — means one of them is wrong.
    @Test("bootstrap standard errors agree with the score-based ones and repeat with the seed")
    func agreesWithScores() throws {
        let recovery = try recoveryModel()
        let persona = recovery.personas[0]
        let truth = try HiddenMarkovModel(
            personas: [PersonaChain(share: 1, initial: persona.initial, transitions: persona.transitions)],
            emissions: recovery.emissions, featureCount: 3, sessionFamily: .negativeBinomial)
        let data = truth.simulate(users: 800, days: 60, signupDays: 10, seed: 21)
        let options = FitOptions(liveStates: 3, starts: 1, tolerance: 1e-7, threads: 2)
        let fit = try HMMFitter.fit(data, options: options)
        let bootstrap = try ParameterStandardErrors.bootstrapOverUsers(
            fit, data: data, replicates: 8, seed: 4, options: options)
        let again = try ParameterStandardErrors.bootstrapOverUsers(
            fit, data: data, replicates: 8, seed: 4, options: options)
        let scores = try ParameterStandardErrors.outerProductOfScores(model: fit.model, data: data, threads: 2)
        #expect(bootstrap.standardErrors == again.standardErrors)
        #expect(bootstrap.method == .bootstrapOverUsers(replicates: 8))
        #expect(bootstrap.estimates == scores.estimates)
        var compared = 0
        for (i, parameter) in scores.estimates.enumerated() where scores.standardErrors[i] > 0 {
            let ratio = bootstrap.standardErrors[i] / scores.standardErrors[i]
            #expect(ratio >= 1.0 / 3 && ratio <= 3, "\(parameter.name): ratio \(ratio)")
            compared += 1
        }
        // Every free parameter, and the reference entry of the first states and of each live row; the one persona's
        // share is fixed at 1.
        #expect(compared == fit.model.freeParameterCount + 1 + fit.model.liveStates)
    }
}
