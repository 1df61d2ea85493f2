import UsageModel

// Transition rows as the day loop uses them.

extension BehaviourModel {
    /// Habit is tracked per user as a number in [0, 1] and used in this many equal levels.
    public static let habitLevels = HabitRule.levels
    /// The share of active teammates is used in this many equal levels; the middle one (a = ½) is neutral.
    public static let teamLevels = 9

    /// The daily transition row of a persona's state for a user at a habit level (0 when the
    /// model has no habit modifier).
    ///
    /// Declines — moves to a state of lower level, churn counting as the lowest — are scaled by
    /// `1 − strength·(2h − 1)` with `h` the middle of the habit level's interval; the self
    /// transition absorbs the difference. When scaled declines would exceed 1, they are shrunk to
    /// sum to 1 and the self transition becomes 0.
    ///
    /// With team influence, declines are scaled as well by `1 − strength·(2a − 1)`, `a` the middle of the
    /// team level's interval.
    public func transitionRow(persona: Int, state: Int, habitLevel: Int, teamLevel: Int = 0) -> [Double] {
        let base = personas[persona].states[state].next
        guard state != churnedState else {
            var row = [Double](repeating: 0, count: base.count)
            row[state] = 1
            return row
        }
        guard habit != nil || teamInfluence != nil else { return base }
        var factor = 1.0
        if let habit { factor = HabitRule.declineFactor(strength: habit.strength, level: habitLevel) }
        if let teamInfluence {
            let a = (Double(teamLevel) + 0.5) / Double(BehaviourModel.teamLevels)
            factor *= 1 - teamInfluence.strength * (2 * a - 1)
        }
        func level(_ s: Int) -> Int { s == churnedState ? Int.min : states[s].level }
        return HabitRule.scaledRow(base, from: state, factor: factor) { level($0) < level(state) }
    }
}
