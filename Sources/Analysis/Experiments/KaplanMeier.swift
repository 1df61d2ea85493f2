import Stats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One subject's follow-up: the time to the event (e.g. days from the index day to churn) or, when the event was
/// not seen, the time observation stopped (right-censored).
public struct SurvivalObservation: Sendable, Hashable {
    /// Finite and ≥ 0.
    public let time: Double
    /// `true` when the event happened at ``time``; `false` when the subject was censored then.
    public let event: Bool

    public init(time: Double, event: Bool) {
        self.time = time
        self.event = event
    }
}

/// The Kaplan–Meier (product-limit) estimate of the survival function S(t) = P[T > t] from right-censored data.
///
/// Censored subjects count as at risk at their own censoring time, so a subject censored at t is in the risk set
/// of an event at t (the usual convention, as in R's `survival` and lifelines).
public struct KaplanMeier: Sendable, Hashable {
    /// The estimate just after one distinct event time.
    public struct Step: Sendable, Hashable {
        public let time: Double
        /// Subjects with time ≥ ``time``.
        public let atRisk: Int
        /// Events at ``time``.
        public let events: Int
        /// Subjects censored at or after ``time`` and before the next event time: with ``events`` they leave the
        /// risk set before the next step.
        public let censored: Int
        /// Ŝ(time) = Π over event times tⱼ ≤ time of (1 − dⱼ/nⱼ).
        public let survival: Double
        /// Greenwood's standard error Ŝ √(Σ dⱼ/(nⱼ(nⱼ − dⱼ))); `nil` once Ŝ = 0, where it is undefined.
        public let standardError: Double?
        /// Pointwise interval, log-log transformed (Kalbfleisch and Prentice 2002):
        /// Ŝ^exp(±z σ/|log Ŝ|) with σ² the Greenwood sum Σ dⱼ/(nⱼ(nⱼ − dⱼ)). Unlike the plain Greenwood interval
        /// Ŝ ± z SE it always stays inside [0, 1] and is asymmetric near 0 and 1 as it should be. `nil` once Ŝ = 0.
        public let lower: Double?
        /// Upper end of the same interval.
        public let upper: Double?
    }

    /// One entry per distinct event time, in increasing time. Empty when no event was observed (Ŝ ≡ 1).
    /// Subjects censored before the first event time appear only in the first step's smaller ``Step/atRisk``.
    public let steps: [Step]
    /// Number of subjects.
    public let subjects: Int
    /// Level of the pointwise intervals.
    public let confidence: Double

    /// - Parameters:
    ///   - observations: One per subject, in any order; not empty.
    ///   - confidence: Level of the pointwise intervals, in (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a negative or non-finite time or a level outside
    ///   (0, 1); ``ExperimentError/insufficientData(_:)`` when there are no observations.
    public init(_ observations: [SurvivalObservation], confidence: Double = 0.95) throws {
        let z = try ExperimentError.normalCritical(confidence)
        let times = try DistinctTimes(groups: [observations])
        var steps: [Step] = []
        var atRisk = observations.count
        var survival = 1.0
        var greenwood = 0.0
        for row in times.rows {
            let d = row.events[0]
            let c = row.censored[0]
            if d > 0 {
                let n = Double(atRisk)
                survival *= 1 - Double(d) / n
                greenwood += atRisk > d ? Double(d) / (n * (n - Double(d))) : .infinity
                let interval = Self.logLogInterval(survival: survival, greenwood: greenwood, z: z)
                steps.append(
                    Step(
                        time: row.time, atRisk: atRisk, events: d, censored: c, survival: survival,
                        standardError: survival > 0 ? survival * greenwood.squareRoot() : nil,
                        lower: interval?.lowerBound, upper: interval?.upperBound))
            } else if let last = steps.last {
                steps[steps.count - 1] = Step(
                    time: last.time, atRisk: last.atRisk, events: last.events, censored: last.censored + c,
                    survival: last.survival, standardError: last.standardError, lower: last.lower, upper: last.upper)
            }
            atRisk -= d + c
        }
        self.steps = steps
        subjects = observations.count
        self.confidence = confidence
    }

