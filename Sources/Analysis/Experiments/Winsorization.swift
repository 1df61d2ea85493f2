import Stats

/// A sample quantile, as Hyndman and Fan (1996, "Sample quantiles in statistical packages", The American
/// Statistician 50(4), 361–365) number the definitions. With x₍₁₎ ≤ … ≤ x₍ₙ₎ the sorted values and p the level:
public enum QuantileDefinition: String, Sendable, Hashable, Codable, CaseIterable {
    /// Definition 7: h = (n − 1)p, Q(p) = x₍⌊h⌋+1₎ + (h − ⌊h⌋)(x₍⌊h⌋+2₎ − x₍⌊h⌋+1₎), linear between order statistics
    /// (GSL's `gsl_stats_quantile_from_sorted_data`, R's default, NumPy's `np.quantile(method="linear")`, its
    /// default). The cap may lie between two observed values.
    case linear
    /// Definition 1, the inverse of the empirical distribution function: Q(p) = x₍ⱼ₎ with j = ⌈np⌉, the smallest
    /// value with at least a share p of the values at or below it (NumPy's `method="inverted_cdf"`). The cap is
    /// always an observed value.
    case invertedCDF

    /// The quantile of values sorted ascending.
    /// - Precondition: `sorted` is non-empty and ascending, `level` in [0, 1] (checked by callers).
    public func quantile(sorted: [Double], level p: Double) -> Double {
        switch self {
        case .linear:
            return Descriptive.quantile(sorted: sorted, fraction: p)
        case .invertedCDF:
            // NumPy computes the same product n·p in double precision and rounds it up, so a level such as 0.99
            // on 100 values picks the same order statistic here as there.
            let j = Int((Double(sorted.count) * p).rounded(.up))
            return sorted[min(max(j, 1), sorted.count) - 1]
        }
    }
}

/// Treatment and control means compared after capping both arms at an upper quantile of the pooled values
/// (one-sided winsorization): a handful of extreme users (a reseller's bulk purchase, a script's ten thousand
/// sessions) otherwise dominate the variance of a mean and hide any effect.
///
/// The cap c = Q(p) is the level-p quantile (``QuantileDefinition``) of both arms' values together, so it is one
/// number for both arms and does not depend on which arm a user is in: capping is then the same transformation
/// min(v, c) of every user's value, assignment stays independent of it, and a difference of capped means is a
/// valid test of "no effect" (of the capped metric). The capped values are compared by ``WelchTest``.
///
/// The estimate is of the capped metric, not of the raw mean: a treatment that only moves the top users is
/// partly or wholly capped away. ``Arm/rawMean`` keeps the raw means beside the capped ones.
public struct WinsorizedComparison: Sendable, Hashable, Codable {
    /// How many of an arm's values were capped, and their mean before capping.
    public struct Arm: Sendable, Hashable, Codable {
        public let count: Int
        /// Values above the cap, which were set to it.
        public let capped: Int
        /// Mean of the raw values.
        public let rawMean: Double
    }

    /// p, in (0, 1).
    public let level: Double
    public let definition: QuantileDefinition
    /// c = Q(p) of the pooled values.
    public let cap: Double
    public let treatment: Arm
    public let control: Arm
    /// Welch's test on the capped values: their summaries, the difference, its standard error, degrees of freedom,
    /// t, p-value and interval.
    public let welch: WelchTest

    /// - Parameters:
    ///   - treatment: Per-user values of the treatment arm.
    ///   - control: Per-user values of the control arm.
    ///   - level: The quantile p of the pooled values to cap at, in (0, 1); e.g. 0.99.
    ///   - definition: Which sample quantile; ``QuantileDefinition/linear`` by default.
    ///   - confidence: Level of the interval, in (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for a level or confidence outside (0, 1) or a value that
    ///   is not finite; ``ExperimentError/insufficientData(_:)`` when an arm has fewer than two values.
    public init(
        treatment: [Double], control: [Double], level: Double, definition: QuantileDefinition = .linear,
        confidence: Double = 0.95
    ) throws {
        guard level > 0, level < 1 else {
            throw ExperimentError.invalidArgument("the capping quantile must be in (0, 1) (got \(level))")
        }
        try ExperimentError.checkConfidence(confidence)
        for (name, values) in [("treatment", treatment), ("control", control)] {
            guard values.count >= 2 else {
                throw ExperimentError.insufficientData(
                    "the \(name) arm needs at least two values for a variance (got \(values.count))")
            }
            guard values.allSatisfy(\.isFinite) else {
                throw ExperimentError.invalidArgument("the \(name) arm's values must be finite")
            }
        }
        let cap = definition.quantile(sorted: (treatment + control).sorted(), level: level)
        let cappedTreatment = treatment.map { min($0, cap) }
        let cappedControl = control.map { min($0, cap) }
        let welch = try WelchTest(treatment: cappedTreatment, control: cappedControl, confidence: confidence)

        self.level = level
        self.definition = definition
        self.cap = cap
        self.treatment = Self.arm(raw: treatment, cap: cap)
        self.control = Self.arm(raw: control, cap: cap)
        self.welch = welch
    }

    private static func arm(raw: [Double], cap: Double) -> Arm {
        Arm(count: raw.count, capped: raw.count(where: { $0 > cap }), rawMean: raw.reduce(0, +) / Double(raw.count))
    }
}
