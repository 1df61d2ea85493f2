import Stats
public import UsageModel

/// A median time with its 95 % interval (``ClusteredSurvival/median(_:clusters:confidence:)``); each end `nil` when
/// the curve or its bound stays above one half.
public struct TwinMedian: Codable, Sendable, Equatable {
    public let estimate: Double?
    public let lower: Double?
    public let upper: Double?

    init(_ median: (estimate: Double?, lower: Double?, upper: Double?)) {
        (estimate, lower, upper) = median
    }
}

/// The figures of the twin report: the real log and the twin measured the same way, point by point, each with a
/// goodness-of-fit summary.
public struct TwinComparison: Sendable {
    public let figures: [TwinFigure]
    /// Median days from sign-up to churn and to value, real and twin.
    public let churnMedian: (real: TwinMedian, twin: TwinMedian)
    public let valueMedian: (real: TwinMedian, twin: TwinMedian)

    /// Names of what the samples count, in their order.
    public struct Labels: Sendable {
        /// The segments, then `unmatched`.
        public let segments: [String]
        public let features: [String]
        public let milestones: [String]
        public let startDate: CivilDate

        public init(segments: [String], features: [String], milestones: [String], startDate: CivilDate) {
            self.segments = segments
            self.features = features
            self.milestones = milestones
            self.startDate = startDate
        }
    }

    /// Every figure, in the order of the report.
    /// - Throws: ``ExperimentError`` or ``GSLError`` for samples that do not match (a bug of the caller).
    public init(real: TwinSample, twin: TwinSample, labels: Labels) throws {
        let retention = try Self.curve(
            id: "retention", title: "Kaplan–Meier retention from sign-up", series: "retained",
            definition:
                "Share of users not yet churned, by days since sign-up: churn is the day that completes the first run "
                + "of \(TwinSample.churnGapDays) days without a key action (a run may start on the sign-up day); a user "
                + "whose log ends first is censored then. Standard errors robust to the accounts (infinitesimal "
                + "jackknife), log-log intervals.",
            real: (real.churn, real.accounts), twin: (twin.churn, twin.accounts),
            days: Array(stride(from: TwinSample.churnGapDays, through: 10 * 365, by: 14)))
        let value = try Self.curve(
            id: "time-to-value", title: "Time to value", series: "not yet activated",
            definition:
                "Share of users not yet activated, by days since sign-up (Kaplan–Meier, censored at the end of the "
                + "log), at days 0–3, 5, 7, 10, 14, 21, 28, then every 28 days; standard errors robust to the "
                + "accounts.",
            real: (real.timeToValue, real.accounts), twin: (twin.timeToValue, twin.accounts),
            days: [0, 1, 2, 3, 5, 7, 10, 14, 21] + Array(stride(from: 28, through: 10 * 365, by: 28)))
        var figures = [
            try Self.segmentSizes(real, twin, labels: labels), try Self.transitions(real, twin, labels: labels),
            retention.figure, try Self.activity(real, twin, labels: labels),
            try Self.adoption(real, twin, labels: labels),
        ]
        if !labels.milestones.isEmpty { figures.append(try Self.funnel(real, twin, labels: labels)) }
        figures.append(value.figure)
        self.figures = figures
        churnMedian = retention.medians
        valueMedian = value.medians
    }

    /// The share of signed-up users in each segment at every evaluation; the test compares the mix of the last.
    static func segmentSizes(_ real: TwinSample, _ twin: TwinSample, labels: Labels) throws -> TwinFigure {
        precondition(real.evaluations.map(\.day) == twin.evaluations.map(\.day), "evaluations on other days")
        let shown = labels.segments.indices.filter { s in
            (real.evaluations + twin.evaluations).contains { $0.segments.counts[s] > 0 }
        }
        var points: [TwinPoint] = []
        for s in shown {
            for (r, t) in zip(real.evaluations, twin.evaluations) {
                if let point = TwinPoint.proportions(
                    series: labels.segments[s], at: r.date, day: r.day, real: r.segments.share(s),
                    twin: t.segments.share(s))
                {
                    points.append(point)
                }
            }
        }
        var test: TwinTest?
        if let r = real.evaluations.last, let t = twin.evaluations.last,
            let wald = ClusteredCategoryMoments.homogeneity(r.segments, t.segments)
        {
            test = TwinTest(
                name: "Wald test of the segment mix on \(r.date)", statistic: wald.statistic,
                degreesOfFreedom: wald.degreesOfFreedom, pValue: wald.pValue)
        }
        return TwinFigure(
            id: "segment-sizes", title: "Segment sizes over time",
            definition:
                "Share of the users signed up by each weekly evaluation who are in each segment (Wilson intervals at "
                + "the effective sample size of accounts; the difference by the square-and-add method).",
            points: points, test: test,
            testNote: test == nil ? "No test: fewer than two segments held users at the last evaluation." : nil)
    }

