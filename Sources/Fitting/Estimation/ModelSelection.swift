/// Fits over a grid of live-state and persona counts, and the one BIC prefers.
public struct ModelSelection: Sendable {
    /// One fitted size.
    public struct Candidate: Sendable {
        public let liveStates: Int
        public let personas: Int
        public let fit: HMMFit
    }

    /// Every size fitted, by live states, then personas.
    public let candidates: [Candidate]
    /// The candidate with the lowest BIC (the first, hence smallest, of equals).
    public let best: Candidate

    /// Fits every S in `liveStates` and K in `personas` with the other settings of `options`, each from its own
    /// seeded starts, and picks the lowest BIC.
    ///
    /// A larger model is chosen only if it raises the log-likelihood by more than half its extra parameters times
    /// log(users).
    /// - Parameters:
    ///   - fitted: Told each size once it is fitted, with the sizes fitted so far and all there are to fit.
    /// - Throws: ``FittingError`` from any of the fits.
    public static func byBIC(
        _ data: UserDaySequences, liveStates: ClosedRange<Int>, personas: ClosedRange<Int> = 1...1,
        options: FitOptions, fitted: ((_ candidate: Candidate, _ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> ModelSelection {
        var candidates: [Candidate] = []
        let total = liveStates.count * personas.count
        for s in liveStates {
            for k in personas {
                var sized = options
                sized.liveStates = s
                sized.personas = k
                candidates.append(Candidate(liveStates: s, personas: k, fit: try HMMFitter.fit(data, options: sized)))
                fitted?(candidates[candidates.count - 1], candidates.count, total)
            }
        }
        var best = candidates[0]
        for candidate in candidates.dropFirst() where candidate.fit.bic < best.fit.bic {
            best = candidate
        }
        return ModelSelection(candidates: candidates, best: best)
    }
}
