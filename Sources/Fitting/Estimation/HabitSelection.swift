/// Whether habit feedback (``HabitFeedback``) earns its place in a model, and with which half-life, judged by the
/// likelihood of users the fits did not see.
///
/// The users are dealt alternately into a training half and a held-out half. The model without feedback is refined
/// by EM on the training half; from it, one model per half-life (strength 0 to start, states' levels in order of
/// session mean) is refined on the same half. The one with the highest log-likelihood on the held-out half is chosen;
/// feedback is kept only when it predicts users it was not fitted to better than the model without it, which no
/// penalty has to guess.
public struct HabitSelection: Sendable {
    public struct Candidate: Sendable {
        /// nil for the model without habit feedback.
        public let halfLifeDays: Double?
        /// The fit on the training half.
        public let training: HMMFit
        /// log P(held-out users | the training fit).
        public let heldOutLogLikelihood: Double
    }

    /// Without feedback first, then each half-life in the order asked.
    public let candidates: [Candidate]
    public let chosen: Candidate
    public let trainingUsers: Int
    public let heldOutUsers: Int

    /// The half-lives tried by default, in days: from a habit of a few days to one of a fortnight (the scenarios in
    /// this repository use 5 to 10).
    public static let defaultHalfLives: [Double] = [3, 5, 7, 10, 14]

    /// - Parameters:
    ///   - model: The model without habit feedback (the chosen size's fit).
    /// - Throws: ``FittingError`` from a refit, and ``FittingError/Code/invalidOptions`` for fewer than 2 users or a
    ///   model that has habit feedback already.
    public static func byHeldOutLikelihood(
        _ model: HiddenMarkovModel, data: UserDaySequences, halfLives: [Double] = defaultHalfLives,
        options: FitOptions
    ) throws -> HabitSelection {
        guard model.habit == nil else {
            throw FittingError(.invalidOptions, "the model has habit feedback already")
        }
        guard data.userCount >= 2 else { throw FittingError(.invalidOptions, "at least 2 users are needed") }
        let training = data.selecting(users: Array(stride(from: 0, to: data.userCount, by: 2)))
        let heldOut = data.selecting(users: Array(stride(from: 1, to: data.userCount, by: 2)))
        func candidate(_ start: HiddenMarkovModel, _ halfLife: Double?) throws -> Candidate {
            let fit = try HMMFitter.refine(start, on: training, options: options)
            let logLikelihood = HMMInference(checked: fit.model, data: heldOut).logLikelihood(threads: options.threads)
            return Candidate(halfLifeDays: halfLife, training: fit, heldOutLogLikelihood: logLikelihood)
        }
        let without = try candidate(model, nil)
        var candidates = [without]
        for halfLife in halfLives {
            candidates.append(try candidate(without.training.model.addingHabit(halfLifeDays: halfLife), halfLife))
        }
        var chosen = without
        for c in candidates.dropFirst() where c.heldOutLogLikelihood > chosen.heldOutLogLikelihood { chosen = c }
        return HabitSelection(
            candidates: candidates, chosen: chosen, trainingUsers: training.userCount, heldOutUsers: heldOut.userCount)
    }
}
