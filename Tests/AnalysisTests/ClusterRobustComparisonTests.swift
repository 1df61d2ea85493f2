import Analysis
import Testing

// Reference values: statsmodels 0.15.0 with NumPy 2.4.6 (Python 3.11), printed with repr:
//
//     import numpy as np, statsmodels.api as sm
//     X = sm.add_constant(np.array(T, float))
//     r = sm.OLS(np.array(y, float), X).fit(cov_type="cluster", cov_kwds={"groups": np.array(g)})  # use_t False
//     r.params[1], r.bse[1], r.tvalues[1], r.pvalues[1], r.conf_int(0.05)[1]
//     # again with use_t=True (Student's t, r.df_resid_inference == 9 == G − 1)
//     sm.OLS(y, X).fit().bse[1]                                                                      # naive
//
// Tolerance 1e-9 relative: the same sums of thirty 0/1 outcomes in a different order, and p-values and quantiles
// from GSL against SciPy, which agree to about 1e-14 at these arguments.
@Suite("Experiments: cluster-robust two-arm comparison")
struct ClusterRobustComparisonTests {
    /// 30 users in 10 accounts of 1 to 5 users; accounts 1, 3, 4, 7 and 9 treated.
    static let clusters = [
        1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 5, 5, 5, 6, 6, 6, 6, 6, 7, 7, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10,
    ]
    static let treatedAccounts: Set = [1, 3, 4, 7, 9]
    static let treated = clusters.map { treatedAccounts.contains($0) }
    static let outcomes: [Double] = [
        1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0,
    ]

    @Test func matchesStatsmodelsWithTheNormalReference() throws {
        let c = try ClusterRobustComparison(clusters: Self.clusters, treated: Self.treated, outcomes: Self.outcomes)
        #expect(c.treatmentUsers == 14 && c.controlUsers == 16)
        #expect(c.treatmentClusters == 5 && c.controlClusters == 5)
        #expect(isNear(c.difference, 0.339285714285714))  // 5/7 − 3/8 = 19/56
        #expect(isNear(c.standardError, 0.22142178998693188))
        #expect(isNear(c.statistic, 1.532304992682691))
        #expect(isNear(c.pValue, 0.12544718965419469))
        #expect(isNear(c.interval?.lowerBound, -0.09469301948106401))
        #expect(isNear(c.interval?.upperBound, 0.7732644480524921))
        #expect(c.degreesOfFreedom == nil)
        #expect(isNear(c.naiveStandardError, 0.1777724472546728))
    }

    @Test func matchesStatsmodelsWithStudentT() throws {
        let c = try ClusterRobustComparison(
            clusters: Self.clusters, treated: Self.treated, outcomes: Self.outcomes, reference: .studentT)
        #expect(c.degreesOfFreedom == 9)
        #expect(isNear(c.standardError, 0.22142178998693188))
        #expect(isNear(c.pValue, 0.1598105615220105))
        #expect(isNear(c.interval?.lowerBound, -0.16160517393282375))
        #expect(isNear(c.interval?.upperBound, 0.8401766025042519))
    }

    /// By hand. Treated mean 10/14 = 5/7: account residual sums S − m·5/7 are −1/7, 1/7, 2/7, −10/7, 8/7, squares
    /// summing to 170/49. Control mean 6/16 = 3/8: −3/4, −1/8, 17/8, −1/8, −9/8, squares summing to 51/8.
    /// V_CR1 = (10/9)(29/28)[(170/49)/14² + (51/8)/16²]. Residual sum of squares 14·(5/7)(2/7) + 16·(3/8)(5/8) =
    /// 185/28, so V_naive = (185/28)/28 · (1/14 + 1/16). Their ratio is 6075239/3916080 (Python's fractions).
    /// ANOVA: MSC = 0.3821428571428572, MSW = 0.1775, m₀ = 2.9017857142857144 and ρ̂ = 0.28434078714759786, from
    /// the formulas in the type's documentation evaluated with NumPy.
    @Test func designEffectAndIntraclassCorrelationByHand() throws {
        let c = try ClusterRobustComparison(clusters: Self.clusters, treated: Self.treated, outcomes: Self.outcomes)
        let robust = 10.0 / 9 * 29 / 28 * (170.0 / 49 / 196 + 51.0 / 8 / 256)
        let naive = 185.0 / 28 / 28 * (1.0 / 14 + 1.0 / 16)
        #expect(isNear(c.standardError * c.standardError, robust))
        #expect(isNear(c.naiveStandardError * c.naiveStandardError, naive))
        #expect(isNear(c.designEffect, 6_075_239.0 / 3_916_080))
        #expect(isNear(c.designEffect, 1.5513572245715102))  // r.bse[1]**2 / naive.bse[1]**2 in statsmodels
        #expect(c.meanClusterSize == 3)
        #expect(isNear(c.adjustedClusterSize, 2.9017857142857144))
        #expect(isNear(c.intraclassCorrelation, 0.28434078714759786))
        #expect(isNear(c.kishDesignEffect, 1.5686815742951956))  // 1 + 2ρ̂
    }

    @Test func rejectsAnAccountInBothArms() {
        var mixed = Self.treated
        mixed[0].toggle()
        #expect(throws: ExperimentError.self) {
            try ClusterRobustComparison(clusters: Self.clusters, treated: mixed, outcomes: Self.outcomes)
        }
        #expect(
            throws: ExperimentError.insufficientData(
                "each arm needs at least two clusters (treatment has 1, control 1)")
        ) {
            try ClusterRobustComparison(
                clusters: [1, 1, 2, 2], treated: [true, true, false, false], outcomes: [1, 0, 0, 1])
        }
    }
}
