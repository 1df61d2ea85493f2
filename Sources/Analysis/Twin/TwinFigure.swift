import Stats

/// One side's estimate at a point of a twin figure, the real log's or the twin's, with its 95 % interval.
public struct TwinEstimate: Codable, Sendable, Equatable {
    public let value: Double
    /// `nil` where the estimate has no interval (a Kaplan–Meier curve before its first event).
    public let lower: Double?
    public let upper: Double?
    /// For a proportion, its successes and trials; for a transition rate, the transitions into the cell and out of
    /// its row; for a Kaplan–Meier point, `of` is the users at risk.
    public let count: Int?
    public let of: Int?

    public init(value: Double, lower: Double?, upper: Double?, count: Int? = nil, of: Int? = nil) {
        self.value = value
        self.lower = lower
        self.upper = upper
        self.count = count
        self.of = of
    }
}

/// One point of a figure measured on the real log and on the twin: both estimates and their difference real − twin
/// with its 95 % interval for independent samples (the twin's users are simulated, not the log's).
public struct TwinPoint: Codable, Sendable {
    /// The line or bar the point belongs to: a segment, a measure (DAU), a feature, a milestone.
    public let series: String
    /// Where on it: a date, `day 28`, or empty for a figure of one point per series.
    public let at: String
    /// Days since the first day (or since sign-up, for curves from sign-up): the x of a chart.
    public let day: Int?
    public let real: TwinEstimate
    public let twin: TwinEstimate
    public let difference: Double
    /// `nil` when neither side has any spread (both 0 %, both 100 %, or a curve before any event).
    public let differenceLower: Double?
    public let differenceUpper: Double?

    public init(
        series: String, at: String, day: Int?, real: TwinEstimate, twin: TwinEstimate, difference: Double,
        differenceLower: Double?, differenceUpper: Double?
    ) {
        self.series = series
        self.at = at
        self.day = day
        self.real = real
        self.twin = twin
        self.difference = difference
        self.differenceLower = differenceLower
        self.differenceUpper = differenceUpper
    }

    /// Whether the interval of the difference covers 0; `nil` without an interval.
    public var agrees: Bool? {
        guard let differenceLower, let differenceUpper else { return nil }
        return differenceLower <= 0 && 0 <= differenceUpper
    }

    /// A proportion on each side, estimated over clusters (the users of each account): the Wilson interval at the
    /// effective sample size (``ProportionInterval/clustered(_:confidence:)``), and for the difference the
    /// square-and-add limits of those two intervals, L = d − √((p̂₁ − l₁)² + (u₂ − p̂₂)²),
    /// U = d + √((u₁ − p̂₁)² + (p̂₂ − l₂)²) (Zou and Donner 2008, "Construction of confidence limits about effect
    /// measures: a general approach", Statistics in Medicine 27): Newcombe's hybrid score interval when every cluster
    /// is one user. `nil` when a side has no trials.
    public static func proportions(
        series: String, at: String, day: Int? = nil, real: ClusteredRatioMoments, twin: ClusteredRatioMoments,
        confidence: Double = 0.95
    ) -> TwinPoint? {
        func side(_ m: ClusteredRatioMoments) -> (estimate: TwinEstimate, p: Double, interval: ClosedRange<Double>)? {
            let y = m.successes.reduce(0, +)
            let n = m.trials.reduce(0, +)
            guard n > 0, let clustered = ProportionInterval.clustered(m.pooled, confidence: confidence) else {
                return nil
            }
            let p = Double(y) / Double(n)
            let interval = clustered.interval
            return (
                TwinEstimate(value: p, lower: interval.lowerBound, upper: interval.upperBound, count: y, of: n), p,
                interval
            )
        }
        guard let r = side(real), let t = side(twin) else { return nil }
        let difference = r.p - t.p
        // Both at 0 % or both at 100 %: nothing varies.
        let spread = !(r.p == 0 && t.p == 0) && !(r.p == 1 && t.p == 1)
        func squared(_ x: Double) -> Double { x * x }
        return TwinPoint(
            series: series, at: at, day: day, real: r.estimate, twin: t.estimate, difference: difference,
            differenceLower: spread
                ? difference
                    - (squared(r.p - r.interval.lowerBound) + squared(t.interval.upperBound - t.p)).squareRoot()
                : nil,
            differenceUpper: spread
                ? difference
                    + (squared(r.interval.upperBound - r.p) + squared(t.p - t.interval.lowerBound)).squareRoot()
                : nil)
    }

    /// An estimate with a standard error on each side (a Kaplan–Meier survival with Greenwood's, a clustered rate
    /// with its cluster-robust one), each shown with its own interval; the difference has the normal interval of
    /// independent samples (``IndependentDifference``).
    public static func estimates(
        series: String, at: String, day: Int? = nil, real: TwinEstimate, realStandardError: Double,
        twin: TwinEstimate, twinStandardError: Double, confidence: Double = 0.95
    ) throws -> TwinPoint {
        let difference = try IndependentDifference(
            first: twin.value, firstStandardError: twinStandardError, second: real.value,
            secondStandardError: realStandardError, confidence: confidence)
        return TwinPoint(
            series: series, at: at, day: day, real: real, twin: twin, difference: difference.estimate,
            differenceLower: difference.lower, differenceUpper: difference.upper)
    }
}

/// The test of a whole figure, real against twin, where one exists.
public struct TwinTest: Codable, Sendable, Equatable {
    public let name: String
    public let statistic: Double
    public let degreesOfFreedom: Int
    public let pValue: Double

    public init(name: String, statistic: Double, degreesOfFreedom: Int, pValue: Double) {
        self.name = name
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
    }
}

/// A figure of the twin report with its goodness of fit: how many points agree (the interval of real − twin covers
/// 0), the largest difference, and the test of the whole figure.
public struct TwinFigure: Codable, Sendable {
    public let id: String
    public let title: String
    /// What a point measures and over whom, in a sentence.
    public let definition: String
    public let points: [TwinPoint]
    /// Points with an interval of the difference, and those of them that agree.
    public let compared: Int
    public let agreeing: Int
    /// The largest |real − twin| over the points compared, and the point's series and place.
    public let largestDifference: Double?
    public let largestAt: String?
    public let test: TwinTest?
    /// Why there is no test, or what to know about it.
    public let testNote: String?

    public init(
        id: String, title: String, definition: String, points: [TwinPoint], test: TwinTest?, testNote: String? = nil
    ) {
        self.id = id
        self.title = title
        self.definition = definition
        self.points = points
        self.test = test
        self.testNote = testNote
        let compared = points.filter { $0.agrees != nil }
        self.compared = compared.count
        agreeing = compared.filter { $0.agrees == true }.count
        let largest = compared.max { abs($0.difference) < abs($1.difference) }
        largestDifference = largest.map { abs($0.difference) }
        largestAt = largest.map { $0.at.isEmpty ? $0.series : "\($0.series), \($0.at)" }
    }
}
