import Analysis
import Testing

/// The `aml` data of R's `survival` package (Embury et al.: weeks to relapse of acute myelogenous leukaemia, with
/// and without maintenance chemotherapy); `false` marks a censored time.
private let maintained = observations(
    [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161], [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
private let nonmaintained = observations(
    [5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1])

private func observations(_ times: [Double], _ events: [Int]) -> [SurvivalObservation] {
    zip(times, events).map { SurvivalObservation(time: $0, event: $1 == 1) }
}

@Suite("Experiments: Kaplan–Meier and log-rank")
struct KaplanMeierTests {
    /// Ŝ, risk sets and Greenwood standard errors: R's `summary(survfit(Surv(time, status) ~ x, data = aml))` for
    /// the maintained group prints n.risk 11 10 8 7 5 4 2, survival 0.909 0.818 0.716 0.614 0.491 0.368 0.184 and
    /// std.err 0.0867 0.1163 0.1397 0.1526 0.1642 0.1627 0.1535. Full precision: statsmodels 0.15.0
    /// `SurvfuncRight(time, status)`: `surv_prob`, `surv_prob_se` (Greenwood). The log-log intervals: lifelines
    /// 0.30.3 `KaplanMeierFitter().fit(time, status).confidence_interval_` (exponential Greenwood, the log-log form).
    @Test func maintainedArmMatchesReferences() throws {
        let curve = try KaplanMeier(maintained)
        typealias Row = (time: Double, atRisk: Int, censored: Int, s: Double, se: Double, lower: Double, upper: Double)
        let expected: [Row] = [
            (9, 11, 0, 0.9090909090909091, 0.08667841720414475, 0.5080802057699292, 0.9866738226678231),
            (13, 10, 1, 0.8181818181818182, 0.11629129983033296, 0.4474286146821811, 0.9511622285824918),
            (18, 8, 0, 0.7159090909090909, 0.13966497055722782, 0.3501903859079383, 0.8990239741910536),
            (23, 7, 1, 0.6136363636363636, 0.15263233102731202, 0.26575204000128605, 0.8352992432502216),
            (31, 5, 0, 0.49090909090909096, 0.16419326722113584, 0.16733090977685078, 0.7533997903708115),
            (34, 4, 1, 0.3681818181818182, 0.16266888582709482, 0.09282957493698518, 0.657040832398164),
            (48, 2, 1, 0.18409090909090914, 0.1534927457862937, 0.01173848012318958, 0.5250148427266417),
        ]
        #expect(curve.steps.count == expected.count && curve.subjects == 11)
        for (step, row) in zip(curve.steps, expected) {
            #expect(step.time == row.time && step.atRisk == row.atRisk && step.events == 1)
            // Censored in [this event time, next event time): lifelines' event_table has 13+, 28+, 45+ and 161+.
            #expect(step.censored == row.censored, "t = \(row.time)")
            #expect(isNear(step.survival, row.s))
            #expect(isNear(step.standardError, row.se))
            #expect(isNear(step.lower, row.lower) && isNear(step.upper, row.upper), "t = \(row.time)")
        }
    }

    /// The non-maintained arm ends with an event when one subject is left, so Ŝ reaches 0; lifelines 0.30.3 as
    /// above, Greenwood errors from statsmodels 0.15.0 `surv_prob_se` (NaN at Ŝ = 0, where we give `nil`).
    @Test func curveThatReachesZero() throws {
        let curve = try KaplanMeier(nonmaintained)
        #expect(curve.steps.map(\.time) == [5, 8, 12, 23, 27, 30, 33, 43, 45])
        #expect(curve.steps.map(\.atRisk) == [12, 10, 8, 6, 5, 4, 3, 2, 1])
        #expect(curve.steps.map(\.events) == [2, 2, 1, 1, 1, 1, 1, 1, 1])
        #expect(curve.steps.map(\.censored) == [0, 0, 1, 0, 0, 0, 0, 0, 0])
        let first = curve.steps[0]
        #expect(isNear(first.survival, 0.8333333333333335) && isNear(first.standardError, 0.1075828707279838))
        #expect(isNear(first.lower, 0.48171494219537864) && isNear(first.upper, 0.955509365728065))
        let penultimate = curve.steps[7]
        #expect(isNear(penultimate.survival, 0.0972222222222222))
        #expect(isNear(penultimate.standardError, 0.09186636496752051))
        #expect(isNear(penultimate.lower, 0.005746305695863835) && isNear(penultimate.upper, 0.34890386111074967))
        let last = curve.steps[8]
        #expect(last.survival == 0 && last.standardError == nil && last.lower == nil && last.upper == nil)
    }

    /// Ŝ(t) is right-continuous: it drops at an event time, not before, and stays at its last value afterwards.
    @Test func survivalAtTime() throws {
        let curve = try KaplanMeier(maintained)
        #expect(curve.survival(at: 0) == 1 && curve.survival(at: 8.99) == 1)
        #expect(isNear(curve.survival(at: 9), 0.9090909090909091))
        #expect(isNear(curve.survival(at: 12.9), 0.9090909090909091))
        #expect(isNear(curve.survival(at: 13), 0.8181818181818182))
        #expect(isNear(curve.survival(at: 30), 0.6136363636363636))
        #expect(isNear(curve.survival(at: 500), 0.18409090909090914))
    }

    @Test func noEventsAndInvalidInput() throws {
        let censoredOnly = try KaplanMeier(observations([3, 5, 8], [0, 0, 0]))
        #expect(censoredOnly.steps.isEmpty && censoredOnly.survival(at: 100) == 1)
        #expect(throws: ExperimentError.self) { try KaplanMeier([]) }
        #expect(throws: ExperimentError.self) { try KaplanMeier(observations([-1, 2], [1, 1])) }
        #expect(throws: ExperimentError.self) { try KaplanMeier(observations([.infinity], [1])) }
        #expect(throws: ExperimentError.self) { try KaplanMeier(maintained, confidence: 1.5) }
    }

    /// R's `survdiff(Surv(time, status) ~ x, data = aml)` prints Observed 7 / 11, Expected 10.69 / 7.31,
    /// Chisq = 3.4 on 1 degrees of freedom, p = 0.07. Full precision: lifelines 0.30.3
    /// `logrank_test(...)` → 3.3963886989776024, p 0.0653393220405049 (statsmodels 0.15.0 `survdiff` agrees);
    /// expected counts Σ dⱼ n_gⱼ / nⱼ summed directly in Python: 10.689335992300723, 7.310664007699275.
    @Test func logRankTwoGroups() throws {
        let test = try LogRankTest(groups: [maintained, nonmaintained])
        #expect(isNear(test.statistic, 3.3963886989776024))
        #expect(isNear(test.pValue, 0.0653393220405049))
        #expect(test.degreesOfFreedom == 1)
        #expect(test.observed == [7, 11])
        #expect(isNear(test.expected[0], 10.689335992300723) && isNear(test.expected[1], 7.310664007699275))
        // The statistic does not depend on which group comes first.
        let swapped = try LogRankTest(groups: [nonmaintained, maintained])
        #expect(isNear(swapped.statistic, test.statistic, relative: 1e-12))
    }

    /// Three groups with ties within and across groups and censoring at event times: lifelines 0.30.3
    /// `multivariate_logrank_test(times, groups, events)` → 3.777942477492604, p 0.15122730563065212, 2 df
    /// (statsmodels 0.15.0 `survdiff` gives 3.7779424774925987); expected counts summed directly in Python.
    @Test func logRankThreeGroups() throws {
        let groups = [
            observations([2, 3, 3, 5, 8, 8, 9, 12, 15, 20], [1, 1, 0, 1, 1, 1, 0, 1, 0, 1]),
            observations([1, 2, 4, 4, 6, 7, 9, 10, 11, 14, 18], [1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1]),
            observations([3, 5, 6, 9, 12, 16, 21, 25], [0, 1, 0, 1, 0, 1, 0, 0]),
        ]
        let test = try LogRankTest(groups: groups)
        #expect(isNear(test.statistic, 3.777942477492604))
        #expect(isNear(test.pValue, 0.15122730563065212))
        #expect(test.degreesOfFreedom == 2)
        #expect(test.observed == [7, 8, 3])
        for (actual, expected) in zip(test.expected, [5.6500985928509, 5.5754477632190085, 6.774453643930091]) {
            #expect(isNear(actual, expected))
        }
        // The first two alone: lifelines logrank_test → 0.22700928018432434, p 0.6337503241342674.
        let pair = try LogRankTest(groups: Array(groups[0..<2]))
        #expect(isNear(pair.statistic, 0.22700928018432434) && isNear(pair.pValue, 0.6337503241342674))
    }

    @Test func logRankInvalidInput() {
        #expect(throws: ExperimentError.self) { try LogRankTest(groups: [maintained]) }
        #expect(throws: ExperimentError.self) { try LogRankTest(groups: [maintained, []]) }
        #expect(throws: ExperimentError.insufficientData("no events were observed")) {
            try LogRankTest(groups: [observations([1, 2], [0, 0]), observations([3], [0])])
        }
    }
}

@Suite("Experiments: the log-rank risk table")
struct LogRankRiskTableTests {
    /// lifelines 0.30.3 `survival_table_from_events(time, status)` for each `aml` group: at each distinct time of
    /// either group, a group's risk set is the sum of `removed` over its rows at or after that time, and its
    /// events and censorings are `observed` and `censored` at that time (0 where the group has no row).
    @Test func matchesLifelines() throws {
        let table = try LogRankTest.riskTable(groups: [maintained, nonmaintained])
        #expect(table.map(\.time) == [5, 8, 9, 12, 13, 16, 18, 23, 27, 28, 30, 31, 33, 34, 43, 45, 48, 161])
        #expect(
            table.map(\.atRisk) == [
                [11, 12], [11, 10], [11, 8], [10, 8], [10, 7], [8, 7], [8, 6], [7, 6], [6, 5], [6, 4], [5, 4],
                [5, 3], [4, 3], [4, 2], [3, 2], [3, 1], [2, 0], [1, 0],
            ])
        #expect(
            table.map(\.events) == [
                [0, 2], [0, 2], [1, 0], [0, 1], [1, 0], [0, 0], [1, 0], [1, 1], [0, 1], [0, 0], [0, 1], [1, 0],
                [0, 1], [1, 0], [0, 1], [0, 1], [1, 0], [0, 0],
            ])
        #expect(
            table.map(\.censored) == [
                [0, 0], [0, 0], [0, 0], [0, 0], [1, 0], [0, 1], [0, 0], [0, 0], [0, 0], [1, 0], [0, 0], [0, 0],
                [0, 0], [0, 0], [0, 0], [1, 0], [0, 0], [1, 0],
            ])
    }

    /// The log-rank statistic recomputed from the table alone equals the test's: lifelines 0.30.3
    /// `logrank_test(...)` gives 3.3963886989776024 (p 0.0653393220405049) on these data.
    @Test func statisticFromTheTable() throws {
        let table = try LogRankTest.riskTable(groups: [maintained, nonmaintained])
        var (o, e, v) = (0.0, 0.0, 0.0)
        for row in table {
            let d = Double(row.events[0] + row.events[1])
            let n = Double(row.atRisk[0] + row.atRisk[1])
            guard d > 0 else { continue }
            let n1 = Double(row.atRisk[0])
            o += Double(row.events[0])
            e += d * n1 / n
            if n > 1 { v += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1) }
        }
        #expect(isNear((o - e) * (o - e) / v, 3.3963886989776024))
        #expect(isNear(try LogRankTest(groups: [maintained, nonmaintained]).statistic, 3.3963886989776024))
    }
}
