/// Supplies one user's metrics to ``CompiledRule/evaluate(_:)``.
///
/// A rule loads only the metrics its evaluation reaches (`and` and `or` stop early), so a loader can
/// compute values on demand. Numbers are returned as they are, flags as 0 or 1 and choices as the
/// index of their option; NaN means "no value" and makes every comparison it reaches false.
public protocol MetricLoader {
    func load(_ metric: MetricID) -> Double
}
