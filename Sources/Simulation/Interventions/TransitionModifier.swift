/// Applies the active intervention effects to one transition row.
///
/// Each affected probability is multiplied by `1 + change × strength`; the unaffected
/// probabilities of the row are rescaled together so the row still sums to one. If the affected
/// ones alone would exceed one, they are scaled to one and the rest get nothing. The modified row
/// is drawn from with the same uniform as the unmodified one would be, so a treated user and their
/// counterfactual twin share every random number (common random numbers).
enum TransitionModifier {
    /// - Parameters:
    ///   - row: the row's probabilities, modified in place.
    ///   - multiplier: per target state, the product of `1 + change × strength` of the active
    ///     effects (1 where none applies), and `affected` marks the targets with an effect.
    static func apply(
        _ row: UnsafeMutableBufferPointer<Double>, multiplier: UnsafeBufferPointer<Double>,
        affected: UnsafeBufferPointer<Bool>
    ) {
        var affectedBefore = 0.0
        var affectedAfter = 0.0
        for t in row.indices where affected[t] {
            affectedBefore += row[t]
            row[t] = max(0, row[t] * multiplier[t])
            affectedAfter += row[t]
        }
        let restBefore = 1 - affectedBefore
        if affectedAfter >= 1 || restBefore <= 0 {
            let scale = affectedAfter > 0 ? 1 / affectedAfter : 0
            for t in row.indices { row[t] = affected[t] ? row[t] * scale : 0 }
            return
        }
        let scale = (1 - affectedAfter) / restBefore
        for t in row.indices where !affected[t] { row[t] *= scale }
    }
}