    /// Ŝ(t) as the right-continuous step function: 1 before the first event time, and the last estimate beyond the
    /// last one (where, past the longest follow-up, it is an extrapolation).
    public func survival(at time: Double) -> Double { step(at: time)?.survival ?? 1 }

    /// The estimate at `time`: the last step at or before it, or `nil` before the first event time, where Ŝ = 1
    /// with no variance.
    public func step(at time: Double) -> Step? {
        var low = 0
        var high = steps.count
        // The number of steps with step.time ≤ time.
        while low < high {
            let mid = (low + high) / 2
            if steps[mid].time <= time { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : steps[low - 1]
    }

    private static func logLogInterval(survival: Double, greenwood: Double, z: Double) -> ClosedRange<Double>? {
        guard survival > 0, survival < 1, greenwood.isFinite else { return nil }
        let spread = z * greenwood.squareRoot() / abs(log(survival))
        let lower = pow(survival, exp(spread))
        let upper = pow(survival, exp(-spread))
        return max(0, lower)...min(1, upper)
    }
}

/// The log-rank (Mantel–Haenszel) test that two or more groups share one survival function, e.g. churn-free
/// time in a campaign arm and in the control.
///
/// At each distinct event time the events are split among the groups in proportion to their risk sets
/// (a hypergeometric expectation); observed minus expected, summed over times, is compared with its
/// hypergeometric covariance. The statistic is chi-square with groups − 1 degrees of freedom; for two groups it is
/// (O₁ − E₁)² / V with V = Σ dⱼ (nⱼ − dⱼ) n₁ⱼ n₀ⱼ / (nⱼ² (nⱼ − 1)). It weighs all event times equally, so it is most
/// powerful when the hazards are proportional.
public struct LogRankTest: Sendable, Hashable {
    public let statistic: Double
    /// Groups − 1.
    public let degreesOfFreedom: Int
    /// P[χ²(df) > statistic], through GSL.
    public let pValue: Double
    /// Events per group.
    public let observed: [Int]
    /// Expected events per group under equal survival; they sum to the total number of events.
    public let expected: [Double]

    /// - Parameter groups: Two or more groups of observations, none empty.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for fewer than two groups or an invalid time;
    ///   ``ExperimentError/insufficientData(_:)`` for an empty group, no events, or a singular covariance (e.g.
    ///   every event at a time when only one subject was at risk).
    public init(groups: [[SurvivalObservation]]) throws {
        let k = groups.count
        guard k >= 2 else {
            throw ExperimentError.invalidArgument("the log-rank test needs at least two groups (got \(k))")
        }
        let times = try DistinctTimes(groups: groups)
        var atRisk = times.groupSizes
        var observed = [Int](repeating: 0, count: k)
        var expected = [Double](repeating: 0, count: k)
        // Covariance of O − E for the first k − 1 groups (the last is determined by the others).
        var covariance = Matrix(rows: k - 1, columns: k - 1)
        for row in times.rows {
            let d = row.events.reduce(0, +)
            let n = atRisk.reduce(0, +)
            if d > 0 {
                let nd = Double(n)
                let dd = Double(d)
                let spread = n > 1 ? dd * (nd - dd) / (nd - 1) : 0
                for g in 0..<k {
                    observed[g] += row.events[g]
                    expected[g] += dd * Double(atRisk[g]) / nd
                }
                for g in 0..<(k - 1) {
                    let share = Double(atRisk[g]) / nd
                    for h in 0..<(k - 1) {
                        let other = Double(atRisk[h]) / nd
                        covariance[g, h] += spread * share * ((g == h ? 1 : 0) - other)
                    }
                }
            }
            for g in 0..<k { atRisk[g] -= row.events[g] + row.censored[g] }
        }
        guard observed.contains(where: { $0 > 0 }) else {
            throw ExperimentError.insufficientData("no events were observed")
        }
        let difference = (0..<(k - 1)).map { Double(observed[$0]) - expected[$0] }
        let solved: [Double]
        do {
            solved = try covariance.solve(difference)
        } catch let error as GSLError {
            throw ExperimentError.insufficientData(
                "the covariance of observed minus expected events cannot be inverted (\(error.description))")
        }
        let statistic = zip(difference, solved).reduce(0) { $0 + $1.0 * $1.1 }
        self.statistic = statistic
        degreesOfFreedom = k - 1
        pValue = try ChiSquared(degreesOfFreedom: k - 1).survival(statistic)
        self.observed = observed
        self.expected = expected
    }
}

extension LogRankTest {
    /// The counts both the test and the Kaplan–Meier curves are computed from, at one distinct time.
    public struct RiskRow: Sendable, Hashable {
        public let time: Double
        /// Per group, subjects with time ≥ ``time``.
        public let atRisk: [Int]
        public let events: [Int]
        public let censored: [Int]
    }

    /// Per distinct time (with an event or a censoring), in increasing order, each group's risk set, events and
    /// censorings, as lifelines' `survival_table_from_events` gives them per group.
    /// - Throws: As ``init(groups:)`` for an empty group or an invalid time.
    public static func riskTable(groups: [[SurvivalObservation]]) throws -> [RiskRow] {
        let times = try DistinctTimes(groups: groups)
        var atRisk = times.groupSizes
        return times.rows.map { row in
            defer { for g in atRisk.indices { atRisk[g] -= row.events[g] + row.censored[g] } }
            return RiskRow(time: row.time, atRisk: atRisk, events: row.events, censored: row.censored)
        }
    }
}

/// Events and censorings per group at each distinct time, shared by Kaplan–Meier and the log-rank test.
struct DistinctTimes {
    struct Row {
        let time: Double
        let events: [Int]
        let censored: [Int]
    }

    let rows: [Row]
    let groupSizes: [Int]

    init(groups: [[SurvivalObservation]]) throws {
        var all: [(time: Double, group: Int, event: Bool)] = []
        for (g, group) in groups.enumerated() {
            guard !group.isEmpty else {
                throw ExperimentError.insufficientData("group \(g) has no observations")
            }
            for observation in group {
                guard observation.time.isFinite, observation.time >= 0 else {
                    throw ExperimentError.invalidArgument(
                        "survival times must be finite and non-negative (got \(observation.time) in group \(g))")
                }
                all.append((observation.time, g, observation.event))
            }
        }
        all.sort { $0.time < $1.time }
        var rows: [Row] = []
        var start = 0
        while start < all.count {
            var events = [Int](repeating: 0, count: groups.count)
            var censored = events
            var end = start
            while end < all.count, all[end].time == all[start].time {
                if all[end].event { events[all[end].group] += 1 } else { censored[all[end].group] += 1 }
                end += 1
            }
            rows.append(Row(time: all[start].time, events: events, censored: censored))
            start = end
        }
        self.rows = rows
        groupSizes = groups.map(\.count)
    }
}

extension KaplanMeier {
    /// The median time and its interval by Brookmeyer and Crowley (1982): the times whose pointwise interval holds
    /// one half. The median is the first event time with Ŝ ≤ 0.5 (as ``MeasuredTime`` takes it; R's `survfit` takes
    /// the middle of a stretch where Ŝ is exactly 0.5); the interval runs from the first event time whose lower bound
    /// (log-log, ``Step/lower``) is ≤ 0.5 to the first whose upper bound is. Each end is `nil` when the curve or its
    /// bound stays above one half.
    public var median: (estimate: Double?, lower: Double?, upper: Double?) {
        func first(_ below: (Step) -> Double?) -> Double? {
            steps.first { step in below(step).map { $0 <= 0.5 } ?? (step.survival <= 0.5) }?.time
        }
        return (first { $0.survival }, first { $0.lower }, first { $0.upper })
    }
}
