import Stats

/// Treatment mean minus control mean when whole clusters (accounts) were randomised, with the cluster-robust
/// standard error, the naive one beside it, the design effect and the intraclass correlation.
///
/// Users of one account share a plan, a team and often a decision to stay, so their outcomes are correlated and
/// the account, not the user, is the unit of randomisation. The naive standard error treats every user as an
/// independent draw and is too small by the square root of the design effect.
///
/// With Tᵢ = 1 for treatment and 0 for control, the estimate is the slope of the least-squares fit yᵢ = α + τTᵢ + eᵢ,
/// τ̂ = ȳ₁ − ȳ₀, with residuals eᵢ = yᵢ − ȳ (the mean of the user's own arm). Writing Eᵍ = Σ_{i∈g} eᵢ for the
/// residual sum of cluster g, nₐ for the users of arm a, G for the clusters and N for the users:
///
/// - **Cluster-robust variance (CR1)**, the sandwich of Liang and Zeger (1986, "Longitudinal data analysis using
///   generalized linear models", Biometrika 73(1) 13–22) with the small-sample factor statsmodels applies for
///   `cov_type="cluster"` (statsmodels 0.15.0, `sandwich_covariance.cov_cluster` with `use_correction=True`):
///
///       V_CR1 = G/(G − 1) · (N − 1)/(N − 2) · [ Σ_{g∈treatment} (Eᵍ/n₁)² + Σ_{g∈control} (Eᵍ/n₀)² ]
///
///   The bracket is the τ element of (XᵀX)⁻¹ (Σ_g X_gᵀe_g e_gᵀX_g) (XᵀX)⁻¹ for X = [1, T] when every cluster lies
///   in one arm, and N − 2 is N minus the two coefficients.
/// - **Naive variance**, ordinary least squares with independent, equal-variance errors (statsmodels'
///   `nonrobust`): s²(1/n₁ + 1/n₀) with s² = Σeᵢ²/(N − 2), the pooled two-sample t variance.
/// - **Design effect** V_CR1 / V_naive: how many times the naive variance understates the variance of τ̂.
/// - **Intraclass correlation ρ̂**, the one-way analysis-of-variance estimator with clusters nested in arms, as
///   Donner and Klar give it for completely randomised cluster trials (2000, "Design and Analysis of Cluster
///   Randomization Trials in Health Research", Arnold): with ȳ_g a cluster's mean and m_g its size,
///
///       MSC = Σ_g m_g (ȳ_g − ȳ_arm)² / (G − 2)          between clusters, within arms
///       MSW = Σᵢ (yᵢ − ȳ_g)² / (N − G)                   within clusters
///       m₀  = (N − Σ_arms Σ_{g∈arm} m_g² / n_arm) / (G − 2)
///       ρ̂   = (MSC − MSW) / (MSC + (m₀ − 1) MSW)
///
///   m₀ is the mean cluster size adjusted for unequal sizes (it equals m when all clusters have m users). ρ̂ can be
///   negative in small samples. With equal cluster sizes m the design effect is about 1 + (m − 1)ρ (Kish 1965,
///   "Survey Sampling", Wiley), reported as ``kishDesignEffect`` with the mean cluster size in place of m.
///
/// The reference distribution for the test and interval is the standard normal by default, as statsmodels uses for
/// `OLS(...).fit(cov_type="cluster", cov_kwds={"groups": g})` (its `use_t=False`); ``Reference/studentT`` uses
/// Student's t with G − 1 degrees of freedom, as statsmodels does with `use_t=True`, the safer choice with few
/// clusters.
public struct ClusterRobustComparison: Sendable, Hashable, Codable {
    /// The distribution the statistic τ̂/SE is referred to.
    public enum Reference: String, Sendable, Hashable, Codable {
        /// Standard normal (statsmodels' default for cluster-robust covariances).
        case normal
        /// Student's t with G − 1 degrees of freedom.
        case studentT
    }

