/// A gain curve of uplift modelling: after targeting the users ranked highest by a score, how many extra outcomes
/// did the treatment bring. Points run from (0, 0) up the ranking; between points the curve is a straight line.
public struct UpliftCurve: Sendable, Hashable, Codable {
    public struct Point: Sendable, Hashable, Codable {
        /// Users targeted (on the curves against true effects, scaled to the whole population, so not whole).
        public let users: Double
        /// The curve's value there: extra outcomes.
        public let value: Double

        public init(users: Double, value: Double) {
            self.users = users
            self.value = value
        }
    }

    public let points: [Point]

    public init(points: [Point]) {
        self.points = points
    }

    /// The area under the curve by the trapezoidal rule, as `sklearn.metrics.auc` computes it.
    public var area: Double {
        var total = 0.0
        for (a, b) in zip(points, points.dropFirst()) {
            total += (b.users - a.users) * (a.value + b.value) / 2
        }
        return total
    }

    /// The area between the curve and the straight line from (0, 0) to its last point: what ranking added over
    /// targeting at random.
    public var areaOverRandom: Double {
        guard let last = points.last else { return 0 }
        return area - last.users * last.value / 2
    }

    /// At most `maxPoints` of the points (at least 2), evenly spaced in their index, always with the first and last:
    /// enough to draw the curve in a report. Areas are to be taken from the full curve.
    public func thinned(to maxPoints: Int = 101) -> UpliftCurve {
        precondition(maxPoints >= 2, "a thinned curve keeps at least its two ends")
        guard points.count > maxPoints else { return self }
        let last = points.count - 1
        let picked = (0..<maxPoints).map { i in
            points[Int((Double(i) * Double(last) / Double(maxPoints - 1)).rounded())]
        }
        return UpliftCurve(points: picked)
    }
}

/// The ranking every top-k figure in this folder uses: by score, highest first; among equal scores the user later
/// in the input first. This is the order of scikit-uplift, whose `np.argsort(uplift, kind="mergesort")[::-1]`
/// reverses a stable ascending sort; the curves do not depend on it (they only take points between groups of
/// equal scores), but uplift at k and the targeted users do.
func upliftRanking(_ scores: [Double]) -> [Int] {
    scores.indices.sorted { a, b in scores[a] != scores[b] ? scores[a] > scores[b] : a > b }
}

/// For a ranking of `scores`, the number of users at the end of each group of equal scores: the points where a
/// threshold on the score can cut.
func thresholdCounts(_ scores: [Double], ranking: [Int]) -> [Int] {
    var ends: [Int] = []
    for position in ranking.indices
    where position == ranking.count - 1 || scores[ranking[position]] != scores[ranking[position + 1]] {
        ends.append(position + 1)
    }
    return ends
}
