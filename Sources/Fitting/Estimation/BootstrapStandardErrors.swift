import Stats

/// Standard errors of a fit's parameters from a bootstrap over users.
///
/// The observed information of an HMM is awkward to compute (the missing-information term of Louis' formula needs
/// second moments of the complete-data score over the latent paths). Users are independent, so resampling them with
/// replacement and refitting gives the sampling spread of every parameter directly, including shares, transition
/// probabilities and dispersions, at the cost of one EM run per replicate.
public struct BootstrapStandardErrors: Sendable {
    /// The fit's parameters (``HiddenMarkovModel/namedParameters``).
    public let estimates: [HiddenMarkovModel.NamedParameter]
    /// The standard deviation (n − 1 in the denominator) of each parameter over the replicates, in the same order.
    public let standardErrors: [Double]
    /// Replicates refitted.
    public let replicates: Int

    /// Resamples the users of `data` `replicates` times and refits each sample by EM from `fit.model`.
    ///
    /// Starting every replicate from the estimate keeps each state's and persona's label (no label switching to
    /// undo) and needs few iterations. Replicate b draws its users from a SplitMix64 stream keyed by (seed,
    /// ``StreamPurpose/bootstrap``, b), so the result is reproducible and does not depend on the thread count.
    /// - Parameters:
    ///   - options: Iterations, tolerance and threads of each refit; sizes and starts are ignored.
    /// - Throws: ``FittingError`` (``FittingError/Code/invalidOptions``) for fewer than 2 replicates, or from a
    ///   refit.
    public static func overUsers(
        _ fit: HMMFit, data: UserDaySequences, replicates: Int, seed: UInt64, options: FitOptions
    ) throws -> BootstrapStandardErrors {
        guard replicates >= 2 else {
            throw FittingError(.invalidOptions, "replicates: at least 2 are needed for a standard deviation")
        }
        let estimates = fit.model.namedParameters
        let users = data.userCount
        var samples: [[Double]] = []
        for b in 0..<replicates {
            var rng = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.bootstrap, UInt64(b), 0))
            // Lemire's multiply-shift: a user index in 0..<users, with a bias below users / 2⁶⁴.
            let sample = (0..<users).map { _ in Int(rng.next().multipliedFullWidth(by: UInt64(users)).high) }
            let refit = try HMMFitter.refine(fit.model, on: data.selecting(users: sample), options: options)
            samples.append(refit.model.namedParameters.map(\.value))
        }
        let count = Double(replicates)
        let errors = estimates.indices.map { i in
            let mean = samples.reduce(0) { $0 + $1[i] } / count
            let squares = samples.reduce(0) { $0 + ($1[i] - mean) * ($1[i] - mean) }
            return (squares / (count - 1)).squareRoot()
        }
        return BootstrapStandardErrors(estimates: estimates, standardErrors: errors, replicates: replicates)
    }
}