    public let treatmentUsers: Int
    public let controlUsers: Int
    public let treatmentClusters: Int
    public let controlClusters: Int
    public let treatmentMean: Double
    public let controlMean: Double
    /// τ̂ = ȳ₁ − ȳ₀.
    public let difference: Double
    /// Level of ``interval``.
    public let confidence: Double
    public let reference: Reference
    /// G − 1 for ``Reference/studentT``; `nil` for the normal reference.
    public let degreesOfFreedom: Int?
    /// √V_CR1.
    public let standardError: Double
    /// τ̂ / ``standardError``; `nil`, like ``pValue`` and ``interval``, when the standard error is 0.
    public let statistic: Double?
    /// Two-sided, 2 P[|Z| > |statistic|] under ``reference``.
    public let pValue: Double?
    /// τ̂ ± q(1 − α/2) × ``standardError``, q the quantile of ``reference``.
    public let interval: ClosedRange<Double>?
    /// √V_naive, the standard error that ignores the clusters.
    public let naiveStandardError: Double
    /// V_CR1 / V_naive; `nil` when the naive variance is 0 (every outcome equals its arm's mean).
    public let designEffect: Double?
    /// N / G.
    public let meanClusterSize: Double
    /// m₀, the size-adjusted mean cluster size of the ANOVA estimator.
    public let adjustedClusterSize: Double
    /// ρ̂; `nil` when every cluster has one user (no within-cluster variation to compare with) or the
    /// denominator is 0 (constant outcomes).
    public let intraclassCorrelation: Double?
    /// 1 + (N/G − 1) ρ̂, the design effect ρ̂ implies for clusters of the mean size; `nil` with ρ̂.
    public let kishDesignEffect: Double?

