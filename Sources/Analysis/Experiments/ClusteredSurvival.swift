import Stats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Kaplan–Meier curves and the log-rank test when subjects come in clusters whose survival times are not independent
/// (the users of one account sign up on one day and share a persona): variances from each cluster's summed
/// influence, the infinitesimal jackknife (Lin and Wei 1989; Williams 1995, "Product-limit survival functions with
/// correlated survival times", Lifetime Data Analysis 1), as R's `survival` computes them with a `cluster` term. With
/// every subject a cluster of its own they are close to Greenwood's variance and the log-rank test's, not equal.
public enum ClusteredSurvival {
    /// Ŝ(t) with its robust standard error and pointwise interval.
    public typealias Point = (survival: Double, standardError: Double, lower: Double, upper: Double)

    /// Ŝ(t) at each of `times` with its robust standard error and log-log interval; `nil` where Ŝ(t) = 1 with no
    /// event yet (no variance) or Ŝ(t) = 0 (the log-log interval is undefined).
    ///
    /// The influence of subject i on log Ŝ(t) = Σ_{tⱼ ≤ t} log(1 − dⱼ/nⱼ) is
    /// Σ_{tⱼ ≤ min(Tᵢ, t)} dⱼ/(nⱼ(nⱼ − dⱼ)) − δᵢ·[Tᵢ ≤ t]/(n(Tᵢ) − d(Tᵢ)); the variance of log Ŝ(t) is the sum over
    /// clusters of their subjects' influences, squared.
    ///
    /// - Parameters:
    ///   - clusters: the cluster of each observation (any integers; equal means one cluster).
    /// - Throws: the errors of ``KaplanMeier``; ``ExperimentError/invalidArgument(_:)`` when `clusters` does not
    ///   have one entry per observation.
    public static func curve(
        _ observations: [SurvivalObservation], clusters: [Int], at times: [Double], confidence: Double = 0.95
    ) throws -> [Point?] {
        guard clusters.count == observations.count else {
            throw ExperimentError.invalidArgument(
                "\(clusters.count) cluster labels for \(observations.count) survival observations")
        }
        let z = try ExperimentError.normalCritical(confidence)
        let table = try EventTable(groups: [observations])
        let dense = Self.denseLabels(clusters)
        let positions = observations.map { table.eventsUpTo($0.time) }
        var sums = [Double](repeating: 0, count: dense.count)
        return times.map { t in
            let q = table.eventsUpTo(t)
            guard q > 0 else { return nil }
            let survival = table.survival[q - 1]
            guard survival > 0, table.greenwood[q - 1].isFinite else { return nil }
            for c in sums.indices { sums[c] = 0 }
            for (i, observation) in observations.enumerated() {
                let p = positions[i]
                let m = min(p, q)
                var influence = m > 0 ? table.greenwood[m - 1] : 0
                if observation.event, p <= q {
                    influence -= 1 / Double(table.atRisk[p - 1] - table.events[p - 1])
                }
                sums[dense.labels[i]] += influence
            }
            let variance = sums.reduce(0) { $0 + $1 * $1 }
            let standardError = survival * variance.squareRoot()
            guard survival < 1, variance > 0 else {
                return (survival, standardError, survival, survival)
            }
            let spread = z * variance.squareRoot() / abs(log(survival))
            return (survival, standardError, max(0, pow(survival, exp(spread))), min(1, pow(survival, exp(-spread))))
        }
    }

    /// The median time with its interval by Brookmeyer and Crowley (1982), as ``KaplanMeier/median`` defines them,
    /// from the robust pointwise intervals of ``curve(_:clusters:at:confidence:)`` at every event time.
    public static func median(
        _ observations: [SurvivalObservation], clusters: [Int], confidence: Double = 0.95
    ) throws -> (estimate: Double?, lower: Double?, upper: Double?) {
        let times = try EventTable(groups: [observations]).times
        let points = try curve(observations, clusters: clusters, at: times, confidence: confidence)
        // Where the robust interval is undefined (Ŝ = 0) it is read as the point itself.
        func first(_ bound: (Point?) -> Double) -> Double? { zip(times, points).first { bound($0.1) <= 0.5 }?.0 }
        return (first { $0?.survival ?? 0 }, first { $0?.lower ?? 0 }, first { $0?.upper ?? 0 })
    }

