#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Session-rate multipliers by day of the week, Monday first and averaging 1 (a scenario's `modifiers.weekday`): the
/// sessions on each weekday per user-day observed on it, divided by the mean of the seven rates.
///
/// The hidden Markov model has no weekday, so its session means average over the week; the simulator multiplies a
/// state's session mean by the day's factor, which puts the log's weekly rhythm back.
///
/// Standard errors take clusters of users (accounts, whose users may move together) as the independent units. Each
/// weekday's rate is a ratio of sums, R_w = S_w / D_w, whose linearisation gives cluster c the influence
/// ψ_cw = (s_cw − R_w d_cw) / D_w (the variance of a ratio estimate, W. G. Cochran, *Sampling Techniques*, 3rd ed.,
/// 1977, chapter 6). With M the mean of the seven rates, factor f_w = R_w / M moves by ψ_cw / M − R_w Σ_v ψ_cv / (7M²)
/// for cluster c (the delta method), and its variance is C / (C − 1) times the sum of the squares of these over the C
/// clusters.
public struct WeekdayFactors: Sendable, Hashable {
    /// Monday first; their mean is 1.
    public let factors: [Double]
    /// One per factor; NaN with a single cluster.
    public let standardErrors: [Double]
    /// Sessions on each weekday, over all clusters.
    public let sessions: [Double]
    /// User-days observed on each weekday, over all clusters.
    public let observedDays: [Double]

    /// - Parameters:
    ///   - sessions: Sessions of cluster c on weekday w (0 = Monday) at `c · 7 + w`.
    ///   - observedDays: User-days of cluster c observed on weekday w, laid out alike.
    /// - Returns: nil when a weekday has no observed day or there is no session at all.
    /// - Precondition: Both arrays hold the same whole number of weeks of seven entries.
    public init?(sessions clusterSessions: [Double], observedDays clusterDays: [Double]) {
        precondition(
            clusterSessions.count == clusterDays.count && clusterSessions.count % 7 == 0,
            "WeekdayFactors: seven sessions and seven day counts per cluster")
        let clusters = clusterSessions.count / 7
        var sessions = [Double](repeating: 0, count: 7)
        var days = [Double](repeating: 0, count: 7)
        for c in 0..<clusters {
            for w in 0..<7 {
                sessions[w] += clusterSessions[c * 7 + w]
                days[w] += clusterDays[c * 7 + w]
            }
        }
        guard days.allSatisfy({ $0 > 0 }) else { return nil }
        let rates = (0..<7).map { sessions[$0] / days[$0] }
        let mean = rates.reduce(0, +) / 7
        guard mean > 0 else { return nil }
        var variances = [Double](repeating: 0, count: 7)
        var influence = [Double](repeating: 0, count: 7)
        for c in 0..<clusters {
            for w in 0..<7 {
                influence[w] = (clusterSessions[c * 7 + w] - rates[w] * clusterDays[c * 7 + w]) / days[w]
            }
            let total = influence.reduce(0, +)
            for w in 0..<7 {
                let change = influence[w] / mean - rates[w] * total / (7 * mean * mean)
                variances[w] += change * change
            }
        }
        let correction = clusters > 1 ? Double(clusters) / Double(clusters - 1) : .nan
        factors = rates.map { $0 / mean }
        standardErrors = variances.map { ($0 * correction).squareRoot() }
        self.sessions = sessions
        observedDays = days
    }
}

extension WeekdayFactors {
    /// The dispersion a state's sessions have within one weekday, given the negative binomial (mean μ, dispersion k)
    /// fitted to all its days.
    ///
    /// The hidden Markov model has no weekday, so its dispersion also absorbs the swing from weekday to weekday;
    /// the simulator multiplies the mean by each day's factor and draws with the scenario's dispersion, which would
    /// count that swing twice. The within-weekday dispersion k′ is the one that, over the seven factors f_w, gives a
    /// day without a session as often as the fitted distribution does:
    /// (1/7) Σ_w (1 + μ f_w / k′)^(−k′) = (1 + μ/k)^(−k), the chance of a silent day being what the segments
    /// (active days a week) read first. The left side falls as k′ grows, so k′ is found by bisection on log k′ over
    /// the dispersions EM searches (10⁻³ … 10⁶); where even the largest leaves more silent days than the fitted
    /// distribution (a nearly Poisson state whose weekday swing alone explains its spread), the largest is returned.
    /// With every factor 1 it is k itself.
    public func withinWeekdayDispersion(mean mu: Double, dispersion k: Double) -> Double {
        let range = DispersionEstimate.range
        guard mu > 0, k.isFinite, k > 0 else { return min(max(k, range.lowerBound), range.upperBound) }
        func logSilent(_ mean: Double, _ dispersion: Double) -> Double { -dispersion * log1p(mean / dispersion) }
        let target = exp(logSilent(mu, k))
        func excess(_ logDispersion: Double) -> Double {
            let dispersion = exp(logDispersion)
            return factors.reduce(0) { $0 + exp(logSilent(mu * $1, dispersion)) } / Double(factors.count) - target
        }
        var low = log(range.lowerBound)
        var high = log(range.upperBound)
        guard excess(high) < 0 else { return range.upperBound }
        guard excess(low) > 0 else { return range.lowerBound }
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if excess(middle) > 0 { low = middle } else { high = middle }
        }
        return exp((low + high) / 2)
    }
}
