@testable import Fitting
import Testing

/// DESIGN.md invariant 1: the same data and seed give the same numbers at any thread count.
@Suite("Determinism")
struct DeterminismTests {
    /// 1 000 users of the recovery model: four chunks of 256, which two or three threads split differently from one.
    static func thousandUsers() throws -> (truth: HiddenMarkovModel, data: UserDaySequences) {
        let truth = try recoveryModel()
        return (truth, truth.simulate(users: 1_000, days: 60, signupDays: 10, seed: 3))
    }

    @Test("a fit, its filtered last days and its standard errors are bit-for-bit the same at 1 and 2 threads")
    func threadCount() throws {
        let data = try Self.thousandUsers().data
        func run(threads: Int) throws -> (HMMFit, [Double], [Double]) {
            let options = FitOptions(
                liveStates: 3, personas: 2, starts: 2, exploratoryIterations: 3, exploratoryUsers: 500,
                maxIterations: 12, threads: threads)
            let fit = try HMMFitter.fit(data, options: options)
            let inference = try HMMInference(model: fit.model, data: data)
            let errors = try ParameterStandardErrors.outerProductOfScores(
                model: fit.model, data: data, threads: threads)
            return (fit, inference.lastDayStateProbabilities(threads: threads), errors.standardErrors)
        }
        let (one, filteredOne, errorsOne) = try run(threads: 1)
        let (two, filteredTwo, errorsTwo) = try run(threads: 2)
        #expect(one.model == two.model)
        #expect(one.logLikelihood == two.logLikelihood)
        #expect(one.startLogLikelihoods == two.startLogLikelihoods)
        #expect(one.iterations == two.iterations)
        #expect(filteredOne == filteredTwo)
        #expect(errorsOne.elementsEqual(errorsTwo) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }

    @Test("the log-likelihood from the forward passes alone is the E-step's to the bit, at 1, 2 and 3 threads")
    func forwardLogLikelihood() throws {
        let (truth, data) = try Self.thousandUsers()
        // Four chunks of 256 users, summed in chunk order whatever the threads.
        let inference = try HMMInference(model: truth, data: data)
        let eStep = inference.expectedStatistics(threads: 1).logLikelihood
        #expect(eStep.isFinite)
        for threads in 1...3 { #expect(inference.logLikelihood(threads: threads) == eStep) }
    }
}
