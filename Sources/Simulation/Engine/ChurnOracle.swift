/// The simulator's own answer to "will this user churn within H days?": the ceiling no predictor
/// built on observed usage can beat.
///
/// For a user in latent state `s` with habit level `h` on the cutoff day, the probability is the
/// churned entry of row `s` of `Pₕᴴ`, the persona's daily transition matrix at that habit level
/// raised to the horizon. Holding the habit level fixed over the horizon is the one approximation:
/// the simulator lets habit drift day by day.
public struct ChurnOracle: Sendable {
    public let horizon: Int
    let stateCount: Int
    let habitLevels: Int
    /// Index `(persona · H + habitLevel) · S + state`.
    let probabilities: [Double]

    public init(model: BehaviourModel, horizon: Int) {
        precondition(horizon >= 1)
        self.horizon = horizon
        let S = model.states.count
        let H = model.habit == nil ? 1 : BehaviourModel.habitLevels
        stateCount = S
        habitLevels = H
        var table = [Double](repeating: 0, count: model.personas.count * H * S)
        for p in model.personas.indices {
            for h in 0..<H {
                let rows = (0..<S).map { model.transitionRow(persona: p, state: $0, habitLevel: h) }
                for s in 0..<S {
                    var v = [Double](repeating: 0, count: S)
                    v[s] = 1
                    for _ in 0..<horizon {
                        var next = [Double](repeating: 0, count: S)
                        for i in 0..<S where v[i] != 0 {
                            for j in 0..<S { next[j] += v[i] * rows[i][j] }
                        }
                        v = next
                    }
                    table[(p * H + h) * S + s] = v[model.churnedState]
                }
            }
        }
        probabilities = table
    }

    public func probability(persona: Int, state: Int, habitLevel: Int) -> Double {
        probabilities[(persona * habitLevels + min(habitLevel, habitLevels - 1)) * stateCount + state]
    }
}
