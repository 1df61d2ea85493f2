/// What three ways of choosing whom to contact would have brought, judged by the simulator's true effects on the
/// treated users of the evaluated half (the only users whose effect is known):
///
/// - **everyone**: every treated user, as the trigger did;
/// - **model**: the top ⌊n·k⌋ of them by uplift score (``upliftRanking``: ties put the later user first);
/// - **oracle**: the top ⌊n·k⌋ by true effect, the best any targeting of that many users could do.
///
/// For each: users contacted, true extra outcomes Σ τᵢ, cost Σ cᵢ, expected unsubscribes Σ uᵢ and the net value
/// V·Σ τᵢ − Σ cᵢ at a value V per extra outcome (e.g. the margin of a retained user). The figures are those of the
/// treated users at hand; multiply by N/n to put them on the scale of the whole population.
public struct TargetingComparison: Sendable, Hashable, Codable {
    /// One targeting policy's outcome.
    public struct Policy: Sendable, Hashable, Codable {
        public let name: String
        /// Users contacted.
        public let users: Int
        /// Σ of their true effects.
        public let incrementalOutcomes: Double
        /// Σ of their contact costs.
        public let cost: Double
        /// Σ of their unsubscribe counts or probabilities.
        public let unsubscribes: Double
        /// valuePerOutcome × incrementalOutcomes − cost.
        public let netValue: Double
    }

    /// k, the share of users the top-k policies contact.
    public let share: Double
    /// V, the value of one extra outcome.
    public let valuePerOutcome: Double
    public let everyone: Policy
    public let model: Policy
    public let oracle: Policy

    /// - Parameters:
    ///   - scores: Each treated user's uplift score.
    ///   - trueEffects: Each treated user's true effect (treated outcome minus counterfactual outcome).
    ///   - costs: Each user's contact cost, in currency.
    ///   - unsubscribes: Each user's unsubscribes caused by the contact (a count, or a probability for an
    ///     expected count).
    ///   - share: k in (0, 1].
    ///   - valuePerOutcome: V, in the currency of `costs`.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for arrays of different lengths, no users, a non-finite
    ///   value, a negative cost or unsubscribe figure, or k outside (0, 1].
    public init(
        scores: [Double], trueEffects: [Double], costs: [Double], unsubscribes: [Double], share: Double,
        valuePerOutcome: Double
    ) throws {
        let n = scores.count
        guard trueEffects.count == n, costs.count == n, unsubscribes.count == n else {
            throw ExperimentError.invalidArgument(
                "each user needs a score, a true effect, a cost and unsubscribes (got \(n), \(trueEffects.count),"
                    + " \(costs.count) and \(unsubscribes.count))")
        }
        guard n > 0 else { throw ExperimentError.invalidArgument("there are no users to target") }
        for (name, values) in [("score", scores), ("true effect", trueEffects), ("cost", costs)] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw ExperimentError.invalidArgument("user \(bad)'s \(name) is \(values[bad]); it must be finite")
            }
        }
        for (name, values) in [("cost", costs), ("unsubscribes", unsubscribes)] {
            if let bad = values.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
                throw ExperimentError.invalidArgument(
                    "user \(bad)'s \(name) is \(values[bad]); it must be finite and non-negative")
            }
        }
        guard share > 0, share <= 1 else {
            throw ExperimentError.invalidArgument("the share targeted must be in (0, 1] (got \(share))")
        }
        guard valuePerOutcome.isFinite else {
            throw ExperimentError.invalidArgument("the value per outcome must be finite (got \(valuePerOutcome))")
        }
        self.share = share
        self.valuePerOutcome = valuePerOutcome
        func policy(_ name: String, _ users: some Sequence<Int>) -> Policy {
            var (count, effect, cost, lost) = (0, 0.0, 0.0, 0.0)
            for i in users {
                count += 1
                effect += trueEffects[i]
                cost += costs[i]
                lost += unsubscribes[i]
            }
            return Policy(
                name: name, users: count, incrementalOutcomes: effect, cost: cost, unsubscribes: lost,
                netValue: valuePerOutcome * effect - cost)
        }
        let top = Int(Double(n) * share)
        everyone = policy("everyone", 0..<n)
        model = policy("uplift model top \(Self.percent(share))", upliftRanking(scores).prefix(top))
        oracle = policy("oracle top \(Self.percent(share))", upliftRanking(trueEffects).prefix(top))
    }

    private static func percent(_ share: Double) -> String {
        let value = share * 100
        return value == value.rounded() ? "\(Int(value)) %" : "\(value) %"
    }
}
