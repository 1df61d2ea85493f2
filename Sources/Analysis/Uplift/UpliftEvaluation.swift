/// An uplift score evaluated on users it was not fitted on: the measured curves and figures of ``UpliftMetrics``
/// and, when the true effects are known, the ``TrueEffectCurve``. Curves are thinned to at most 101 points for
/// reports; every area is taken on the full curve.
public struct UpliftEvaluation: Sendable, Hashable, Codable {
    /// Uplift at one share of the users, by both of scikit-uplift's strategies.
    public struct AtK: Sendable, Hashable, Codable {
        public let share: Double
        /// `nil` when an arm has no user among the top.
        public let overall: Double?
        public let byGroup: Double?
    }

    public let users: Int
    public let treatedUsers: Int
    public let qiniCurve: UpliftCurve
    public let perfectQiniCurve: UpliftCurve
    public let upliftCurve: UpliftCurve
    public let perfectUpliftCurve: UpliftCurve
    /// Area under the full Qini curve.
    public let qiniArea: Double
    /// The Qini coefficient (`qini_auc_score`, perfect curve with negative effects); `nil` when undefined.
    public let qiniCoefficient: Double?
    /// Area under the full uplift curve (AUUC).
    public let upliftArea: Double
    /// AUUC normalised between the random line and the perfect curve (`uplift_auc_score`).
    public let normalisedUpliftArea: Double?
    public let upliftAtK: [AtK]
    /// The curve against the true effects, when they were given.
    public let trueEffect: TrueEffectCurve?

    /// - Parameters:
    ///   - scores: Each user's uplift score.
    ///   - treated: Whether each user was treated.
    ///   - outcomes: Each user's binary outcome.
    ///   - trueEffects: Each user's true effect (`nil` for control users), or `nil` when unknown (a real log).
    ///   - shares: The shares k for uplift at k, each in (0, 1).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for inconsistent input;
    ///   ``ExperimentError/insufficientData(_:)`` when an arm is empty.
    public init(
        scores: [Double], treated: [Bool], outcomes: [Bool], trueEffects: [Double?]? = nil,
        shares: [Double] = [0.1, 0.2, 0.3, 0.5]
    ) throws {
        try UpliftMetrics.check(outcomes: outcomes, scores: scores, treated: treated)
        let treatedCount = treated.count { $0 }
        guard treatedCount > 0, treatedCount < treated.count else {
            throw ExperimentError.insufficientData(
                "both arms need users (\(treatedCount) treated of \(treated.count))")
        }
        users = scores.count
        treatedUsers = treatedCount
        let qini = try UpliftMetrics.qiniCurve(outcomes: outcomes, scores: scores, treated: treated)
        let perfectQini = try UpliftMetrics.perfectQiniCurve(outcomes: outcomes, treated: treated)
        let uplift = try UpliftMetrics.upliftCurve(outcomes: outcomes, scores: scores, treated: treated)
        let perfectUplift = try UpliftMetrics.perfectUpliftCurve(outcomes: outcomes, treated: treated)
        qiniCurve = qini.thinned()
        perfectQiniCurve = perfectQini.thinned()
        upliftCurve = uplift.thinned()
        perfectUpliftCurve = perfectUplift.thinned()
        qiniArea = qini.area
        qiniCoefficient = UpliftMetrics.normalised(qini, perfectQini)
        upliftArea = uplift.area
        normalisedUpliftArea = UpliftMetrics.normalised(uplift, perfectUplift)
        upliftAtK = try shares.map { k in
            AtK(
                share: k,
                overall: try UpliftMetrics.upliftAtK(
                    outcomes: outcomes, scores: scores, treated: treated, share: k, strategy: .overall),
                byGroup: try UpliftMetrics.upliftAtK(
                    outcomes: outcomes, scores: scores, treated: treated, share: k, strategy: .byGroup))
        }
        trueEffect = try trueEffects.map { try TrueEffectCurve(scores: scores, treated: treated, trueEffects: $0) }
    }
}
