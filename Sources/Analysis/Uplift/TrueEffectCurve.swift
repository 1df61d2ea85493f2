/// The gain curve of a score against the simulator's true effects: what targeting the top of the ranking really
/// brought, which no measured curve can show. This is SegmentLab's own definition, not one from a library.
///
/// Only treated users have a known effect (their treated outcome minus their counterfactual outcome, −1, 0 or 1
/// for a binary outcome), so the curve runs over the N₁ treated users of the N users evaluated. Ranked by score
/// (``upliftRanking``), with S(j) the sum of the true effects of the first j treated users, its points are
///
///     (j · N/N₁,  S(j) · N/N₁)
///
/// taken after each group of equal scores and starting at (0, 0): the true extra outcomes had the whole population
/// been treated users like these, the top j · N/N₁ of it targeted. Treatment was assigned at random, so the treated
/// users are a random sample of the population and the scaling puts the curve on the scale of the measured uplift
/// curve, of which it is the noise-free counterpart (S(j) itself is the counterpart of the Qini curve).
///
/// The **perfect** curve ranks the same users by true effect (gains first, losses last), the **random** line goes
/// straight from (0, 0) to the last point, and the **normalised area** is (model area − random area) /
/// (perfect area − random area), as scikit-uplift normalises the measured curves: 1 for the oracle's ranking,
/// about 0 for a useless score, negative for one that ranks losses first.
public struct TrueEffectCurve: Sendable, Hashable, Codable {
    /// Users evaluated, N, and treated users among them, N₁.
    public let users: Int
    public let treatedUsers: Int
    /// Σ of the treated users' true effects, S(N₁).
    public let totalEffect: Double
    /// The curve of the score, thinned to at most 101 points.
    public let curve: UpliftCurve
    /// The curve of the ranking by true effect, thinned likewise.
    public let perfectCurve: UpliftCurve
    /// Area under the score's full curve (trapezoidal).
    public let area: Double
    /// Area under the perfect full curve.
    public let perfectArea: Double
    /// Area under the random line, N · S(N₁) · N/N₁ / 2.
    public let randomArea: Double
    /// (area − randomArea) / (perfectArea − randomArea); `nil` when the perfect curve does not rise above the
    /// random line (every true effect equal).
    public let normalisedArea: Double?

    /// - Parameters:
    ///   - scores: Each user's score, higher meaning "target first".
    ///   - treated: Whether each user was treated.
    ///   - trueEffects: Each treated user's true effect; ignored for control users (`nil` there).
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for arrays of different lengths, a non-finite score or
    ///   effect, or a treated user without one; ``ExperimentError/insufficientData(_:)`` when no user is treated.
    public init(scores: [Double], treated: [Bool], trueEffects: [Double?]) throws {
        let full = try Self.fullCurves(scores: scores, treated: treated, trueEffects: trueEffects)
        users = scores.count
        treatedUsers = full.treatedUsers
        totalEffect = full.total
        area = full.curve.area
        perfectArea = full.perfect.area
        randomArea = area - full.curve.areaOverRandom
        let best = full.perfect.areaOverRandom
        normalisedArea = best > 0 ? full.curve.areaOverRandom / best : nil
        curve = full.curve.thinned()
        perfectCurve = full.perfect.thinned()
    }

    /// The unthinned curves of the score and of the perfect ranking.
    static func fullCurves(scores: [Double], treated: [Bool], trueEffects: [Double?]) throws -> (
        curve: UpliftCurve, perfect: UpliftCurve, treatedUsers: Int, total: Double
    ) {
        guard treated.count == scores.count, trueEffects.count == scores.count else {
            throw ExperimentError.invalidArgument(
                "each user needs a score, an arm and a true effect or nil (got \(scores.count), \(treated.count)"
                    + " and \(trueEffects.count))")
        }
        if let bad = scores.firstIndex(where: { !$0.isFinite }) {
            throw ExperimentError.invalidArgument("user \(bad)'s score is \(scores[bad]); it must be finite")
        }
        let rows = scores.indices.filter { treated[$0] }
        guard !rows.isEmpty else { throw ExperimentError.insufficientData("no user was treated") }
        var effects: [Double] = []
        for i in rows {
            guard let effect = trueEffects[i], effect.isFinite else {
                throw ExperimentError.invalidArgument(
                    "treated user \(i) needs a finite true effect (got \(String(describing: trueEffects[i])))")
            }
            effects.append(effect)
        }
        let scale = Double(scores.count) / Double(rows.count)
        let treatedScores = rows.map { scores[$0] }
        return (
            gains(ranking: treatedScores, effects: effects, scale: scale),
            gains(ranking: effects, effects: effects, scale: scale), rows.count, effects.reduce(0, +)
        )
    }

    /// Cumulative effects down the ranking by `ranking`, a point after each group of equal ranking values.
    private static func gains(ranking keys: [Double], effects: [Double], scale: Double) -> UpliftCurve {
        let order = upliftRanking(keys)
        var points = [UpliftCurve.Point(users: 0, value: 0)]
        var sum = 0.0
        var position = 0
        for end in thresholdCounts(keys, ranking: order) {
            while position < end {
                sum += effects[order[position]]
                position += 1
            }
            points.append(.init(users: Double(end) * scale, value: sum * scale))
        }
        return UpliftCurve(points: points)
    }
}
