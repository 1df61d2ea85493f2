#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Key actions and feature use per calendar day of a log, observed and as the fitted model expects them: the
/// evidence for releases that changed what users do in a session (a scenario's `product_changes`).
///
/// A release the model does not have leaves the observed counts below its expectation before the release day and
/// above after (or the reverse). Channel 0 is key actions (on each active day, expected
/// Σ_s P(s | days) · sessions · κ_s M_p, M_p the model's factor for the day's period), channel 1 + f the days with
/// feature f used (expected Σ_s P(s | days) · p_sf M_pf).
public struct CalendarRates: Sendable {
    public let days: Int
    public let features: Int
    /// Observed count of channel c on calendar day d, at `c · days + d`.
    public internal(set) var observed: [Double]
    /// The model's expectation, laid out alike.
    public internal(set) var expected: [Double]

    public var channels: Int { 1 + features }

    /// Counts given whole: channel c's day d at `c · days + d` in both.
    public init(days: Int, features: Int, observed: [Double], expected: [Double]) {
        precondition(
            observed.count == (1 + features) * days && expected.count == observed.count,
            "CalendarRates: one count per channel and day")
        self.days = days
        self.features = features
        self.observed = observed
        self.expected = expected
    }

    mutating func add(_ other: CalendarRates) {
        for i in observed.indices {
            observed[i] += other.observed[i]
            expected[i] += other.expected[i]
        }
    }
}

extension HMMInference {
    /// The observed and expected counts of every calendar day `0..<days` (days since the log's first, through each
    /// user's ``UserDaySequences/signupDay(user:)``), from every user's smoothed posterior; the same at any thread
    /// count.
    public func calendarRates(days: Int, threads: Int) -> CalendarRates {
        let features = model.featureCount
        let live = model.liveStates
        let keyRates = model.periodKeyActionRates
        let featureProbabilities = model.periodFeatureProbabilities
        let empty = CalendarRates(
            days: days, features: features, observed: Array(repeating: 0, count: (1 + features) * days),
            expected: Array(repeating: 0, count: (1 + features) * days))
        let chunks = tallyPosteriors(initial: empty, threads: threads) { user, posterior, tally in
            let signup = data.signupDay(user: user)
            for active in data.activeDays(user: user) {
                let day = signup + active.day
                guard day < days else { break }
                let period = model.period(ofCalendarDay: day)
                var keyRate = 0.0
                for s in 0..<live {
                    keyRate += posterior.probability(day: active.day, state: s) * keyRates[period * live + s]
                }
                tally.observed[day] += Double(active.keyActions)
                tally.expected[day] += Double(active.sessions) * keyRate
                for f in 0..<features {
                    var probability = 0.0
                    for s in 0..<live {
                        probability +=
                            posterior.probability(day: active.day, state: s)
                            * featureProbabilities[(period * live + s) * features + f]
                    }
                    let at = (1 + f) * days + day
                    if active.features & (1 << UInt32(f)) != 0 { tally.observed[at] += 1 }
                    tally.expected[at] += probability
                }
            }
        }
        var total = empty
        for chunk in chunks { total.add(chunk) }
        return total
    }
}

/// Releases found in a log: days from which key actions per session or feature use moved as a step, found by
/// binary segmentation of ``CalendarRates``.
///
/// Within a period between releases each channel's observed counts are taken as the model's expectation times the
/// period's own factor r (Poisson, quasi-likelihood): the factor is observed / expected over the period, and
/// splitting a period at day D gains 2 Σ_c [O₁ log(O₁/E₁ ÷ O/E) + O₂ log(O₂/E₂ ÷ O/E)] in the log-likelihood, the
/// sum over the channels, each channel's part divided by its dispersion φ_c (the Pearson χ² over the days of the
/// split periods over its degrees of freedom, floored at 1) so that day-to-day variation beyond Poisson does not
/// read as a release. The best split of a period is kept when its gain exceeds the Bayesian information criterion's
/// price of the new parameters, (channels + 1) · log(users) — a factor per channel and the day — and both sides are
/// searched again (A. J. Scott and M. Knott, "A cluster analysis method for grouping means in the analysis of
/// variance", Biometrics 30, 1974, for binary segmentation; G. Schwarz, 1978, for the criterion).
public struct ProductReleases: Sendable {
    public struct Release: Sendable, Hashable {
        /// First calendar day of the new period (0 is the log's first day).
        public let day: Int
        /// The period's factor over the one before, per channel (key actions, then each feature).
        public let factors: [Double]
        /// Standard error of each factor: the delta method on the two periods' quasi-Poisson counts.
        public let standardErrors: [Double]
        /// The split's gain in the quasi-log-likelihood, against ``ProductReleases/penalty``.
        public let gain: Double
    }

    /// Factor of each channel in the first period, over the model's expectation: the emissions before any release
    /// are the fitted ones times these.
    public let initialFactors: [Double]
    public let releases: [Release]
    /// The gain a split had to exceed.
    public let penalty: Double
    /// Per channel, the dispersion φ of the final periods.
    public let dispersions: [Double]

