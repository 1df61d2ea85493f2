/// Fits over live-state and persona counts, and the one BIC prefers.
public struct ModelSelection: Sendable {
    /// One fitted size.
    public struct Candidate: Sendable {
        public let liveStates: Int
        public let personas: Int
        public let fit: HMMFit
    }

    /// Every size fitted, by live states, then personas.
    ///
    /// The sizes are visited along a path through the grid (a coordinate search): from the fewest live states and
    /// personas, the live states ascend while BIC falls, then the personas at the best count of live states, then
    /// the live states again at the best count of personas, and so on until neither lowers BIC. BIC falls while a
    /// model's parts earn their parameters and rises after, so the sizes past a rise would not be chosen; and a
    /// count of personas, which tells users apart by their transitions, seldom moves the count of live states that
    /// tells days apart by their emissions (on the default scenario's log every persona count of the grid had its
    /// lowest BIC at the same live states: docs/fitting.md), so the grid's far corners are not visited. A range is
    /// covered to its end when BIC keeps falling.
    public let candidates: [Candidate]
    /// The size with the lowest BIC (the smallest of equals: a size replaces the best only with a lower BIC).
    public let best: Candidate

    /// Fits sizes within `liveStates` × `personas` along the path of ``candidates``, each with the other settings of
    /// `options` from its own seeded starts, and picks the lowest BIC.
    ///
    /// A larger model is chosen only if it raises the log-likelihood by more than half its extra parameters times
    /// log(users). On a large log, compare the sizes on a sample of its users and refit the chosen one to all of
    /// them (as `segmentlab fit` does): BIC's penalty then counts the sample, so that a size must earn its
    /// parameters on fewer users.
    /// - Parameters:
    ///   - fitted: Told each size once it is fitted, with the sizes fitted so far and the most there can be.
    /// - Throws: ``FittingError`` from any of the fits.
    public static func byBIC(
        _ data: UserDaySequences, liveStates: ClosedRange<Int>, personas: ClosedRange<Int> = 1...1,
        options: FitOptions,
        fitted: ((_ candidate: Candidate, _ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> ModelSelection {
        var candidates: [Candidate] = []
        let total = liveStates.count * personas.count
        func candidate(_ s: Int, _ k: Int) throws -> Candidate {
            if let known = candidates.first(where: { $0.liveStates == s && $0.personas == k }) { return known }
            var sized = options
            sized.liveStates = s
            sized.personas = k
            let candidate = Candidate(liveStates: s, personas: k, fit: try HMMFitter.fit(data, options: sized))
            candidates.append(candidate)
            fitted?(candidate, candidates.count, total)
            return candidate
        }
        var best = try candidate(liveStates.lowerBound, personas.lowerBound)
        var moved = true
        while moved {
            moved = false
            // Live states, then personas: each ascends from the best size while BIC falls.
            for (states, persons) in [(1, 0), (0, 1)] {
                while liveStates.contains(best.liveStates + states) && personas.contains(best.personas + persons) {
                    let next = try candidate(best.liveStates + states, best.personas + persons)
                    guard next.fit.bic < best.fit.bic else { break }
                    best = next
                    moved = true
                }
            }
        }
        candidates.sort { ($0.liveStates, $0.personas) < ($1.liveStates, $1.personas) }
        return ModelSelection(candidates: candidates, best: best)
    }
}
