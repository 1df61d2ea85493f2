/// A rule checked against a catalog and turned into a flat program, ready to evaluate per user.
///
/// Compile once, evaluate for every user and day: evaluation touches no string, allocates nothing
/// and loads only the metrics it reaches.
public struct CompiledRule: Sendable {
    /// The rule as written.
    public let source: String
    /// Every metric the rule reads, once each, in the order they first appear in the text; lets a
    /// caller prepare only what the rule needs (account aggregates, for instance).
    public let metrics: [MetricID]
    @usableFromInline let program: RuleProgram

    /// Evaluates with metrics supplied by the caller; no allocation, no string work.
    ///
    /// - Complexity: O(*n*) in the number of instructions, each run at most once.
    @inlinable
    public func evaluate<L: MetricLoader>(_ loader: L) -> Bool {
        program.run(loader)
    }
}
