import Stats
import UsageModel

/// Standard errors of every parameter of a model (``HiddenMarkovModel/namedParameters``), by one of two methods:
///
/// - ``outerProductOfScores(model:data:threads:)``: the inverse of the empirical information Σ_u s_u s_uᵀ, s_u the
///   score of user u; one forward–backward pass. Users are independent, so this estimates the information of the
///   observed data — the latent states' and personas' missing information included — without the second
///   derivatives of Louis' formula, which are awkward in an HMM.
/// - ``bootstrapOverUsers(_:data:replicates:seed:options:)``: the spread of refits on users resampled with
///   replacement; one EM run per replicate, no asymptotic formula.
public struct ParameterStandardErrors: Sendable {
    /// How the errors were obtained.
    public enum Method: Sendable, Hashable {
        case outerProductOfScores
        case bootstrapOverUsers(replicates: Int)
    }

    /// The parameters, in the model's order.
    public let estimates: [HiddenMarkovModel.NamedParameter]
    /// One standard error per parameter, in the same order. With scores, a parameter on the boundary of its range
    /// (a probability of exactly 0, a feature probability of 1, a rate of 0) has none (NaN), and a probability fixed
    /// by the others (a single persona's share of 1, a single live state's first-state probability) has 0.
    public let standardErrors: [Double]
    public let method: Method

    /// Standard errors from the outer product of the users' scores, evaluated at `model`: at a fitted model the usual
    /// (BHHH) estimate of its sampling error; at the model that generated the data, the sampling error a fit of
    /// this many users should show.
    ///
    /// Users are summed in up to 64 chunks fixed by the number of users, so the result does not depend on `threads`.
    /// - Throws: ``FittingError``: ``FittingError/Code/invalidModel`` when the model does not match the data,
    ///   ``FittingError/Code/singularInformation`` when the information matrix is not positive definite (a
    ///   parameter the data say nothing about, such as a state no user visits).
    public static func outerProductOfScores(
        model: HiddenMarkovModel, data: UserDaySequences, threads: Int = 1
    ) throws -> ParameterStandardErrors {
        let inference = try HMMInference(model: model, data: data)
        let terms = ScoreTerms(model: model, layout: inference.statisticsLayout, sessionValues: data.sessionValues)
        let information = inference.scoreOuterProduct(terms: terms, threads: threads)
        let p = terms.terms.count
        let covariance: Matrix
        do {
            covariance = try Matrix(rows: p, columns: p, elements: information).choleskyInverse()
        } catch {
            throw FittingError(.singularInformation, "the information matrix is not positive definite: \(error)")
        }
        let errors = terms.roles.map { role -> Double in
            switch role {
            case .free(let i): covariance[i, i].squareRoot()
            case .reference(let free):
                free.reduce(0.0) { sum, i in free.reduce(sum) { $0 + covariance[i, $1] } }.squareRoot()
            case .boundary: .nan
            }
        }
        return ParameterStandardErrors(
            estimates: model.namedParameters, standardErrors: errors, method: .outerProductOfScores)
    }

    /// Resamples the users of `data` `replicates` times and refits each sample by EM from `fit.model`; the standard
    /// error of each parameter is its standard deviation over the replicates (n − 1 in the denominator).
    ///
    /// Starting every replicate from the estimate keeps each state's and persona's label (no label switching to
    /// undo) and needs few iterations. Replicate b draws its users from a SplitMix64 stream keyed by (seed,
    /// ``StreamPurpose/bootstrap``, b), so the result is reproducible and does not depend on the thread count.
    /// - Parameters:
    ///   - options: Iterations, tolerance and threads of each refit; sizes and starts are not used.
    /// - Throws: ``FittingError`` (``FittingError/Code/invalidOptions``) for fewer than 2 replicates, or from a
    ///   refit.
    public static func bootstrapOverUsers(
        _ fit: HMMFit, data: UserDaySequences, replicates: Int, seed: UInt64, options: FitOptions
    ) throws -> ParameterStandardErrors {
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
        return ParameterStandardErrors(
            estimates: estimates, standardErrors: errors, method: .bootstrapOverUsers(replicates: replicates))
    }
}

extension HMMInference {
    /// Σ_u s_u s_uᵀ over all users, row-major, summed in chunk order.
    func scoreOuterProduct(terms: ScoreTerms, threads: Int) -> [Double] {
        let p = terms.terms.count
        let layout = statisticsLayout
        let users = data.userCount
        let chunks = UserRanges.split(users: users, parts: min(64, max(1, users)))
        var partial = [Double](repeating: 0, count: chunks.count * p * p)
        partial.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let workers = UserRanges.split(users: chunks.count, parts: max(1, min(threads, chunks.count)))
            UserRanges.forEach(workers) { _, chunkRange in
                let workspace = makeWorkspace()
                var statistics = [Double](repeating: 0, count: layout.count)
                var score = [Double](repeating: 0, count: p)
                for chunk in chunkRange {
                    let sums = base + chunk * p * p
                    for user in chunks[chunk] {
                        forwardBackward(user: user, in: workspace, silentRunShortcut: true)
                        statistics.withUnsafeMutableBufferPointer { t in
                            score.withUnsafeMutableBufferPointer { s in
                                t.update(repeating: 0)
                                addUser(user, from: workspace, to: t.baseAddress!)
                                terms.scores(UnsafePointer(t.baseAddress!), into: s.baseAddress!)
                                for i in 0..<p {
                                    for j in 0..<p { sums[i * p + j] += s[i] * s[j] }
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: p * p)
        for chunk in chunks.indices {
            for i in 0..<(p * p) { total[i] += partial[chunk * p * p + i] }
        }
        return total
    }
}