    /// - Parameters:
    ///   - clusters: Each user's cluster (account) id; every user of a cluster must be in the same arm.
    ///   - treated: Whether each user is in the treatment arm (else control).
    ///   - outcomes: Each user's outcome (0/1 for a rate, or any finite value).
    ///   - confidence: Level of ``interval``, in (0, 1).
    ///   - reference: The distribution for the p-value and interval.
    /// - Throws: ``ExperimentError/invalidArgument(_:)`` for arrays of different lengths, a non-finite outcome, a
    ///   cluster with users in both arms or a level outside (0, 1); ``ExperimentError/insufficientData(_:)`` when
    ///   an arm has fewer than two clusters (with one, its residuals sum to 0 and it would add no variance).
    public init<ClusterID: Hashable>(
        clusters: [ClusterID], treated: [Bool], outcomes: [Double], confidence: Double = 0.95,
        reference: Reference = .normal
    ) throws {
        try ExperimentError.checkConfidence(confidence)
        guard treated.count == clusters.count, outcomes.count == clusters.count else {
            throw ExperimentError.invalidArgument(
                "each user needs a cluster, an arm and an outcome (got \(clusters.count), \(treated.count) and"
                    + " \(outcomes.count))")
        }
        if let bad = outcomes.firstIndex(where: { !$0.isFinite }) {
            throw ExperimentError.invalidArgument("user \(bad)'s outcome is \(outcomes[bad]); it must be finite")
        }
        // Clusters numbered in order of first appearance, so every sum below runs in the users' order.
        var index: [ClusterID: Int] = [:]
        var clusterOf = [Int](repeating: 0, count: clusters.count)
        var clusterArm: [Bool] = []
        for (i, id) in clusters.enumerated() {
            if let g = index[id] {
                guard clusterArm[g] == treated[i] else {
                    throw ExperimentError.invalidArgument(
                        "cluster \(id) has users in both arms (user \(i)); randomise whole clusters")
                }
                clusterOf[i] = g
            } else {
                index[id] = clusterArm.count
                clusterOf[i] = clusterArm.count
                clusterArm.append(treated[i])
            }
        }
        let g1 = clusterArm.count(where: { $0 })
        let g0 = clusterArm.count - g1
        guard g1 >= 2, g0 >= 2 else {
            throw ExperimentError.insufficientData(
                "each arm needs at least two clusters (treatment has \(g1), control \(g0))")
        }
        let (groups, n) = (clusterArm.count, outcomes.count)

        var armCount = [0, 0]
        var armSum = [0.0, 0.0]
        var size = [Int](repeating: 0, count: groups)
        var clusterSum = [Double](repeating: 0, count: groups)
        for i in 0..<n {
            let a = treated[i] ? 1 : 0
            armCount[a] += 1
            armSum[a] += outcomes[i]
            size[clusterOf[i]] += 1
            clusterSum[clusterOf[i]] += outcomes[i]
        }
        let armMean = [armSum[0] / Double(armCount[0]), armSum[1] / Double(armCount[1])]
        let clusterMean = (0..<groups).map { clusterSum[$0] / Double(size[$0]) }

        // Residual sums per cluster, and the within-cluster and residual sums of squares.
        var residualSum = [Double](repeating: 0, count: groups)
        var residualSquares = 0.0
        var withinSquares = 0.0
        for i in 0..<n {
            let (g, a) = (clusterOf[i], treated[i] ? 1 : 0)
            let residual = outcomes[i] - armMean[a]
            residualSum[g] += residual
            residualSquares += residual * residual
            let within = outcomes[i] - clusterMean[g]
            withinSquares += within * within
        }
        var meat = 0.0
        var betweenSquares = 0.0
        var squaredSizeShares = 0.0
        for g in 0..<groups {
            let a = clusterArm[g] ? 1 : 0
            let share = residualSum[g] / Double(armCount[a])
            meat += share * share
            let gap = clusterMean[g] - armMean[a]
            betweenSquares += Double(size[g]) * gap * gap
            squaredSizeShares += Double(size[g] * size[g]) / Double(armCount[a])
        }
        let (gd, nd) = (Double(groups), Double(n))
        let robustVariance = meat * gd / (gd - 1) * (nd - 1) / (nd - 2)
        let naiveVariance = residualSquares / (nd - 2) * (1 / Double(armCount[1]) + 1 / Double(armCount[0]))

        treatmentUsers = armCount[1]
        controlUsers = armCount[0]
        treatmentClusters = g1
        controlClusters = g0
        treatmentMean = armMean[1]
        controlMean = armMean[0]
        difference = armMean[1] - armMean[0]
        self.confidence = confidence
        self.reference = reference
        standardError = robustVariance.squareRoot()
        naiveStandardError = naiveVariance.squareRoot()
        designEffect = naiveVariance > 0 ? robustVariance / naiveVariance : nil
        let meanSize = nd / gd
        meanClusterSize = meanSize

        let m0 = (nd - squaredSizeShares) / (gd - 2)
        adjustedClusterSize = m0
        var rho: Double? = nil
        if n > groups {
            let msc = betweenSquares / (gd - 2)
            let msw = withinSquares / (nd - gd)
            let denominator = msc + (m0 - 1) * msw
            rho = denominator > 0 ? (msc - msw) / denominator : nil
        }
        intraclassCorrelation = rho
        kishDesignEffect = rho.map { 1 + (meanSize - 1) * $0 }

        let upper = 1 - (1 - confidence) / 2
        let (critical, tail): (Double, Double)
        let statistic = difference / standardError
        switch reference {
        case .normal:
            degreesOfFreedom = nil
            let normal = try Normal(mean: 0, sd: 1)
            (critical, tail) = (try normal.quantile(upper), normal.survival(abs(statistic)))
        case .studentT:
            degreesOfFreedom = groups - 1
            let t = try StudentT(degreesOfFreedom: groups - 1)
            (critical, tail) = (try t.quantile(upper), t.survival(abs(statistic)))
        }
        let se = standardError
        if se > 0 {
            self.statistic = statistic
            pValue = min(1, 2 * tail)
            interval = (difference - critical * se)...(difference + critical * se)
        } else {
            (self.statistic, pValue, interval) = (nil, nil, nil)
        }
    }
}
