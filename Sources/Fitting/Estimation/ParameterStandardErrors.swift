import Stats
import UsageModel

/// Standard errors of every parameter of a model (``HiddenMarkovModel/namedParameters``), by one of two methods:
///
/// - ``outerProductOfScores(model:data:clusters:threads:)``: the inverse of the empirical information Σ_u s_u s_uᵀ,
///   s_u the score of user u; one forward–backward pass. Users are independent, so this estimates the information of
///   the observed data — the latent states' and personas' missing information included — without the second
///   derivatives of Louis' formula, which are awkward in an HMM; with clusters of users that are not, the sandwich
///   around the clusters' summed scores.
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
    /// With `clusters` (one label per user, such as the user's account), users of one cluster are not taken as
    /// independent: the covariance is the sandwich B⁻¹ C B⁻¹, with B = Σ_u s_u s_uᵀ the information as above and
    /// C = Σ_c (Σ_{u∈c} s_u)(Σ_{u∈c} s_u)ᵀ the spread of the clusters' summed scores (K.-Y. Liang and S. L. Zeger,
    /// "Longitudinal data analysis using generalized linear models", Biometrika 73, 1986; the working model takes
    /// users as independent, the clusters make the errors robust to their dependence). With one user per cluster
    /// C = B and the result is B⁻¹.
    ///
    /// Users (or clusters, in order of their smallest user) are summed in up to 64 chunks fixed by their number, so
    /// the result does not depend on `threads`.
    /// - Throws: ``FittingError``: ``FittingError/Code/invalidModel`` when the model does not match the data,
    ///   ``FittingError/Code/singularInformation`` when the information matrix is not positive definite (a
    ///   parameter the data say nothing about, such as a state no user visits), and
    ///   ``FittingError/Code/invalidOptions`` when `clusters` does not have one label per user.
    public static func outerProductOfScores(
        model: HiddenMarkovModel, data: UserDaySequences, clusters: [Int]? = nil, threads: Int = 1
    ) throws -> ParameterStandardErrors {
        if let clusters, clusters.count != data.userCount {
            throw FittingError(
                .invalidOptions, "clusters: \(clusters.count) labels for \(data.userCount) users")
        }
        let inference = try HMMInference(model: model, data: data)
        let terms = ScoreTerms(model: model, layout: inference.statisticsLayout, sessionValues: data.sessionValues)
        let groups = clusters.map(Self.groups) ?? (0..<data.userCount).map { [$0] }
        let (information, spread) = inference.scoreOuterProducts(
            terms: terms, groups: groups, clustered: clusters != nil, threads: threads)
        let p = terms.terms.count
        var covariance: Matrix
        do {
            covariance = try Matrix(rows: p, columns: p, elements: information).choleskyInverse()
        } catch {
            throw FittingError(.singularInformation, "the information matrix is not positive definite: \(error)")
        }
        if clusters != nil {
            covariance = covariance * Matrix(rows: p, columns: p, elements: spread) * covariance
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

    /// The users of each cluster label, in order of each cluster's first user.
    private static func groups(_ clusters: [Int]) -> [[Int]] {
        var index: [Int: Int] = [:]
        var groups: [[Int]] = []
        for (u, label) in clusters.enumerated() {
            if let g = index[label] {
                groups[g].append(u)
            } else {
                index[label] = groups.count
                groups.append([u])
            }
        }
        return groups
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
    /// Σ_u s_u s_uᵀ over all users and, when `clustered`, Σ_g S_g S_gᵀ over the groups, S_g the sum of the scores of
    /// group g's users (else empty); both row-major, summed in chunk order (groups in order, split into up to 64
    /// chunks), the upper triangle accumulated and mirrored.
    func scoreOuterProducts(
        terms: ScoreTerms, groups: [[Int]], clustered: Bool, threads: Int
    ) -> (users: [Double], groups: [Double]) {
        let p = terms.terms.count
        let layout = statisticsLayout
        let chunks = UserRanges.split(users: groups.count, parts: min(64, max(1, groups.count)))
        let block = (clustered ? 2 : 1) * p * p
        var partial = [Double](repeating: 0, count: chunks.count * block)
        partial.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            UserRanges.forEachTaken(
                chunks.count, threads: threads,
                makeState: { ScoreScratch(workspace: makeWorkspace(), statistics: layout.count, parameters: p) }
            ) { scratch, chunk in
                let users = base + chunk * block
                let sums = users + p * p
                for g in chunks[chunk] {
                    for i in 0..<p { scratch.summed[i] = 0 }
                    for user in groups[g] {
                        forwardBackward(user: user, in: scratch.workspace, silentRunShortcut: true)
                        scratch.statistics.withUnsafeMutableBufferPointer { t in
                            scratch.score.withUnsafeMutableBufferPointer { s in
                                t.update(repeating: 0)
                                addUser(user, from: scratch.workspace, to: t.baseAddress!)
                                terms.scores(UnsafePointer(t.baseAddress!), into: s.baseAddress!)
                                for i in 0..<p {
                                    scratch.summed[i] += s[i]
                                    for j in i..<p { users[i * p + j] += s[i] * s[j] }
                                }
                            }
                        }
                    }
                    guard clustered else { continue }
                    for i in 0..<p {
                        for j in i..<p { sums[i * p + j] += scratch.summed[i] * scratch.summed[j] }
                    }
                }
            }
        }
        var users = [Double](repeating: 0, count: p * p)
        var sums = [Double](repeating: 0, count: clustered ? p * p : 0)
        for chunk in chunks.indices {
            for i in 0..<(p * p) { users[i] += partial[chunk * block + i] }
            if clustered { for i in 0..<(p * p) { sums[i] += partial[chunk * block + p * p + i] } }
        }
        for i in 0..<p {
            for j in 0..<i {
                users[i * p + j] = users[j * p + i]
                if clustered { sums[i * p + j] = sums[j * p + i] }
            }
        }
        return (users, sums)
    }
}

/// One worker's scratch for the outer products of the scores: its workspace, a user's statistics and scores, and a
/// group's summed scores.
private final class ScoreScratch {
    let workspace: UserWorkspace
    var statistics: [Double]
    var score: [Double]
    var summed: [Double]

    init(workspace: UserWorkspace, statistics: Int, parameters: Int) {
        self.workspace = workspace
        self.statistics = [Double](repeating: 0, count: statistics)
        score = [Double](repeating: 0, count: parameters)
        summed = [Double](repeating: 0, count: parameters)
    }
}
