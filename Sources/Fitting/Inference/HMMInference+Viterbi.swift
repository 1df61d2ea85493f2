import UsageModel

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The most likely persona and sequence of latent states of one user.
public struct DecodedPath: Sendable, Hashable {
    public let persona: Int
    /// The state on each observed day (the churned state is ``HiddenMarkovModel/churned``).
    public let states: [Int]
    /// log P(persona, states, days), the largest over all personas and paths.
    public let logProbability: Double
}

extension HMMInference {
    /// Viterbi decoding (Rabiner 1989, section III.B) in log space: the persona and state path with the highest
    /// joint probability with the user's days. Ties go to the lower persona and state index. Nil when the days are
    /// impossible under the model.
    /// - Complexity: O(K · days · (S + 1)²) time and O(days · (S + 1)) memory for the user.
    public func viterbi(user: Int) -> DecodedPath? {
        let n = stateCount
        let days = Int(data.observedDays[user])
        let logEmission = logEmissions(user: user)
        let levels = habitLevels(user: user)
        var best: DecodedPath?
        var backpointer = [UInt8](repeating: 0, count: days * n)
        var score = [Double](repeating: 0, count: n)
        var nextScore = [Double](repeating: 0, count: n)
        for (k, persona) in model.personas.enumerated() {
            let logPrior = logPersonaPrior(k, user: user)
            let logTransitions = (0..<levelCount).map { level in
                model.transitions(persona: k, level: level).map { log($0) }
            }
            for j in 0..<n {
                let first = j < liveStates ? persona.initial[j] : 0
                score[j] = logPrior + log(first) + logEmission[j]
            }
            for t in stride(from: 1, to: days, by: 1) {
                let logTransition = logTransitions[Int(levels[t - 1])]
                for j in 0..<n {
                    var top = -Double.infinity
                    var from = 0
                    for i in 0..<n where score[i] + logTransition[i * n + j] > top {
                        top = score[i] + logTransition[i * n + j]
                        from = i
                    }
                    nextScore[j] = top + logEmission[t * n + j]
                    backpointer[t * n + j] = UInt8(from)
                }
                swap(&score, &nextScore)
            }
            var last = 0
            for j in 1..<n where score[j] > score[last] { last = j }
            let logProbability = score[last] + data.keyActionLogConstant[user]
            guard logProbability > best?.logProbability ?? -.infinity else { continue }
            var states = [Int](repeating: 0, count: days)
            states[days - 1] = last
            for t in stride(from: days - 1, to: 0, by: -1) {
                states[t - 1] = Int(backpointer[t * n + states[t]])
            }
            best = DecodedPath(persona: k, states: states, logProbability: logProbability)
        }
        return best
    }

    /// log P(day t's observations | state s) for every day of the user, at `t · (S + 1) + s`, without the key
    /// actions' −log(a!) (``UserDaySequences/keyActionLogConstant``).
    private func logEmissions(user: Int) -> [Double] {
        let n = stateCount
        let days = Int(data.observedDays[user])
        let silent = (0..<n).map { log(emissions.silentDay[$0]) }
        var result = [Double](repeating: 0, count: days * n)
        for t in 0..<days {
            for s in 0..<n { result[t * n + s] = silent[s] }
        }
        emissions.withLookup { lookup in
            for i in data.activeRange(user: user) {
                let t = Int(data.activeDay[i])
                for s in 0..<liveStates {
                    result[t * n + s] = lookup.logActiveDay(
                        state: s, period: period(ofActive: i), level: Int(data.sessionLevel[i]),
                        keyActions: data.keyActions[i],
                        features: data.features[i])
                }
                result[t * n + liveStates] = -.infinity
            }
        }
        return result
    }
}
