import Stats

/// Sums over clusters (accounts) behind the shares of K categories: per cluster a, yₐₖ of its nₐ = Σₖ yₐₖ members in
/// category k (the users of an account in each segment on one day, or at each stage of a funnel). The shares
/// p̂ₖ = Σₐ yₐₖ / Σₐ nₐ are ratio estimators; their covariance is the linearisation (sandwich) one, which respects that
/// the members of a cluster are not independent. Moments of disjoint sets of clusters add up.
public struct ClusteredCategoryMoments: Codable, Sendable, Equatable {
    public let categories: Int
    /// Clusters with at least one member (G).
    public private(set) var clusters = 0
    /// Σₐ yₐₖ per category, and Σₐ nₐ.
    public private(set) var counts: [Int]
    public private(set) var total = 0
    /// `[k * categories + l]`: Σₐ yₐₖ yₐₗ; then Σₐ yₐₖ nₐ and Σₐ nₐ².
    private var countProducts: [Int]
    private var mixedProducts: [Int]
    private var totalProducts = 0

    public init(categories: Int) {
        precondition(categories >= 1)
        self.categories = categories
        counts = Array(repeating: 0, count: categories)
        countProducts = Array(repeating: 0, count: categories * categories)
        mixedProducts = counts
    }

    /// Adds one cluster: its members in each category.
    public mutating func addCluster(_ members: [Int]) {
        precondition(members.count == categories && members.allSatisfy { $0 >= 0 })
        let n = members.reduce(0, +)
        guard n > 0 else { return }
        clusters += 1
        total += n
        totalProducts += n * n
        for k in 0..<categories where members[k] > 0 {
            counts[k] += members[k]
            mixedProducts[k] += members[k] * n
            for l in 0..<categories where members[l] > 0 {
                countProducts[k * categories + l] += members[k] * members[l]
            }
        }
    }

    /// Adds the moments of other clusters over the same categories.
    public mutating func add(_ other: ClusteredCategoryMoments) {
        precondition(categories == other.categories)
        clusters += other.clusters
        total += other.total
        totalProducts += other.totalProducts
        for k in 0..<categories {
            counts[k] += other.counts[k]
            mixedProducts[k] += other.mixedProducts[k]
        }
        for i in countProducts.indices { countProducts[i] += other.countProducts[i] }
    }

    /// Category k against the rest, as a ratio of clustered trials (for ``ProportionInterval/clustered(_:confidence:)``).
    public func share(_ k: Int) -> ClusteredRatioMoments {
        ClusteredRatioMoments(
            strata: 1, clusters: clusters, successes: [counts[k]], trials: [total],
            successProducts: [countProducts[k * categories + k]], mixedProducts: [mixedProducts[k]],
            trialProducts: [totalProducts])
    }

    /// The cluster-robust covariance of p̂ₖ and p̂ₗ, G/(G − 1) · Σₐ φₐₖ φₐₗ with φₐₖ = (yₐₖ − p̂ₖ nₐ)/N, N = Σₐ nₐ: the
    /// linearisation variance of ``ClusteredRatioMoments/combination(_:)`` extended to pairs of categories. `nil` with
    /// fewer than two clusters.
    public func covariance(_ k: Int, _ l: Int) -> Double? {
        guard clusters >= 2 else { return nil }
        let n = Double(total)
        let pk = Double(counts[k]) / n
        let pl = Double(counts[l]) / n
        let terms = [
            Double(countProducts[k * categories + l]), -pl * Double(mixedProducts[k]), -pk * Double(mixedProducts[l]),
            pk * pl * Double(totalProducts),
        ]
        var sum = terms.reduce(0, +)
        // A cluster whose members all sit in one category leaves φ = 0 exactly; keep its rounding residue out.
        if abs(sum) <= 1e-12 * terms.reduce(0, { $0 + abs($1) }) { sum = 0 }
        let g = Double(clusters)
        return sum / (n * n) * g / (g - 1)
    }

    /// The Wald test that two independent samples (disjoint clusters) have the same shares: with d the differences
    /// of the shares over the categories either sample holds, but the last (the shares sum to 1), and V the sum of
    /// the two cluster-robust covariance matrices, W = dᵀ V⁻¹ d is χ² on (categories held − 1) degrees of freedom
    /// (the design-based Wald test of homogeneity; Rao and Thomas 1989, "Chi-squared tests for contingency tables",
    /// in Analysis of Complex Surveys, Wiley). `nil` when fewer than two categories are held, a sample has fewer
    /// than two clusters, or V is singular.
    public static func homogeneity(
        _ first: ClusteredCategoryMoments, _ second: ClusteredCategoryMoments
    ) -> (statistic: Double, degreesOfFreedom: Int, pValue: Double)? {
        precondition(first.categories == second.categories)
        let held = (0..<first.categories).filter { first.counts[$0] + second.counts[$0] > 0 }
        guard held.count >= 2, first.total > 0, second.total > 0 else { return nil }
        let used = Array(held.dropLast())
        var v = Matrix(rows: used.count, columns: used.count)
        var d = [Double](repeating: 0, count: used.count)
        for (i, k) in used.enumerated() {
            d[i] = Double(first.counts[k]) / Double(first.total) - Double(second.counts[k]) / Double(second.total)
            for (j, l) in used.enumerated() {
                guard let a = first.covariance(k, l), let b = second.covariance(k, l) else { return nil }
                v[i, j] = a + b
            }
        }
        guard let solved = try? v.choleskySolve(d) else { return nil }
        let statistic = zip(d, solved).reduce(0) { $0 + $1.0 * $1.1 }
        guard let p = try? ChiSquared(degreesOfFreedom: used.count).survival(statistic) else { return nil }
        return (statistic, used.count, p)
    }
}