    /// The log-rank test of two groups with a robust variance: the score U = Σⱼ (d₁ⱼ − dⱼ n₁ⱼ/nⱼ) of the first
    /// group, and the sum over clusters of their subjects' score residuals
    /// Uᵢ = δᵢ (Zᵢ − Z̄(Tᵢ)) − Σ_{tⱼ ≤ Tᵢ} (Zᵢ − Z̄(tⱼ)) dⱼ/nⱼ, squared (Z̄(t) the first group's share of the risk
    /// set), as the robust score test of a Cox model with Breslow ties at β = 0 (Lin and Wei 1989, "The robust
    /// inference for the Cox proportional hazards model", JASA 84). U²/V is χ² on 1 degree of freedom. The
    /// groups' clusters are taken as distinct even where their labels coincide.
    ///
    /// - Throws: the errors of ``LogRankTest``; ``ExperimentError/insufficientData(_:)`` when the robust variance
    ///   is 0.
    public static func logRank(
        _ first: [SurvivalObservation], clusters firstClusters: [Int], _ second: [SurvivalObservation],
        clusters secondClusters: [Int]
    ) throws -> (statistic: Double, pValue: Double) {
        guard firstClusters.count == first.count, secondClusters.count == second.count else {
            throw ExperimentError.invalidArgument("one cluster label per survival observation is needed")
        }
        let table = try EventTable(groups: [first, second])
        let firstLabels = Self.denseLabels(firstClusters)
        let secondLabels = Self.denseLabels(secondClusters)
        var sums = [Double](repeating: 0, count: firstLabels.count + secondLabels.count)
        func add(_ observations: [SurvivalObservation], z: Double, labels: [Int], offset: Int) {
            for (i, observation) in observations.enumerated() {
                let p = table.eventsUpTo(observation.time)
                var residual = 0.0
                if p > 0 {
                    residual -= z * table.hazard[p - 1] - table.weightedHazard[p - 1]
                    if observation.event, table.times[p - 1] == observation.time {
                        residual += z - table.firstShare[p - 1]
                    }
                }
                sums[offset + labels[i]] += residual
            }
        }
        add(first, z: 1, labels: firstLabels.labels, offset: 0)
        add(second, z: 0, labels: secondLabels.labels, offset: firstLabels.count)
        let score = sums.reduce(0, +)
        let variance = sums.reduce(0) { $0 + $1 * $1 }
        guard variance > 0 else {
            throw ExperimentError.insufficientData("the robust variance of the log-rank score is 0")
        }
        let statistic = score * score / variance
        return (statistic, try ChiSquared(degreesOfFreedom: 1).survival(statistic))
    }

    /// Labels 0..<count in order of first appearance.
    static func denseLabels(_ clusters: [Int]) -> (labels: [Int], count: Int) {
        var index: [Int: Int] = [:]
        let labels = clusters.map { c in
            if let i = index[c] { return i }
            index[c] = index.count
            return index.count - 1
        }
        return (labels, index.count)
    }

    /// The distinct event times of one or two groups with their cumulative sums.
    private struct EventTable {
        var times: [Double] = []
        var atRisk: [Int] = []
        var events: [Int] = []
        /// Ŝ just after each event time, and Σ_{k ≤ j} dₖ/(nₖ(nₖ − dₖ)) (infinite once nₖ = dₖ).
        var survival: [Double] = []
        var greenwood: [Double] = []
        /// Σ_{k ≤ j} dₖ/nₖ and Σ_{k ≤ j} Z̄ₖ dₖ/nₖ; Z̄ⱼ the first group's share of the risk set at tⱼ.
        var hazard: [Double] = []
        var weightedHazard: [Double] = []
        var firstShare: [Double] = []

        init(groups: [[SurvivalObservation]]) throws {
            let rows = try DistinctTimes(groups: groups)
            var risk = rows.groupSizes
            var s = 1.0
            var g = 0.0
            var h = 0.0
            var w = 0.0
            for row in rows.rows {
                let d = row.events.reduce(0, +)
                let n = risk.reduce(0, +)
                if d > 0 {
                    let share = Double(risk[0]) / Double(n)
                    s *= 1 - Double(d) / Double(n)
                    g += n > d ? Double(d) / (Double(n) * Double(n - d)) : .infinity
                    h += Double(d) / Double(n)
                    w += share * Double(d) / Double(n)
                    times.append(row.time)
                    atRisk.append(n)
                    events.append(d)
                    survival.append(s)
                    greenwood.append(g)
                    hazard.append(h)
                    weightedHazard.append(w)
                    firstShare.append(share)
                }
                for k in risk.indices { risk[k] -= row.events[k] + row.censored[k] }
            }
        }

        /// The number of event times at or before `t`.
        func eventsUpTo(_ t: Double) -> Int {
            var low = 0
            var high = times.count
            while low < high {
                let mid = (low + high) / 2
                if times[mid] <= t { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }
}
