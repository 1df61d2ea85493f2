import Analysis
import Testing
import UsageModel

// Reference values computed independently in Python with statsmodels 0.15.0 from the fixture below:
// per segment, each user-evaluation expanded to a 0/1 row (in the commonest state; retained), then
// `sm.OLS(y, ones).fit(cov_type='cluster', cov_kwds={'groups': user})` for the variance (its CR1 factor
// G/(G − 1) · (N − 1)/(N − 1) is the ratio estimator's G/(G − 1)), deff = max(1, variance / (p(1 − p)/n)),
// and `proportion_confint(p·n/deff, n/deff, alpha=0.05, method='wilson')`.

/// Twelve users at six evaluations (days 0 … 5): segment codes (255: not signed up), true latent
/// state, and whether the user was retained over the horizon after that evaluation.
private let segments: [[UInt8]] = [
    [0, 1, 255, 2, 1, 0], [0, 2, 0, 1, 0, 1], [1, 1, 0, 1, 255, 255], [1, 0, 0, 0, 1, 0], [255, 0, 1, 0, 0, 0],
    [0, 0, 255, 1, 2, 2], [255, 2, 255, 0, 2, 2], [2, 2, 0, 1, 0, 255], [1, 1, 2, 1, 2, 1], [2, 2, 2, 0, 2, 1],
    [2, 0, 1, 2, 0, 255], [0, 1, 2, 0, 0, 0],
]
private let states: [[Int]] = [
    [0, 1, -1, 0, 1, 0], [0, 0, 0, 0, 0, 1], [0, 0, 0, 1, -1, -1], [1, 1, 0, 0, 0, 1], [-1, 0, 1, 0, 0, 0],
    [1, 1, -1, 1, 0, 0], [-1, 0, -1, 0, 0, 0], [0, 0, 0, 1, 0, -1], [1, 1, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1],
    [0, 0, 1, 0, 0, -1], [0, 1, 0, 0, 0, 1],
]
private let retained: [[Int]] = [
    [1, 0, 0, 1, 1, 0], [1, 1, 0, 1, 1, 0], [1, 0, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1],
    [0, 1, 1, 0, 1, 1], [0, 1, 1, 1, 1, 0], [1, 0, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1],
    [1, 1, 0, 0, 0, 1], [1, 0, 1, 1, 1, 1],
]

private func validity(users: Range<Int>, threads: Int = 1) -> ValidityCounts {
    let evaluations = (0..<6).map { day in (day: day, memberships: Column(users.map { segments[$0][day] })) }
    let first = users.lowerBound
    return ValidityCounts(
        segments: 3, states: 2, evaluations: evaluations,
        state: { u, day in states[first + u][day] < 0 ? nil : states[first + u][day] },
        outcome: { u, day, _ in (retained[first + u][day] == 1, false) }, threads: threads)
}

@Suite("Segment validity with intervals clustered by user")
struct SegmentValidityTests {
    @Test func intervalsMatchStatsmodels() throws {
        let v = ValidityResults(
            counts: validity(users: 0..<12), labels: ["a", "b", "c"], states: ["s0", "s1"], horizon: 28)
        #expect(v.counts == [[21, 5], [6, 13], [17, 1]])
        #expect(v.dominantState == ["a": "s0", "b": "s1", "c": "s0"])
        // segment: precision, its lower and upper bound; retention, lower, upper, distinct users.
        let expected: [(String, Double, Double, Double, Double, Double, Double, Int)] = [
            (
                "a", 0.8076923076923073, 0.5715857623044979, 0.9296839811343228, 0.8461538461538458,
                0.6646880067178649, 0.9384996627642164, 11
            ),
            (
                "b", 0.6842105263157898, 0.46010407675327497, 0.8463562091220775, 0.5789473684210529,
                0.36275903534255055, 0.7685810871754579, 11
            ),
            (
                "c", 0.9444444444444443, 0.7306565616630926, 0.9907006733227132, 0.7777777777777777,
                0.5478541568378736, 0.9099907189139831, 9
            ),
        ]
        for (segment, precision, lower, upper, rate, rLower, rUpper, users) in expected {
            #expect(abs(v.precision[segment]! - precision) < 1e-12)
            #expect(abs(v.precisionLower[segment]! - lower) < 1e-10, "\(segment)")
            #expect(abs(v.precisionUpper[segment]! - upper) < 1e-10, "\(segment)")
            let r = try #require(v.retention[segment])
            #expect(abs(r.rate! - rate) < 1e-12)
            #expect(abs(r.lower! - rLower) < 1e-10, "\(segment)")
            #expect(abs(r.upper! - rUpper) < 1e-10, "\(segment)")
            #expect(r.distinctUsers == users)
        }
    }

    @Test(arguments: [1, 4, 7])
    func blocksAndThreadsGiveTheSameCounts(split: Int) {
        let whole = validity(users: 0..<12)
        var blocks = validity(users: 0..<split, threads: 2)
        blocks.add(validity(users: split..<12, threads: 3))
        #expect(blocks == whole)
    }
}
