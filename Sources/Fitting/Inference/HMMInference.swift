import UsageModel

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A model paired with the data it describes, ready for forward–backward passes: the model's numbers laid out
/// flat and the emission and silent-run tables computed once.
///
/// Build one per model and data set, then ask it for a user's posterior state probabilities
/// (``posterior(user:)``), the most likely path (``viterbi(user:)``), every user's state on the last observed day
/// (``lastDayStateProbabilities(threads:)``) or the log-likelihood of all users (``logLikelihood(threads:)``).
public struct HMMInference: Sendable {
    public let model: HiddenMarkovModel
    public let data: UserDaySequences
    let emissions: EmissionTables
    /// Per persona, the tables of runs of silent days up to the longest observation; empty when they would exceed
    /// ``SilentRunTables/largestSize``, and every day is then passed one by one.
    let silentRuns: [SilentRunTables]
    /// log(share) per persona.
    let logShares: [Double]
    /// log P(account size class c | persona k) at `k · classes + c`; `[0, …]` (one class) for a model without
    /// accounts, which then ignores the data's classes.
    let logAccountSizes: [Double]
    let accountSizeClasses: Int
    /// First-day distribution over all states (churned 0), at `k · (S + 1) + i`.
    let initial: Column<Double>
    /// Transition matrices, at `(k · (S + 1) + i) · (S + 1) + j`.
    let transitions: Column<Double>
    /// The same matrices transposed, at `(k · (S + 1) + j) · (S + 1) + i`: the forward pass takes each day's vector
    /// as dot products with their rows.
    let transposedTransitions: Column<Double>

    /// - Throws: ``FittingError`` (``FittingError/Code/invalidModel``) when the model describes another number of
    ///   features than the data records, or a model with account sizes has fewer classes than the data.
    public init(model: HiddenMarkovModel, data: UserDaySequences) throws {
        guard model.featureCount == data.featureCount else {
            throw FittingError(
                .invalidModel,
                "the model describes \(model.featureCount) features, the data records \(data.featureCount)")
        }
        guard model.accountSizeClasses == 1 || model.accountSizeClasses >= data.accountSizeClassCount else {
            throw FittingError(
                .invalidModel,
                "the model describes \(model.accountSizeClasses) account size classes, the data has "
                    + "\(data.accountSizeClassCount)")
        }
        self.init(checked: model, data: data)
    }

    /// For a model whose feature count is known to match the data's.
    init(checked model: HiddenMarkovModel, data: UserDaySequences) {
        self.model = model
        self.data = data
        let emissions = EmissionTables(model: model, sessionValues: data.sessionValues)
        self.emissions = emissions
        let silentDay = Array(emissions.silentDay)
        let longestRun = max(0, data.maximumObservedDays - 1)
        silentRuns =
            SilentRunTables.size(liveStates: model.liveStates, longestRun: longestRun) <= SilentRunTables.largestSize
            ? model.personas.map { SilentRunTables(persona: $0, silentDay: silentDay, longestRun: longestRun) } : []
        logShares = model.personas.map { log($0.share) }
        logAccountSizes = model.personas.flatMap { $0.accountSizes.map { log($0) } }
        accountSizeClasses = model.accountSizeClasses
        initial = Column(model.personas.flatMap { $0.initial + [0] })
        transitions = Column(model.personas.flatMap(\.transitions))
        let n = model.stateCount
        transposedTransitions = Column(
            model.personas.flatMap { persona in
                (0..<(n * n)).map { persona.transitions[($0 % n) * n + $0 / n] }
            })
    }

    /// log P(persona k) + log P(`user`'s account size class | persona k): the persona's prior for the user, before
    /// the user's days.
    @inline(__always)
    func logPersonaPrior(_ k: Int, user: Int) -> Double {
        logShares[k]
            + logAccountSizes[k * accountSizeClasses + (accountSizeClasses > 1 ? data.accountSizeClass(user: user) : 0)]
    }

    var liveStates: Int { model.liveStates }
    var stateCount: Int { model.stateCount }
    var personaCount: Int { model.personas.count }

    /// A workspace for passes over any user of the data.
    func makeWorkspace() -> UserWorkspace {
        UserWorkspace(liveStates: liveStates, personas: personaCount, days: max(1, data.maximumObservedDays))
    }
}