    /// Each cell of the weekly transition matrix, with intervals clustered by account.
    static func transitions(_ real: TwinSample, _ twin: TwinSample, labels: Labels) throws -> TwinFigure {
        var points: [TwinPoint] = []
        let names = labels.segments
        for i in names.indices {
            for j in names.indices {
                guard let r = Self.rate(real.transitions, from: i, to: j),
                    let t = Self.rate(twin.transitions, from: i, to: j),
                    r.estimate.count! > 0 || t.estimate.count! > 0
                else { continue }
                points.append(
                    try TwinPoint.estimates(
                        series: "\(names[i]) → \(names[j])", at: "", real: r.estimate, realStandardError: r.error,
                        twin: t.estimate, twinStandardError: t.error))
            }
        }
        return TwinFigure(
            id: "transitions", title: "Weekly segment transitions",
            definition:
                "Share of the users in a segment at one evaluation found in each segment at the next, over all pairs of "
                + "consecutive evaluations. A user contributes a transition every week and the users of an account "
                + "move together, so intervals are clustered by account (the Wilson interval at the effective sample "
                + "size; the difference from the cluster-robust standard errors).",
            points: points, test: nil,
            testNote: "No test of the whole matrix: a user's transitions are not independent trials.")
    }

    /// A cell's rate with its clustered interval and the standard error behind it: the binomial one times the design
    /// effect the interval uses. `nil` when nobody left the row's segment.
    static func rate(_ moments: TransitionMoments, from i: Int, to j: Int) -> (estimate: TwinEstimate, error: Double)? {
        let cell = moments.cell(from: i, to: j).pooled
        let y = cell.successes[0]
        let n = cell.trials[0]
        guard n > 0, let clustered = ProportionInterval.clustered(cell, confidence: 0.95) else { return nil }
        let p = Double(y) / Double(n)
        return (
            TwinEstimate(
                value: p, lower: clustered.interval.lowerBound, upper: clustered.interval.upperBound, count: y, of: n),
            (clustered.designEffect * p * (1 - p) / Double(n)).squareRoot()
        )
    }

    /// A Kaplan–Meier curve of each sample at the given days (up to the shorter follow-up), with standard errors
    /// robust to the clusters; the robust log-rank test and the medians.
    static func curve(
        id: String, title: String, series: String, definition: String,
        real: (observations: [SurvivalObservation], accounts: [Int]),
        twin: (observations: [SurvivalObservation], accounts: [Int]), days: [Int]
    ) throws -> (figure: TwinFigure, medians: (real: TwinMedian, twin: TwinMedian)) {
        let followUp = min(
            real.observations.map(\.time).max() ?? 0, twin.observations.map(\.time).max() ?? 0)
        let shown = days.filter { Double($0) <= followUp }
        func sides(_ sample: (observations: [SurvivalObservation], accounts: [Int])) throws -> [(TwinEstimate, Double)]
        {
            let curve = try KaplanMeier(sample.observations)
            let robust = try ClusteredSurvival.curve(
                sample.observations, clusters: sample.accounts, at: shown.map(Double.init))
            return zip(shown, robust).map { day, point in
                let step = curve.step(at: Double(day))
                guard let point else {
                    // Before the first event (Ŝ = 1) or once the curve reached 0: no spread.
                    return (TwinEstimate(value: step?.survival ?? 1, lower: nil, upper: nil, of: step?.atRisk), 0)
                }
                return (
                    TwinEstimate(
                        value: point.survival, lower: point.lower, upper: point.upper, of: step?.atRisk),
                    point.standardError
                )
            }
        }
        let points = try zip(shown, zip(try sides(real), try sides(twin))).map { day, pair in
            let ((r, rError), (t, tError)) = pair
            return try TwinPoint.estimates(
                series: series, at: "day \(day)", day: day, real: r, realStandardError: rError, twin: t,
                twinStandardError: tError)
        }
        var test: TwinTest?
        var note: String?
        do {
            let logRank = try ClusteredSurvival.logRank(
                real.observations, clusters: real.accounts, twin.observations, clusters: twin.accounts)
            test = TwinTest(
                name: "log-rank, robust to the accounts", statistic: logRank.statistic, degreesOfFreedom: 1,
                pValue: logRank.pValue)
            note =
                "The log-rank test weighs every day alike: curves that cross (one ahead early, behind later) can pass "
                + "it while many of their points disagree."
        } catch let error as ExperimentError {
            note = "No log-rank test: \(error.description)."
        }
        return (
            TwinFigure(id: id, title: title, definition: definition, points: points, test: test, testNote: note),
            (
                TwinMedian(try ClusteredSurvival.median(real.observations, clusters: real.accounts)),
                TwinMedian(try ClusteredSurvival.median(twin.observations, clusters: twin.accounts))
            )
        )
    }

