/// The measured evaluation of an uplift score on users of a randomised experiment, following the definitions of
/// scikit-uplift 0.5.1 (`sklift.metrics`) exactly, so the figures can be checked against it.
///
/// Users are ranked by score (``upliftRanking``); the curves have a point after each group of equal scores, at
/// k users of which n₁(k) treated and n₀(k) control, with y₁(k) and y₀(k) outcomes among them, and start at (0, 0).
///
/// - **Qini curve** (Radcliffe 2007, "Using control groups to target on predicted lift: building and assessing
///   uplift models", Direct Marketing Analytics Journal 3 14–21): Q(k) = y₁(k) − y₀(k) · n₁(k)/n₀(k), 0 for the
///   second term when n₀(k) = 0: the extra outcomes among the treated users of the top k.
/// - **Uplift curve**: U(k) = (y₁(k)/n₁(k) − y₀(k)/n₀(k)) · k, a ratio taken as 0 when its denominator is: the
///   extra outcomes had all k users been treated.
/// - **Areas**: trapezoidal over the points. The **normalised** scores (`qini_auc_score`, `uplift_auc_score`)
///   subtract from the model's area and from the perfect curve's area the area under the random line from (0, 0)
///   to the perfect curve's last point, and divide: 1 for a perfect ranking, 0 for a random one.
/// - **Perfect curves**: the same curve for a score that ranks the data best. For Qini, treated responders
///   first and control responders last (score y·t − y·(1 − t)); with `negativeEffect == false` instead the three
///   points (0, 0), (Q, Q), (N, Q) for the overall Q = Q(N), a curve that never falls. For the uplift curve, the
///   score 2·[y = t] + s, where s is y when control responders outnumber treated non-responders and t otherwise.
/// - **Uplift at k**: the treated minus the control outcome rate among the top users, ``UpliftAtKStrategy``.
public enum UpliftMetrics {
    /// Which users uplift at k compares (`strategy` in `sklift.metrics.uplift_at_k`).
    public enum UpliftAtKStrategy: String, Sendable, Hashable, Codable {
        /// The top ⌊N·k⌋ users of the ranking, both arms together; then the rates of each arm among them.
        case overall
        /// The top ⌊N₁·k⌋ treated users and the top ⌊N₀·k⌋ control users, each arm ranked on its own.
        case byGroup
    }

    /// The Qini curve (`sklift.metrics.qini_curve`).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for arrays of different lengths, no users or a
    ///   non-finite score.
    public static func qiniCurve(outcomes: [Bool], scores: [Double], treated: [Bool]) throws -> UpliftCurve {
        try curve(outcomes: outcomes, scores: scores, treated: treated) { k, n1, y1, y0 in
            let n0 = k - n1
            return y1 - (n0 != 0 ? y0 * n1 / n0 : 0)
        }
    }

    /// The uplift curve (`sklift.metrics.uplift_curve`); throws like ``qiniCurve(outcomes:scores:treated:)``.
    public static func upliftCurve(outcomes: [Bool], scores: [Double], treated: [Bool]) throws -> UpliftCurve {
        try curve(outcomes: outcomes, scores: scores, treated: treated) { k, n1, y1, y0 in
            let n0 = k - n1
            return ((n1 != 0 ? y1 / n1 : 0) - (n0 != 0 ? y0 / n0 : 0)) * k
        }
    }

    /// The perfect Qini curve (`sklift.metrics.perfect_qini_curve`).
    public static func perfectQiniCurve(outcomes: [Bool], treated: [Bool], negativeEffect: Bool = true) throws
        -> UpliftCurve
    {
        if negativeEffect {
            let ideal = zip(outcomes, treated).map { y, t in y ? (t ? 1.0 : -1.0) : 0 }
            return try qiniCurve(outcomes: outcomes, scores: ideal, treated: treated)
        }
        let flat = [Double](repeating: 0, count: outcomes.count)
        let overall = try qiniCurve(outcomes: outcomes, scores: flat, treated: treated).points.last!.value
        return UpliftCurve(points: [
            .init(users: 0, value: 0), .init(users: overall, value: overall),
            .init(users: Double(outcomes.count), value: overall),
        ])
    }

    /// The perfect uplift curve (`sklift.metrics.perfect_uplift_curve`).
    public static func perfectUpliftCurve(outcomes: [Bool], treated: [Bool]) throws -> UpliftCurve {
        let controlResponders = zip(outcomes, treated).count { y, t in y && !t }
        let treatedNonResponders = zip(outcomes, treated).count { y, t in !y && t }
        let ideal = zip(outcomes, treated).map { y, t in
            let summand = controlResponders > treatedNonResponders ? y : t
            return 2 * (y == t ? 1.0 : 0) + (summand ? 1 : 0)
        }
        return try upliftCurve(outcomes: outcomes, scores: ideal, treated: treated)
    }

