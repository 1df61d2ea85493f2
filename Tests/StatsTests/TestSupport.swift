import Stats

/// Relative closeness, with an optional absolute floor for values near 0.
func isClose(_ actual: Double, _ expected: Double, relative: Double = 1e-10, absolute: Double = 0) -> Bool {
    if actual == expected { return true }
    return abs(actual - expected) <= max(absolute, relative * abs(expected))
}

/// Draws per goodness-of-fit check. With a fixed seed each check is deterministic; a correct sampler would fail
/// the p > 1e-4 threshold for a given seed with probability 1e-4, so a failure here means a real discrepancy
/// (or, very rarely, an unlucky seed: try another before debugging).
let drawCount = 200_000

/// Significance threshold for the sampler checks (see ``drawCount``).
let minimumPValue = 1e-4

/// Pearson test of integer draws against a count distribution: one bin per value 0..<K with K = max draw + 1,
/// plus a last bin for everything ≥ K holding the exact tail mass, so the probabilities sum to 1.
func countFit(_ draws: [Int], _ distribution: some CountDistribution) throws -> ChiSquareTest {
    let tailStart = (draws.max() ?? 0) + 1
    var observed = [Int](repeating: 0, count: tailStart + 1)
    for draw in draws {
        observed[draw] += 1
    }
    var probabilities = (0..<tailStart).map { distribution.pmf($0) }
    probabilities.append(distribution.survival(tailStart - 1))
    return try GoodnessOfFit.chiSquare(observed: observed, expectedProbabilities: probabilities)
}

/// Pearson test of real draws against a continuous distribution, in `bins` bins whose edges are the
/// distribution's i/bins quantiles and whose probabilities are CDF differences at those edges.
func continuousFit(_ draws: [Double], _ distribution: some ContinuousDistribution, bins: Int = 50) throws
    -> ChiSquareTest
{
    let edges = try (1..<bins).map { try distribution.quantile(Double($0) / Double(bins)) }
    var probabilities: [Double] = []
    var previous = 0.0
    for edge in edges {
        let below = distribution.cdf(edge)
        probabilities.append(below - previous)
        previous = below
    }
    probabilities.append(distribution.survival(edges[edges.count - 1]))
    var observed = [Int](repeating: 0, count: bins)
    for draw in draws {
        // Bin i holds edges[i-1] < x ≤ edges[i]: count the edges strictly below x by binary search.
        var low = 0
        var high = edges.count
        while low < high {
            let mid = (low + high) / 2
            if edges[mid] < draw { low = mid + 1 } else { high = mid }
        }
        observed[low] += 1
    }
    return try GoodnessOfFit.chiSquare(observed: observed, expectedProbabilities: probabilities)
}