    /// DAU, WAU and MAU as shares of the users signed up, on the days of the weekly evaluations.
    static func activity(_ real: TwinSample, _ twin: TwinSample, labels: Labels) throws -> TwinFigure {
        precondition(real.activity.map(\.day) == twin.activity.map(\.day), "activity on other days")
        var points: [TwinPoint] = []
        let measures: [(String, KeyPath<TwinSample.Activity, ClusteredRatioMoments>)] = [
            ("DAU", \.daily), ("WAU", \.weekly), ("MAU", \.monthly),
        ]
        for (name, count) in measures {
            for (r, t) in zip(real.activity, twin.activity) {
                if let point = TwinPoint.proportions(
                    series: name, at: labels.startDate.adding(days: r.day).description, day: r.day,
                    real: r[keyPath: count], twin: t[keyPath: count])
                {
                    points.append(point)
                }
            }
        }
        return TwinFigure(
            id: "active-users", title: "DAU, WAU and MAU",
            definition:
                "Share of the users signed up by the day who were active that day (DAU), in the 7 days (WAU) and in the "
                + "28 days (MAU) ending that day, on the days of the weekly evaluations. Active: a session, or key "
                + "actions or feature use without one (as fit counts a day whose session event was lost). Wilson "
                + "intervals at the effective sample size of accounts; the difference by the square-and-add method.",
            points: points, test: nil,
            testNote: "No test of the whole figure: the same users are counted at every point.")
    }

    /// The share of users who ever used each feature; each feature tested by a Wald test with cluster-robust
    /// variances, Holm-adjusted.
    static func adoption(_ real: TwinSample, _ twin: TwinSample, labels: Labels) throws -> TwinFigure {
        var points: [TwinPoint] = []
        var tests: [(feature: Int, statistic: Double, pValue: Double)] = []
        for (f, name) in labels.features.enumerated() {
            let r = real.featureUsers[f]
            let t = twin.featureUsers[f]
            if let point = TwinPoint.proportions(series: name, at: "", real: r, twin: t) { points.append(point) }
            if let wald = try Self.wald(r, t) { tests.append((f, wald.statistic, wald.pValue)) }
        }
        var test: TwinTest?
        if !tests.isEmpty {
            let adjusted = try MultipleTesting.holm(tests.map(\.pValue))
            let smallest = adjusted.indices.min { adjusted[$0] < adjusted[$1] }!
            test = TwinTest(
                name:
                    "Wald test per feature, Holm over \(tests.count) (smallest: \(labels.features[tests[smallest].feature]))",
                statistic: tests[smallest].statistic, degreesOfFreedom: 1, pValue: adjusted[smallest])
        }
        return TwinFigure(
            id: "feature-adoption", title: "Feature adoption",
            definition:
                "Share of users who used each feature at least once by the end of the log (Wilson intervals at the "
                + "effective sample size of accounts; the difference by the square-and-add method).",
            points: points, test: test,
            testNote: test == nil ? "No test: no feature was used in either population." : nil)
    }

    /// The Wald test that two independent clustered proportions are equal: (p̂₁ − p̂₂)² over the sum of their
    /// cluster-robust variances, χ² on 1 degree of freedom. `nil` when either variance is undefined or both are 0.
    static func wald(
        _ a: ClusteredRatioMoments, _ b: ClusteredRatioMoments
    ) throws -> (statistic: Double, pValue: Double)? {
        guard let x = a.ratio, let y = b.ratio, x.variance + y.variance > 0 else { return nil }
        let difference = x.estimate - y.estimate
        let statistic = difference * difference / (x.variance + y.variance)
        return (statistic, try ChiSquared(degreesOfFreedom: 1).survival(statistic))
    }

    /// The share of users reaching each milestone; the test compares the users' funnel stages.
    static func funnel(_ real: TwinSample, _ twin: TwinSample, labels: Labels) throws -> TwinFigure {
        var points: [TwinPoint] = []
        for (m, name) in labels.milestones.enumerated() {
            if let point = TwinPoint.proportions(
                series: name, at: "", real: real.milestoneUsers[m], twin: twin.milestoneUsers[m])
            {
                points.append(point)
            }
        }
        let wald = ClusteredCategoryMoments.homogeneity(real.funnelStages, twin.funnelStages)
        return TwinFigure(
            id: "milestone-funnel", title: "Milestone funnel",
            definition:
                "Share of users who reached each milestone by the end of the log (Wilson intervals at the effective "
                + "sample size of accounts; the difference by the square-and-add method). The test compares how many "
                + "users stopped at each stage of the funnel: the number of milestones reached in the taxonomy's order "
                + "before the first one missed.",
            points: points,
            test: wald.map {
                TwinTest(
                    name: "Wald test of the funnel stages", statistic: $0.statistic,
                    degreesOfFreedom: $0.degreesOfFreedom, pValue: $0.pValue)
            },
            testNote: wald == nil ? "No test: the users of both populations are at one stage of the funnel." : nil)
    }
}
