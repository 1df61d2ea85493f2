import UsageModel

/// What a run of L days without a session contributes to a persona's forward–backward, for every L at once.
///
/// After a user's last active day every day is silent, and a silent day's emission is the same for every user, so
/// the chain over such a run is driven by one matrix, M = A·diag(b₀) (A the persona's transitions — at habit level 0
/// under habit feedback, where a run of silent days ends up — b₀ the chance of no session in each state, 1 for
/// churned). Writing α̂ for the filtered distribution on the last active day, the
/// run's likelihood and expected counts are linear in α̂:
///
/// - P(next L days silent | state h) = β⁽ᴸ⁾_h, with β⁽⁰⁾ = 1 and β⁽ᴸ⁾ = M β⁽ᴸ⁻¹⁾;
/// - Σ over the run of P(state i on a day, state j the next) = Σ_h α̂_h Q⁽ᴸ⁾[h, i, j] / (α̂·β⁽ᴸ⁾), with
///   Q⁽ᴸ⁾[h, i, j] = Σ_{m<L} (Mᵐ)_{hi} M_{ij} β⁽ᴸ⁻¹⁻ᵐ⁾_j, so Q⁽ᴸ⁾[h, i, j] = δ_{hi} M_{ij} β⁽ᴸ⁻¹⁾_j + Σ_g M_{hg} Q⁽ᴸ⁻¹⁾[g, i, j];
/// - Σ over the run's days of P(state i) = Σ_h α̂_h R⁽ᴸ⁾[h, i] / (α̂·β⁽ᴸ⁾), with R⁽ᴸ⁾[h, i] = Σ_{1≤m≤L} (Mᵐ)_{hi}
///   β⁽ᴸ⁻ᵐ⁾_i, so R⁽ᴸ⁾[h, i] = M_{hi} β⁽ᴸ⁻¹⁾_i + Σ_g M_{hg} R⁽ᴸ⁻¹⁾[g, i].
///
/// Only live h, i are kept (from churned no live state is reachable, so those entries are 0). Building the tables
/// costs O(L_max · S³(S + 1)) per persona and iteration; each user's run then costs O(S²(S + 1)) instead of
/// O(L (S + 1)²), which matters because most user-days of a year-long log lie after the user's last session.
struct SilentRunTables: Sendable {
    /// The most numbers one persona's tables may hold (64 MiB): enough for 8 live states over 10 years of days;
    /// beyond it the runs are passed day by day instead.
    static let largestSize = 8 << 20

    /// Numbers held by one persona's tables.
    static func size(liveStates live: Int, longestRun: Int) -> Int {
        (longestRun + 1) * (live + 1 + live * live + live * live * (live + 1))
    }

    /// β⁽ᴸ⁾ at `L · (S + 1)`.
    let silentLikelihood: Column<Double>
    /// R⁽ᴸ⁾[h, i] at `(L · S + h) · S + i`.
    let stateDays: Column<Double>
    /// Q⁽ᴸ⁾[h, i, j] at `((L · S + h) · S + i) · (S + 1) + j`.
    let transitionDays: Column<Double>

    /// Tables of a persona's chain with transition matrix `transitions` ((S + 1)², row-major).
    init(transitions a: [Double], silentDay: [Double], longestRun: Int) {
        let n = silentDay.count
        let live = n - 1
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                m[i * n + j] = a[i * n + j] * silentDay[j]
            }
        }
        let runs = longestRun + 1
        var beta = [Double](repeating: 1, count: runs * n)
        var r = [Double](repeating: 0, count: runs * live * live)
        var q = [Double](repeating: 0, count: runs * live * live * n)
        let qBlock = live * live * n
        for length in stride(from: 1, to: runs, by: 1) {
            let previousBeta = (length - 1) * n
            for h in 0..<n {
                var sum = 0.0
                for j in 0..<n { sum += m[h * n + j] * beta[previousBeta + j] }
                beta[length * n + h] = sum
            }
            let rNow = length * live * live
            let rBefore = (length - 1) * live * live
            let qNow = length * qBlock
            let qBefore = (length - 1) * qBlock
            for h in 0..<live {
                for i in 0..<live {
                    var sum = m[h * n + i] * beta[previousBeta + i]
                    for g in 0..<live { sum += m[h * n + g] * r[rBefore + g * live + i] }
                    r[rNow + h * live + i] = sum
                    for j in 0..<n {
                        var total = h == i ? m[i * n + j] * beta[previousBeta + j] : 0
                        for g in 0..<live { total += m[h * n + g] * q[qBefore + (g * live + i) * n + j] }
                        q[qNow + (h * live + i) * n + j] = total
                    }
                }
            }
        }
        silentLikelihood = Column(beta)
        stateDays = Column(r)
        transitionDays = Column(q)
    }
}
