import UsageModel

/// What a user's days say about the user's persona and latent states.
public struct UserPosterior: Sendable, Hashable {
    /// log P(the user's days | model).
    public let logLikelihood: Double
    /// P(persona k | days).
    public let personaProbabilities: [Double]
    /// P(state s on day t | all the user's days), mixed over personas, at `t · stateCount + s`.
    public let stateProbabilities: [Double]
    /// P(persona k and live state s on day t | all the user's days), at `(k · days + t) · liveStates + s`.
    public let personaStateProbabilities: [Double]
    /// Live states and churned.
    public let stateCount: Int

    /// Days observed.
    public var days: Int { stateProbabilities.count / stateCount }

    /// P(state on `day` | all the user's days).
    public func probability(day: Int, state: Int) -> Double {
        stateProbabilities[day * stateCount + state]
    }

    /// P(`persona` and live `state` on `day` | all the user's days).
    public func probability(persona: Int, day: Int, state: Int) -> Double {
        personaStateProbabilities[(persona * days + day) * (stateCount - 1) + state]
    }
}

extension HMMInference {
    /// The smoothed posterior of one user: persona probabilities and, for every observed day, the probability of
    /// each state given all the user's days (forward–backward, every day passed one by one).
    public func posterior(user: Int) -> UserPosterior {
        posterior(user: user, in: makeWorkspace())
    }

    /// Passes every user's posterior (``posterior(user:)``) to `add`, which folds what it needs of it into a tally.
    ///
    /// Users are cut into up to 64 chunks of consecutive users fixed by the number of users; each chunk starts from
    /// `initial` and adds its users in order, and the chunks' tallies come back in order. Combined in that order, the
    /// result is the same at any thread count.
    /// - Parameters:
    ///   - add: Called from up to `threads` workers at once, each on chunks of its own: it must touch nothing but
    ///     the tally it is given.
    public func tallyPosteriors<Tally>(
        initial: Tally, threads: Int = 1, _ add: (_ user: Int, _ posterior: UserPosterior, _ tally: inout Tally) -> Void
    ) -> [Tally] {
        let users = data.userCount
        let chunks = UserRanges.split(users: users, parts: min(64, max(1, users)))
        var tallies = [Tally](repeating: initial, count: chunks.count)
        tallies.withUnsafeMutableBufferPointer { buffer in
            UserRanges.forEachTaken(chunks.count, threads: threads, makeState: makeWorkspace) { workspace, chunk in
                for user in chunks[chunk] {
                    add(user, posterior(user: user, in: workspace), &buffer[chunk])
                }
            }
        }
        return tallies
    }

    /// ``posterior(user:)`` in a given workspace.
    private func posterior(user: Int, in workspace: UserWorkspace) -> UserPosterior {
        workspace.keepsPersonaStates = true
        defer { workspace.keepsPersonaStates = false }
        forwardBackward(user: user, in: workspace, silentRunShortcut: false)
        let days = Int(data.observedDays[user])
        let live = liveStates
        let n = stateCount
        var states = [Double](repeating: 0, count: days * n)
        let possible = workspace.logLikelihood > -.infinity
        for t in 0..<days where possible {
            var alive = 0.0
            for s in 0..<live {
                states[t * n + s] = workspace.gamma[t * live + s]
                alive += workspace.gamma[t * live + s]
            }
            states[t * n + live] = max(0, 1 - alive)
        }
        let personas = (0..<personaCount).map { possible ? workspace.responsibility[$0] : 0 }
        var joint = [Double](repeating: 0, count: personaCount * days * live)
        for k in 0..<personaCount where personas[k] > Self.negligibleResponsibility {
            let own = workspace.personaGamma + k * workspace.capacity * live
            for i in 0..<(days * live) { joint[k * days * live + i] = personas[k] * own[i] }
        }
        return UserPosterior(
            logLikelihood: workspace.logLikelihood, personaProbabilities: personas, stateProbabilities: states,
            personaStateProbabilities: joint, stateCount: n)
    }

    /// P(state on the user's last observed day | all the user's days) for every user, at `u · (S + 1) + s`: the
    /// filtered distribution of the day a churn prediction is made, mixed over the user's posterior personas.
    ///
    /// Users with a likelihood of 0 get all zeros. Each user's numbers depend only on that user, so the result is
    /// the same at any thread count.
    public func lastDayStateProbabilities(threads: Int = 1) -> [Double] {
        let users = data.userCount
        let n = stateCount
        var result = [Double](repeating: 0, count: users * n)
        result.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let ranges = UserRanges.split(users: users, parts: max(1, min(threads, users)))
            UserRanges.forEach(ranges) { _, range in
                let workspace = makeWorkspace()
                for user in range {
                    filterToLastDay(user: user, in: workspace, into: base + user * n)
                }
            }
        }
        return result
    }

    /// Forward passes over all of one user's days; writes the mixture of the personas' last filtered vectors.
    private func filterToLastDay(user: Int, in workspace: UserWorkspace, into output: UnsafeMutablePointer<Double>) {
        let n = stateCount
        let days = Int(data.observedDays[user])
        forwardBackward(user: user, in: workspace, silentRunShortcut: false, backward: false)
        guard workspace.logLikelihood > -.infinity else { return }
        for k in 0..<personaCount {
            let weight = workspace.responsibility[k]
            guard weight > 0 else { continue }
            let last = workspace.alpha + (k * workspace.capacity + days - 1) * n
            for s in 0..<n { output[s] += weight * last[s] }
        }
    }
}