    /// A period is at least this many days: shorter ones would fit single unusual days.
    public static let shortestPeriod = 14
    /// At most this many releases are searched for.
    public static let mostReleases = 8

    /// - Parameters:
    ///   - users: The n of the criterion's log n.
    public init(_ rates: CalendarRates, users: Int) {
        let channels = rates.channels
        let days = rates.days
        penalty = Double(channels + 1) * log(Double(max(users, 2)))
        // Prefix sums per channel: O and E over days 0..<d at c · (days + 1) + d.
        var cumulativeObserved = [Double](repeating: 0, count: channels * (days + 1))
        var cumulativeExpected = cumulativeObserved
        for c in 0..<channels {
            for d in 0..<days {
                cumulativeObserved[c * (days + 1) + d + 1] =
                    cumulativeObserved[c * (days + 1) + d] + rates.observed[c * days + d]
                cumulativeExpected[c * (days + 1) + d + 1] =
                    cumulativeExpected[c * (days + 1) + d] + rates.expected[c * days + d]
            }
        }
        func sums(_ c: Int, _ range: Range<Int>) -> (observed: Double, expected: Double) {
            (
                cumulativeObserved[c * (days + 1) + range.upperBound]
                    - cumulativeObserved[c * (days + 1) + range.lowerBound],
                cumulativeExpected[c * (days + 1) + range.upperBound]
                    - cumulativeExpected[c * (days + 1) + range.lowerBound]
            )
        }
        /// O log(O/E): the Poisson log-likelihood at the fitted factor, up to terms the factor does not change.
        func fitted(_ c: Int, _ range: Range<Int>) -> Double {
            let (o, e) = sums(c, range)
            return o > 0 && e > 0 ? o * log(o / e) : 0
        }
        /// Pearson dispersion of channel c over the periods with the given boundaries, at least 1.
        func dispersion(_ c: Int, _ bounds: [Int]) -> Double {
            var chiSquare = 0.0
            var daysCounted = 0
            for (lower, upper) in zip(bounds, bounds.dropFirst()) {
                let (o, e) = sums(c, lower..<upper)
                guard o > 0, e > 0 else { continue }
                let factor = o / e
                for d in lower..<upper {
                    let mean = factor * rates.expected[c * days + d]
                    guard mean > 0 else { continue }
                    let residual = rates.observed[c * days + d] - mean
                    chiSquare += residual * residual / mean
                    daysCounted += 1
                }
            }
            let freedom = daysCounted - (bounds.count - 1)
            return freedom > 0 ? max(1, chiSquare / Double(freedom)) : 1
        }
        var bounds = [0, days]
        var gains: [Int: Double] = [:]
        // Each round splits the period with the largest admissible gain, so the releases found first are the
        // clearest; the dispersions are those of the current periods.
        while bounds.count - 1 <= Self.mostReleases {
            let phi = (0..<channels).map { dispersion($0, bounds) }
            var best: (day: Int, gain: Double)?
            for (lower, upper) in zip(bounds, bounds.dropFirst()) where upper - lower >= 2 * Self.shortestPeriod {
                let whole = (0..<channels).map { fitted($0, lower..<upper) }
                for d in (lower + Self.shortestPeriod)...(upper - Self.shortestPeriod) {
                    var gain = 0.0
                    for c in 0..<channels {
                        gain += 2 * (fitted(c, lower..<d) + fitted(c, d..<upper) - whole[c]) / phi[c]
                    }
                    if gain > best?.gain ?? penalty { best = (d, gain) }
                }
            }
            guard let best else { break }
            gains[best.day] = best.gain
            bounds.append(best.day)
            bounds.sort()
        }
        let phi = (0..<channels).map { dispersion($0, bounds) }
        dispersions = phi
        let periods = Array(zip(bounds, bounds.dropFirst()))
        let factor = periods.map { period in
            (0..<channels).map { c -> Double in
                let (o, e) = sums(c, period.0..<period.1)
                return e > 0 ? o / e : 1
            }
        }
        initialFactors = factor[0]
        releases = periods.indices.dropFirst().map { i in
            let (lower, upper) = periods[i]
            let before = periods[i - 1]
            var factors: [Double] = []
            var errors: [Double] = []
            for c in 0..<channels {
                let ratio = factor[i - 1][c] > 0 ? factor[i][c] / factor[i - 1][c] : 1
                let now = sums(c, lower..<upper).observed
                let then = sums(c, before.0..<before.1).observed
                factors.append(ratio)
                errors.append(
                    now > 0 && then > 0 ? ratio * (phi[c] * (1 / now + 1 / then)).squareRoot() : .nan)
            }
            return Release(day: lower, factors: factors, standardErrors: errors, gain: gains[lower] ?? 0)
        }
    }
}
