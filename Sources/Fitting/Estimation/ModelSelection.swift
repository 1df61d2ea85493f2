/// Fits over live-state and persona counts, and the one BIC prefers.
public struct ModelSelection: Sendable {
    /// One fitted size.
    public struct Candidate: Sendable {
        public let liveStates: Int
        public let personas: Int
        public let fit: HMMFit
    }

    /// Every size fitted, by live states, then personas, on the users the sizes were compared on.
    ///
    /// For each persona count the live states ascend through the range and stop at the first count whose BIC is
    /// higher than the one before: BIC falls while states earn their parameters and rises after, so the sizes
    /// beyond would not be chosen; a range is covered whole when BIC keeps falling.
    public let candidates: [Candidate]
    /// The size with the lowest BIC (the first, hence smallest, of equals), fitted on all users.
    public let best: Candidate
    /// Users the sizes were compared on: all, or an evenly spaced subsample (``byBIC(_:liveStates:personas:options:selectionUsers:fitted:)``).
    public let selectionUsers: Int

    /// Fits S in `liveStates` (ascending, until BIC rises; see ``candidates``) for every K in `personas` with the
    /// other settings of `options`, each from its own seeded starts, and picks the lowest BIC.
    ///
    /// A larger model is chosen only if it raises the log-likelihood by more than half its extra parameters times
    /// log(users). With more users than `selectionUsers`, the sizes are fitted and compared on that many, evenly
    /// spaced through the data (users ⌊i·n/m⌋), and the chosen size alone is then fitted on all users by EM from
    /// its subsample fit: a grid of sizes costs a fraction of one fit more than the chosen size, at the price of a
    /// BIC whose penalty counts the subsample (log m instead of log n), so that a size must earn its parameters on
    /// fewer users.
    /// - Parameters:
    ///   - fitted: Told each size once it is fitted, with the sizes fitted so far and the most there can be.
    /// - Throws: ``FittingError`` from any of the fits.
    public static func byBIC(
        _ data: UserDaySequences, liveStates: ClosedRange<Int>, personas: ClosedRange<Int> = 1...1,
        options: FitOptions, selectionUsers: Int = .max,
        fitted: ((_ candidate: Candidate, _ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> ModelSelection {
        precondition(selectionUsers >= 1, "selectionUsers must be at least 1")
        let subsample = data.userCount > selectionUsers ? HMMFitter.evenlySpaced(data, selectionUsers) : nil
        var candidates: [Candidate] = []
        let total = liveStates.count * personas.count
        for k in personas {
            var previous = Double.infinity
            for s in liveStates {
                var sized = options
                sized.liveStates = s
                sized.personas = k
                let candidate = Candidate(
                    liveStates: s, personas: k, fit: try HMMFitter.fit(subsample ?? data, options: sized))
                candidates.append(candidate)
                fitted?(candidate, candidates.count, total)
                if candidate.fit.bic > previous { break }
                previous = candidate.fit.bic
            }
        }
        candidates.sort { ($0.liveStates, $0.personas) < ($1.liveStates, $1.personas) }
        var best = candidates[0]
        for candidate in candidates.dropFirst() where candidate.fit.bic < best.fit.bic {
            best = candidate
        }
        if subsample != nil {
            var sized = options
            sized.liveStates = best.liveStates
            sized.personas = best.personas
            let refit = try HMMFitter.refine(best.fit.model, on: data, options: sized)
            best = Candidate(liveStates: best.liveStates, personas: best.personas, fit: refit.canonicallyOrdered())
        }
        return ModelSelection(
            candidates: candidates, best: best, selectionUsers: subsample?.userCount ?? data.userCount)
    }
}
