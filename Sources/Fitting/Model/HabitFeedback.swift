import UsageModel

/// Habit feedback, as the simulator applies it (docs/simulation.md, `modifiers.habit`): transitions that depend on
/// what the user did lately, which the log shows.
///
/// A user's habit is an exponentially weighted share of recent days with a session, ½ on the sign-up morning and
/// after each day `h ← h·d + (1 − d)·active` with d = 2^(−1/half-life); tonight's transition uses its level
/// ⌊16 h⌋ (at most 15). At level ℓ, with h_ℓ = (ℓ + ½)/16 the middle of the level, every **decline** — a move to a
/// live state of lower ``stateLevels`` level, or to churned — is multiplied by f_ℓ = 1 − strength·(2h_ℓ − 1) and
/// the self transition takes the difference: a daily user declines less, an idle one more. The persona's
/// transition matrix is the row at f = 1. Should the scaled moves exceed 1, they are shrunk to sum to 1 and the self
/// transition is 0 (the simulator's rule; the M-step keeps its estimates where that never happens).
///
/// The habit is a function of the observed days alone, so the chain stays a hidden Markov model with a known
/// transition matrix per day.
public struct HabitFeedback: Sendable, Hashable {
    /// Habit levels, as the simulator's.
    public static let levels = HabitRule.levels

    /// Half-life of the habit's memory in days, > 0.
    public var halfLifeDays: Double
    /// In [0, 1), as the scenario format has it; 0 is no feedback.
    public var strength: Double
    /// The largest strength the M-step takes: at 1 a user at the top habit level would almost never decline.
    static let strongest = 0.999
    /// The scenario `level` of each live state: a move to a lower one is a decline.
    public var stateLevels: [Int]

    public init(halfLifeDays: Double, strength: Double, stateLevels: [Int]) {
        self.halfLifeDays = halfLifeDays
        self.strength = strength
        self.stateLevels = stateLevels
    }

    /// The daily decay d, in single precision as the simulator computes it (``HabitRule``), so the levels read from
    /// a log are the ones its users had.
    var decay: Float { HabitRule.decay(halfLifeDays: halfLifeDays) }

    /// The habit after a day, and the level it sets for tonight's transition (``HabitRule/step(_:active:decay:levels:)``).
    @inline(__always)
    static func step(_ habit: Float, active: Bool, decay: Float) -> (habit: Float, level: Int) {
        HabitRule.step(habit, active: active ? 1 : 0, decay: decay, levels: levels)
    }

    /// The habit on the sign-up morning.
    static let initialHabit = HabitRule.initialHabit

    /// 2h_ℓ − 1 for level ℓ: how far the level's middle lies from neutral, in [−1, 1]; f_ℓ = 1 − strength·(2h_ℓ − 1).
    static func centred(level: Int) -> Double { HabitRule.centred(level: level) }

    /// The factor f_ℓ on declines at level ℓ (``HabitRule/declineFactor(strength:level:)``).
    func declineFactor(level: Int) -> Double {
        HabitRule.declineFactor(strength: strength, level: level)
    }

    /// Whether the move from live state `from` to `to` (churned when `to` is past the live states) is a decline.
    func isDecline(from: Int, to: Int) -> Bool {
        to >= stateLevels.count || stateLevels[to] < stateLevels[from]
    }

    /// The largest factor over the levels: the M-step keeps each row's scaled moves at most 1 with it.
    var largestFactor: Double {
        max(declineFactor(level: 0), declineFactor(level: Self.levels - 1))
    }

    /// Transition row `from` (live) of a base matrix `row` (S + 1 entries) at habit level `level`.
    func row(_ row: ArraySlice<Double>, from: Int, level: Int) -> [Double] {
        HabitRule.scaledRow(Array(row), from: from, factor: declineFactor(level: level)) {
            isDecline(from: from, to: $0)
        }
    }
}

extension HiddenMarkovModel {
    /// Habit levels the transitions run over: 16 with habit feedback, 1 without.
    public var habitLevelCount: Int { habit == nil ? 1 : HabitFeedback.levels }

    /// Persona k's transition matrix at habit `level` (row-major, (S + 1)²): its base matrix without habit
    /// feedback.
    public func transitions(persona k: Int, level: Int) -> [Double] {
        let base = personas[k].transitions
        guard let habit else { return base }
        let n = stateCount
        var matrix = base
        for i in 0..<liveStates {
            matrix.replaceSubrange(
                (i * n)..<((i + 1) * n), with: habit.row(base[(i * n)..<((i + 1) * n)], from: i, level: level))
        }
        return matrix
    }

    /// The model with habit feedback of the given half-life and strength, the live states' levels their order by
    /// session mean: a start for EM to estimate the strength from (at strength 0 every user's likelihood is
    /// unchanged).
    public func addingHabit(halfLifeDays: Double, strength: Double = 0) -> HiddenMarkovModel {
        let order = (0..<liveStates).sorted {
            (emissions[$0].sessionMean, $0) < (emissions[$1].sessionMean, $1)
        }
        var levels = [Int](repeating: 0, count: liveStates)
        for (rank, s) in order.enumerated() { levels[s] = rank + 1 }
        return replacing(habit: HabitFeedback(halfLifeDays: halfLifeDays, strength: strength, stateLevels: levels))
    }
}
