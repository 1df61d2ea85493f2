#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The M-step for a negative binomial dispersion: the k that maximises the expected log-likelihood of a state's
/// session counts, each day weighted by the posterior probability of the state.
///
/// For a fixed k the weighted mean is the maximum-likelihood mean (the score in μ is Σ wᵢ k(yᵢ − μ)/(μ(k + μ))), so
/// the mean is set in closed form and k by a one-dimensional search on log k. The weights enter only through the
/// expected number of days with each session count, so the search costs O(largest count) per evaluation whatever
/// the number of users.
struct DispersionEstimate {
    /// The range searched. Below 10⁻³ a state would be almost all zeros and rare huge counts; above 10⁶ the
    /// negative binomial is indistinguishable from the Poisson at daily session counts (the scenario format's limit).
    static let range = 1e-3...1e6
    /// Points of the grid on log k that brackets the search before Brent's method refines it.
    static let gridPoints = 25

    let mean: Double
    /// Expected days with each session count: (count, weight) with count ≥ 0, ascending, weights > 0.
    let counts: [(value: Int, weight: Double)]

    /// The expected log-likelihood at dispersion k, without the terms that do not depend on k:
    /// Σ_y w_y [Σ_{j<y} log1p((j − μ)/(k + μ)) − k log1p(μ/k)] (see ``EmissionTables``).
    func logLikelihood(dispersion k: Double) -> Double {
        let mu = mean
        var total = 0.0
        var weight = 0.0
        var running = 0.0
        var j = 0
        for (value, w) in counts {
            while j < value {
                running += log1p((Double(j) - mu) / (k + mu))
                j += 1
            }
            total += w * running
            weight += w
        }
        return total - weight * k * log1p(mu / k)
    }

    /// The best dispersion on a grid of log k, refined by Brent's method between the grid's neighbours, or
    /// `current` if that is at least as good (so the M-step never lowers the expected log-likelihood).
    func maximize(from current: Double) -> Double {
        let low = log(Self.range.lowerBound)
        let high = log(Self.range.upperBound)
        let step = (high - low) / Double(Self.gridPoints - 1)
        let grid = (0..<Self.gridPoints).map { low + Double($0) * step }
        let values = grid.map { -logLikelihood(dispersion: exp($0)) }
        let best = values.indices.min { values[$0] < values[$1] } ?? 0
        let refined = BrentMinimizer.minimize(
            in: grid[max(0, best - 1)], grid[min(Self.gridPoints - 1, best + 1)], tolerance: 1e-8
        ) { -logLikelihood(dispersion: exp($0)) }
        let candidate = refined.value <= values[best] ? exp(refined.x) : exp(grid[best])
        return logLikelihood(dispersion: candidate) >= logLikelihood(dispersion: current) ? candidate : current
    }
}
