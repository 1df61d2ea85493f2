import Stats

/// The maximum-likelihood rate of a yes/no outcome in each live state, when each outcome was observed on a day whose
/// state is known only through a posterior: a trial ending, converted or not, with the user's state probabilities on
/// that day.
///
/// The outcome depends on the state that day, so the likelihood of user u's outcome y is Σₛ wᵤₛ cₛʸ(1 − cₛ)¹⁻ʸ, wᵤₛ
/// the posterior of state s among the live states. The posterior-weighted rate Σᵤ wᵤₛ yᵤ / Σᵤ wᵤₛ
/// (``StateOutcomeRates``) ignores what the outcome says about the state, and so pulls the rates of states that the
/// days do not tell apart towards each other; this maximises the likelihood instead, by EM over the unknown state
/// (a finite mixture of Bernoulli distributions with known, per-observation mixing weights): the responsibilities
/// rᵤₛ ∝ wᵤₛ cₛʸ(1 − cₛ)¹⁻ʸ, then cₛ = Σᵤ rᵤₛ yᵤ / Σᵤ rᵤₛ, from the weighted rates until no rate moves by more
/// than 10⁻¹¹. Standard errors come from the outer product of the observations' scores, as the model's do
/// (``ParameterStandardErrors/outerProductOfScores(model:data:clusters:threads:)``).
public struct StateOutcomeMixture: Sendable {
    public let liveStates: Int
    /// Posterior state probabilities among the live states, `liveStates` per observation.
    private var weights: [Double] = []
    private var outcomes: [Bool] = []

    public init(liveStates: Int) { self.liveStates = liveStates }

    /// Adds the outcome observed on `day` (days since sign-up) of the user whose posterior is given; a day the
    /// posterior gives no live state any probability is left out.
    public mutating func add(_ posterior: UserPosterior, day: Int, success: Bool) {
        add(stateProbabilities: (0..<liveStates).map { posterior.probability(day: day, state: $0) }, success: success)
    }

    /// Adds an outcome observed when the live states had these probabilities (normalised here); none left out
    /// when they are all 0.
    public mutating func add(stateProbabilities live: [Double], success: Bool) {
        precondition(live.count == liveStates, "one probability per live state")
        let total = live.reduce(0, +)
        guard total > 0 else { return }
        weights += live.map { $0 / total }
        outcomes.append(success)
    }

    /// Adds the observations of another mixture of the same shape, after this one's.
    public mutating func add(_ other: StateOutcomeMixture) {
        weights += other.weights
        outcomes += other.outcomes
    }

    /// The expected number of observations made in each live state (Σᵤ wᵤₛ): how much a rate rests on.
    public var expectedObservations: [Double] {
        var sums = [Double](repeating: 0, count: liveStates)
        for (i, w) in weights.enumerated() { sums[i % liveStates] += w }
        return sums
    }

    /// The fitted rates: per live state the maximum-likelihood rate and its standard error, nil for a state no
    /// observation fell in. A rate of 0 or 1 (on the boundary) and one the information does not pin down have a
    /// NaN standard error.
    public func fitted(maxIterations: Int = 10_000) -> [(rate: Double, standardError: Double)?] {
        let s = liveStates
        let n = outcomes.count
        let expected = expectedObservations
        var rates = (0..<s).map { state -> Double in
            var successes = 0.0
            for u in 0..<n where outcomes[u] { successes += weights[u * s + state] }
            return expected[state] > 0 ? successes / expected[state] : 0
        }
        var responsibility = [Double](repeating: 0, count: s)
        for _ in 0..<maxIterations {
            var successes = [Double](repeating: 0, count: s)
            var totals = [Double](repeating: 0, count: s)
            for u in 0..<n {
                var sum = 0.0
                for state in 0..<s {
                    responsibility[state] =
                        weights[u * s + state] * (outcomes[u] ? rates[state] : 1 - rates[state])
                    sum += responsibility[state]
                }
                guard sum > 0 else { continue }
                for state in 0..<s {
                    let r = responsibility[state] / sum
                    totals[state] += r
                    if outcomes[u] { successes[state] += r }
                }
            }
            var change = 0.0
            for state in 0..<s where totals[state] > 0 {
                let next = successes[state] / totals[state]
                change = max(change, abs(next - rates[state]))
                rates[state] = next
            }
            if change <= 1e-11 { break }
        }
        let errors = standardErrors(rates)
        return (0..<s).map { expected[$0] > 0 ? (rates[$0], errors[$0]) : nil }
    }

    /// √diag of the inverse of Σᵤ gᵤgᵤᵀ over the states with an interior rate, gᵤ the gradient of user u's
    /// log-likelihood: ∂/∂cₛ log Σₜ wᵤₜ fₜ = ±wᵤₛ / Σₜ wᵤₜ fₜ (+ for a success, − otherwise).
    private func standardErrors(_ rates: [Double]) -> [Double] {
        let s = liveStates
        let interior = (0..<s).filter { rates[$0] > 0 && rates[$0] < 1 }
        var errors = [Double](repeating: .nan, count: s)
        guard !interior.isEmpty else { return errors }
        let p = interior.count
        var information = [Double](repeating: 0, count: p * p)
        var gradient = [Double](repeating: 0, count: p)
        for u in 0..<outcomes.count {
            var likelihood = 0.0
            for state in 0..<s {
                likelihood += weights[u * s + state] * (outcomes[u] ? rates[state] : 1 - rates[state])
            }
            guard likelihood > 0 else { continue }
            for (i, state) in interior.enumerated() {
                gradient[i] = (outcomes[u] ? 1 : -1) * weights[u * s + state] / likelihood
            }
            for i in 0..<p {
                for j in 0..<p { information[i * p + j] += gradient[i] * gradient[j] }
            }
        }
        guard let covariance = try? Matrix(rows: p, columns: p, elements: information).choleskyInverse() else {
            return errors
        }
        for (i, state) in interior.enumerated() { errors[state] = covariance[i, i].squareRoot() }
        return errors
    }
}
