/// One persona of the mixture: its share of users and the Markov chain its users' latent states follow.
///
/// States are indexed `0..<liveStates` for the live engagement states and `liveStates` for churned, which is
/// absorbing and never a first state.
public struct PersonaChain: Sendable, Hashable {
    /// Share of users, in [0, 1]; the shares of a model's personas sum to 1.
    public var share: Double
    /// Probability of each live state on a user's first day (sign-up); churned has none.
    public var initial: [Double]
    /// The day-to-day transition matrix over all states, row-major `(liveStates + 1)²`: entry `i·(liveStates + 1) + j`
    /// is P(state j tomorrow | state i today). The last row is the churned state's, `[0, …, 0, 1]`.
    public var transitions: [Double]
    /// The distribution of its users' account sizes over ``AccountSizeClass``es: P(a user's account is of class c |
    /// persona), per user (an account of 20 counts 20 times). `[1]` when the data have no accounts: one class, no
    /// information.
    public var accountSizes: [Double]

    public init(share: Double, initial: [Double], transitions: [Double], accountSizes: [Double] = [1]) {
        self.share = share
        self.initial = initial
        self.transitions = transitions
        self.accountSizes = accountSizes
    }

    /// The states of the chain: the live ones and churned.
    public var stateCount: Int { initial.count + 1 }

    /// P(state `to` tomorrow | state `from` today).
    public func transition(from: Int, to: Int) -> Double {
        transitions[from * stateCount + to]
    }
}
