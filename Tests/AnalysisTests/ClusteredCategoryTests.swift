import Analysis
import Testing

// Two samples of clusters, each with its members in three categories. Reference values from NumPy 2.4.6,
// statsmodels 0.15.0 and SciPy 1.17.1 (Python 3.11), computed from the members themselves:
//
//     def cov(S):                      # S: one row of category counts per cluster
//         S = np.array(S, float); n = S.sum(1); N = n.sum(); p = S.sum(0) / N; G = len(S)
//         phi = (S - np.outer(n, p)) / N
//         return p, phi.T @ phi * G / (G - 1)
//
// The variances also as statsmodels gives them: each member expanded to a 0/1 row of its category, then
// `sm.OLS(y, ones).fit(cov_type='cluster', cov_kwds={'groups': cluster}).bse[0] ** 2` (its CR1 factor with one
// parameter is G/(G − 1)). The Wald statistic: d = (pA − pB)[:2], W = d @ solve((vA + vB)[:2, :2], d),
// `scipy.stats.chi2.sf(W, 2)`.
private let first = [[3, 1, 0], [0, 2, 2], [5, 0, 1], [1, 1, 1], [0, 0, 4], [2, 3, 0]]
private let second = [[1, 0, 2], [4, 1, 0], [0, 3, 1], [2, 2, 2], [1, 0, 0]]

private func moments(_ clusters: [[Int]]) -> ClusteredCategoryMoments {
    var m = ClusteredCategoryMoments(categories: 3)
    for c in clusters { m.addCluster(c) }
    return m
}

@Suite("Intervals: shares of categories over clusters")
struct ClusteredCategoryTests {
    @Test func covarianceMatchesTheMembersSandwich() throws {
        let m = moments(first)
        #expect(m.clusters == 6 && m.total == 26 && m.counts == [11, 7, 8])
        let expected: [[Double]] = [
            [0.02411155071601135, -0.007205630054970065, -0.016905920661041282],
            [-0.007205630054970065, 0.013135044291166275, -0.005929414236196211],
            [-0.016905920661041282, -0.005929414236196211, 0.02283533489723749],
        ]
        for k in 0..<3 {
            for l in 0..<3 { #expect(abs(try #require(m.covariance(k, l)) - expected[k][l]) < 1e-15) }
        }
        // A share is the ratio estimator of its category against the rest: the same variance.
        let share = try #require(m.share(1).ratio)
        #expect(abs(share.estimate - 7.0 / 26) < 1e-15 && abs(share.variance - 0.013135044291166261) < 1e-15)
    }

    @Test func waldTestMatchesNumPy() throws {
        let test = try #require(ClusteredCategoryMoments.homogeneity(moments(first), moments(second)))
        #expect(test.degreesOfFreedom == 2)
        #expect(abs(test.statistic - 0.10934560724374465) < 1e-12)
        #expect(abs(test.pValue - 0.9467948851355247) < 1e-12)
    }

    /// Moments of disjoint clusters add up; a category neither sample holds is left out of the test.
    @Test func momentsAddAndEmptyCategoriesDrop() throws {
        var whole = moments(Array(first[..<3]))
        whole.add(moments(Array(first[3...])))
        #expect(whole == moments(first))
        var a = ClusteredCategoryMoments(categories: 4)
        var b = ClusteredCategoryMoments(categories: 4)
        for c in first { a.addCluster(c + [0]) }
        for c in second { b.addCluster(c + [0]) }
        let test = try #require(ClusteredCategoryMoments.homogeneity(a, b))
        #expect(test.degreesOfFreedom == 2 && abs(test.statistic - 0.10934560724374465) < 1e-12)
        // One cluster: no spread between clusters to estimate from.
        #expect(ClusteredCategoryMoments.homogeneity(moments([[1, 2, 3]]), moments(second)) == nil)
    }
}
