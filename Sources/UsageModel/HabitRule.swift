#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Habit feedback's arithmetic (docs/simulation.md, `modifiers.habit`), in one place for the simulator, which applies
/// it, and the fitted model, which must read a log's habits exactly as the simulator set them.
///
/// A user's habit is an exponentially weighted share of recent days with a session, ½ on the sign-up morning, in
/// single precision; tonight's transition row is chosen by its level ⌊levels·h⌋, and a row's declines are scaled by a
/// factor, the stay taking the difference.
public enum HabitRule {
    /// Habit levels a scenario with habit feedback runs over.
    public static let levels = 16
    /// The habit on the sign-up morning.
    public static let initialHabit: Float = 0.5

    /// The daily decay d = 2^(−1/half-life): yesterday's weight in the habit.
    public static func decay(halfLifeDays: Double) -> Float { Float(exp2(-1 / halfLifeDays)) }

    /// Today's habit after a day that was `active` (1) or not (0), h·d + (1 − d)·active, and the level it sets for
    /// tonight's row, of `levels`.
    @inlinable @inline(__always)
    public static func step(_ habit: Float, active: Float, decay: Float, levels: Int) -> (habit: Float, level: Int) {
        let h = habit * decay + (1 - decay) * active
        return (h, min(levels - 1, Int(h * Float(levels))))
    }

    /// 2h − 1 for the middle h of habit level `level` of ``levels``: how far it lies from neutral, in [−1, 1].
    public static func centred(level: Int) -> Double {
        let h = (Double(level) + 0.5) / Double(levels)
        return 2 * h - 1
    }

    /// The factor on declines at habit level `level` of ``levels``: 1 − strength·(2h − 1), h the level's middle.
    public static func declineFactor(strength: Double, level: Int) -> Double {
        1 - strength * centred(level: level)
    }

    /// Transition row `row` of state `from` with the moves `isDecline` names multiplied by `factor` and the stay
    /// taking the difference; when the moves then exceed 1 they are shrunk to sum to 1 and the stay is 0.
    public static func scaledRow(
        _ row: [Double], from: Int, factor: Double, isDecline: (Int) -> Bool
    ) -> [Double] {
        var result = row
        var others = 0.0
        for j in result.indices where j != from {
            if isDecline(j) { result[j] *= factor }
            others += result[j]
        }
        if others > 1 {
            for j in result.indices where j != from { result[j] /= others }
            result[from] = 0
        } else {
            result[from] = 1 - others
        }
        return result
    }
}