    /// The normalised area under the Qini curve, the Qini coefficient (`sklift.metrics.qini_auc_score`); `nil` when
    /// the perfect curve encloses no area over the random line. Throws like ``qiniCurve(outcomes:scores:treated:)``.
    public static func qiniAUCScore(
        outcomes: [Bool], scores: [Double], treated: [Bool], negativeEffect: Bool = true
    ) throws -> Double? {
        let actual = try qiniCurve(outcomes: outcomes, scores: scores, treated: treated)
        let perfect = try perfectQiniCurve(outcomes: outcomes, treated: treated, negativeEffect: negativeEffect)
        return normalised(actual, perfect)
    }

    /// The normalised area under the uplift curve (`sklift.metrics.uplift_auc_score`); `nil` as in
    /// ``qiniAUCScore(outcomes:scores:treated:negativeEffect:)``.
    public static func upliftAUCScore(outcomes: [Bool], scores: [Double], treated: [Bool]) throws -> Double? {
        let actual = try upliftCurve(outcomes: outcomes, scores: scores, treated: treated)
        let perfect = try perfectUpliftCurve(outcomes: outcomes, treated: treated)
        return normalised(actual, perfect)
    }

    /// Uplift at the top share k of users (`sklift.metrics.uplift_at_k` with a float k): the treated outcome rate
    /// minus the control one among them, with ⌊N·k⌋ users (or ⌊Nₐ·k⌋ per arm), the floor of the same
    /// floating-point product Python takes. `nil` when one arm has no user among them, where scikit-uplift
    /// returns NaN.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for k outside (0, 1) or input as in
    ///   ``qiniCurve(outcomes:scores:treated:)``.
    public static func upliftAtK(
        outcomes: [Bool], scores: [Double], treated: [Bool], share k: Double, strategy: UpliftAtKStrategy
    ) throws -> Double? {
        try check(outcomes: outcomes, scores: scores, treated: treated)
        guard k > 0, k < 1 else { throw ExperimentError.invalidArgument("k must be in (0, 1) (got \(k))") }
        let ranking = upliftRanking(scores)
        var taken = [0, 0]
        var successes = [0, 0]
        switch strategy {
        case .overall:
            for i in ranking.prefix(Int(Double(outcomes.count) * k)) {
                let a = treated[i] ? 1 : 0
                taken[a] += 1
                successes[a] += outcomes[i] ? 1 : 0
            }
        case .byGroup:
            let treatedCount = treated.count { $0 }
            let limit = [Int(Double(outcomes.count - treatedCount) * k), Int(Double(treatedCount) * k)]
            for i in ranking {
                let a = treated[i] ? 1 : 0
                guard taken[a] < limit[a] else { continue }
                taken[a] += 1
                successes[a] += outcomes[i] ? 1 : 0
            }
        }
        guard taken[0] > 0, taken[1] > 0 else { return nil }
        return Double(successes[1]) / Double(taken[1]) - Double(successes[0]) / Double(taken[0])
    }

    // MARK: - Internals

    static func check(outcomes: [Bool], scores: [Double], treated: [Bool]) throws {
        guard outcomes.count == scores.count, treated.count == scores.count else {
            throw ExperimentError.invalidArgument(
                "each user needs an outcome, a score and an arm (got \(outcomes.count), \(scores.count) and"
                    + " \(treated.count))")
        }
        guard !scores.isEmpty else { throw ExperimentError.invalidArgument("there are no users to evaluate") }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw ExperimentError.invalidArgument("user \(bad)'s score is \(scores[bad]); it must be finite")
        }
    }

    /// A curve with a point after each group of equal scores, from cumulative counts: `value(k, n₁, y₁, y₀)`.
    private static func curve(
        outcomes: [Bool], scores: [Double], treated: [Bool],
        value: (_ k: Double, _ n1: Double, _ y1: Double, _ y0: Double) -> Double
    ) throws -> UpliftCurve {
        try check(outcomes: outcomes, scores: scores, treated: treated)
        let ranking = upliftRanking(scores)
        var points = [UpliftCurve.Point(users: 0, value: 0)]
        var (n1, y1, y0) = (0, 0, 0)
        var position = 0
        for end in thresholdCounts(scores, ranking: ranking) {
            while position < end {
                let i = ranking[position]
                if treated[i] {
                    n1 += 1
                    y1 += outcomes[i] ? 1 : 0
                } else {
                    y0 += outcomes[i] ? 1 : 0
                }
                position += 1
            }
            points.append(.init(users: Double(end), value: value(Double(end), Double(n1), Double(y1), Double(y0))))
        }
        return UpliftCurve(points: points)
    }

    static func normalised(_ actual: UpliftCurve, _ perfect: UpliftCurve) -> Double? {
        let best = perfect.areaOverRandom
        guard best != 0 else { return nil }
        // scikit-uplift subtracts the random line to the perfect curve's end, which is the model curve's end too.
        let baseline = perfect.area - best
        return (actual.area - baseline) / best
    }
}
