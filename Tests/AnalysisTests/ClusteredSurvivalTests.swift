import Analysis
import Testing

/// Twenty subjects in two groups and nine clusters, with tied and censored times. The reference values are R 4.2.2
/// with `survival` 3.5.3 on this table (columns time, status, group, cl):
///
///     a <- d[d$group == 1, ]
///     summary(survfit(Surv(time, status) ~ 1, data = a, cluster = cl, robust = TRUE, conf.type = "log-log"),
///             times = c(2, 5, 9))
///     summary(coxph(Surv(time, status) ~ group + cluster(cl), data = d, ties = "breslow"))$robscore
///     survdiff(Surv(time, status) ~ group, data = d)$chisq
private let rows: [(time: Double, event: Bool, group: Int, cluster: Int)] = [
    (2, true, 1, 1), (3, true, 1, 1), (3, false, 1, 1), (5, true, 1, 2), (6, true, 1, 2), (8, false, 1, 3),
    (9, true, 1, 3), (9, true, 1, 3), (12, false, 1, 4), (14, true, 1, 4),
    (1, true, 0, 11), (3, true, 0, 11), (4, true, 0, 12), (4, false, 0, 12), (5, true, 0, 12), (7, true, 0, 13),
    (10, true, 0, 14), (11, false, 0, 14), (13, true, 0, 15), (15, false, 0, 15),
]

private func group(_ g: Int) -> (observations: [SurvivalObservation], clusters: [Int]) {
    let chosen = rows.filter { $0.group == g }
    return (chosen.map { SurvivalObservation(time: $0.time, event: $0.event) }, chosen.map(\.cluster))
}

@Suite("Experiments: Kaplan–Meier and log-rank with clustered subjects")
struct ClusteredSurvivalTests {
    @Test func robustCurveMatchesR() throws {
        let (observations, clusters) = group(1)
        let points = try ClusteredSurvival.curve(observations, clusters: clusters, at: [1, 2, 5, 9, 14])
        // Before the first event: Ŝ = 1 with no variance. At 14 the curve reaches 0.
        #expect(points[0] == nil && points[4] == nil)
        let expected: [(s: Double, se: Double, lower: Double, upper: Double)] = [
            (0.9, 0.0812403840463596, 0.5684399305042636, 0.980539465596970),
            (0.685714285714286, 0.1766474781267193, 0.2373163577447994, 0.905772191575183),
            (0.285714285714286, 0.2197884333517925, 0.0153910105015862, 0.686602052422522),
        ]
        for (point, row) in zip(points[1...3], expected) {
            let point = try #require(point)
            #expect(abs(point.survival - row.s) < 1e-12)
            #expect(abs(point.standardError - row.se) < 1e-12)
            #expect(abs(point.lower - row.lower) < 1e-12 && abs(point.upper - row.upper) < 1e-12)
        }
        let (other, otherClusters) = group(0)
        let more = try ClusteredSurvival.curve(other, clusters: otherClusters, at: [4, 10])
        let four = try #require(more[0])
        let ten = try #require(more[1])
        #expect(abs(four.survival - 0.7) < 1e-12 && abs(four.standardError - 0.166733320005331) < 1e-12)
        #expect(abs(four.lower - 0.2670232181523303) < 1e-12 && abs(four.upper - 0.908149836398332) < 1e-12)
        #expect(abs(ten.survival - 0.35) < 1e-12 && abs(ten.standardError - 0.182208671582886) < 1e-12)
        #expect(abs(ten.lower - 0.0623674080518262) < 1e-12 && abs(ten.upper - 0.672196977883301) < 1e-12)
    }

    @Test func robustLogRankMatchesRsRobustScoreTest() throws {
        let (first, firstClusters) = group(1)
        let (second, secondClusters) = group(0)
        let robust = try ClusteredSurvival.logRank(
            first, clusters: firstClusters, second, clusters: secondClusters)
        #expect(abs(robust.statistic - 0.0102452158586464) < 1e-12)
        #expect(abs(robust.pValue - 0.9193768892465947) < 1e-10)
        // The plain log-rank test of the same data (R's survdiff) differs: the clusters change the variance.
        let plain = try LogRankTest(groups: [first, second])
        #expect(abs(plain.statistic - 0.0144179702226181) < 1e-12)
    }

    /// One subject per cluster: the robust variance is the infinitesimal jackknife's, close to but not Greenwood's.
    @Test func singletonClustersComeCloseToGreenwood() throws {
        let observations = (0..<400).map { i in
            SurvivalObservation(time: Double(i % 37), event: i % 5 != 0)
        }
        let greenwood = try KaplanMeier(observations)
        let robust = try ClusteredSurvival.curve(observations, clusters: Array(0..<400), at: [5, 15, 25])
        for (t, point) in zip([5.0, 15, 25], robust) {
            let point = try #require(point)
            let step = try #require(greenwood.step(at: t))
            #expect(point.survival == step.survival)
            #expect(abs(point.standardError / step.standardError! - 1) < 0.05, "t = \(t)")
        }
    }

    @Test func labelsMustMatchObservations() {
        #expect(throws: ExperimentError.self) {
            try ClusteredSurvival.curve([SurvivalObservation(time: 1, event: true)], clusters: [], at: [1])
        }
    }
}
