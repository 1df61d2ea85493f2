/// One worker's scratch memory for forward–backward passes, sized for the longest user so that nothing is allocated
/// per user or per day, and the results of the last user passed until they are added to the statistics.
///
/// All buffers are carved from one allocation, owned by the workspace and freed in `deinit`. Not `Sendable`: each
/// worker thread makes its own.
final class UserWorkspace {
    /// Days of the longest user.
    let capacity: Int

    private let storage: UnsafeMutablePointer<Double>

    /// Scaled emission of each state on each day passed, at `t · (S + 1) + s`.
    let emission: UnsafeMutablePointer<Double>
    /// Filtered probabilities α̂ per persona, at `(k · capacity + t) · (S + 1) + s`.
    let alpha: UnsafeMutablePointer<Double>
    /// The scaling factors c_t of the forward pass per persona, at `k · capacity + t`.
    let scale: UnsafeMutablePointer<Double>
    /// P(live state s on day t | the user's days), mixed over personas, at `t · S + s`.
    let gamma: UnsafeMutablePointer<Double>
    /// Scaled backward vectors of today and the day before (S + 1 each).
    let beta: UnsafeMutablePointer<Double>
    let nextBeta: UnsafeMutablePointer<Double>
    /// The backward pass's weighted vector of the day it is at, v_t(j) = b_j(t) β̂_t(j) / c_t.
    let weighted: UnsafeMutablePointer<Double>

    // Results of the last user.
    /// log P(days | persona k), at k.
    let personaLogLikelihood: UnsafeMutablePointer<Double>
    /// P(persona k | days).
    let responsibility: UnsafeMutablePointer<Double>
    /// P(silent run after the passed days | α̂ of the last passed day), per persona (1 without a run).
    let runLikelihood: UnsafeMutablePointer<Double>
    /// Responsibility-weighted P(first state = i), at `k · S + i`.
    let initialCounts: UnsafeMutablePointer<Double>
    /// Responsibility-weighted expected transitions i → j at habit level ℓ, at `((k · H + ℓ) · S + i) · (S + 1) + j`.
    let transitionCounts: UnsafeMutablePointer<Double>
    /// Scratch of one persona's transition sums per habit level, at `(ℓ · S + i) · (S + 1) + j`.
    let levelSums: UnsafeMutablePointer<Double>
    /// The habit level of each day passed (``HMMInference/fillHabitLevels(user:days:into:)``); all 0 without habit.
    let level: UnsafeMutablePointer<UInt8>
    /// Expected days in each live state during the silent run, mixed over personas.
    let silentRunDays: UnsafeMutablePointer<Double>
    /// P(live state s on day t | the user's days, persona k), at `(k · capacity + t) · S + s`: written by the backward
    /// passes when ``keepsPersonaStates`` is set (for posteriors by persona), for the personas with a positive
    /// responsibility.
    let personaGamma: UnsafeMutablePointer<Double>
    var keepsPersonaStates = false
    /// Days passed one by one (the rest of the observation is the silent run).
    var passedDays = 0
    /// Silent days after the passed ones, handled through ``SilentRunTables``.
    var silentRun = 0
    /// log P(all the user's days).
    var logLikelihood = 0.0

    init(liveStates: Int, personas: Int, levels: Int, days: Int) {
        capacity = days
        let n = liveStates + 1
        let sizes = [
            days * n, personas * days * n, personas * days, days * liveStates, n, n, n,
            personas, personas, personas, personas * liveStates, personas * levels * liveStates * n, liveStates,
            personas * days * liveStates, levels * liveStates * n,
        ]
        storage = UnsafeMutablePointer<Double>.allocate(capacity: sizes.reduce(0, +))
        storage.initialize(repeating: 0, count: sizes.reduce(0, +))
        var offsets: [Int] = []
        var running = 0
        for size in sizes {
            offsets.append(running)
            running += size
        }
        emission = storage + offsets[0]
        alpha = storage + offsets[1]
        scale = storage + offsets[2]
        gamma = storage + offsets[3]
        beta = storage + offsets[4]
        nextBeta = storage + offsets[5]
        weighted = storage + offsets[6]
        personaLogLikelihood = storage + offsets[7]
        responsibility = storage + offsets[8]
        runLikelihood = storage + offsets[9]
        initialCounts = storage + offsets[10]
        transitionCounts = storage + offsets[11]
        silentRunDays = storage + offsets[12]
        personaGamma = storage + offsets[13]
        levelSums = storage + offsets[14]
        level = UnsafeMutablePointer<UInt8>.allocate(capacity: days)
        level.initialize(repeating: 0, count: days)
    }

    deinit {
        storage.deallocate()
        level.deallocate()
    }
}
