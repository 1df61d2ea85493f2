#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The M-step of the transitions under habit feedback (``HabitFeedback``), which has no closed form.
///
/// Take one live row (persona k, state i) with base probabilities a_j of its moves j ≠ i and expected counts c_ℓj of
/// nights at habit level ℓ. A decline j ∈ D has probability a_j f_ℓ, any other move a_j, the stay
/// 1 − f_ℓ x_D − x_U with x_D = Σ_D a_j and x_U = Σ_U a_j, so the row's part of the expected log-likelihood is
///
///     Σ_{j ≠ i} N_j log a_j + Σ_ℓ d_ℓ log f_ℓ + Σ_ℓ m_ℓ log(1 − f_ℓ x_D − x_U),
///
/// with N_j = Σ_ℓ c_ℓj, d_ℓ = Σ_{j ∈ D} c_ℓj and m_ℓ = c_ℓi. For fixed (x_D, x_U) it is largest with a_j ∝ N_j within D and within U, which leaves a concave problem in two
/// variables, solved by Newton's method with halving steps inside the region where every level's stay is at least
/// 0 (f_max x_D + x_U ≤ 1, so the simulator's shrinking of rows never applies). The strength, shared by every row,
/// is then the maximum of the sum of the rows' maxima over [0, 0.999] (the scenario format's range) by Brent's method (a profile of a function of
/// one variable); the current strength is kept unless another does better, so the step never lowers the expected
/// log-likelihood (a generalised EM step).
struct HabitMaximization {
    /// One live row's statistics.
    struct Row {
        let from: Int
        /// N_j per move j (0 for the stay).
        let moves: [Double]
        let declines: [Bool]
        /// m_ℓ: expected stays per level.
        let stays: [Double]
        /// Expected declines per level: their probabilities carry log f_ℓ, which depends on the strength.
        let declinesPerLevel: [Double]
        var declineTotal: Double { zip(moves, declines).reduce(0) { $0 + ($1.1 ? $1.0 : 0) } }
        var otherTotal: Double { zip(moves, declines).reduce(0) { $0 + ($1.1 ? 0 : $1.0) } }
    }

    let rows: [Row]
    let habit: HabitFeedback
    let stateCount: Int

    /// The rows of every persona from the statistics at `counts` (layout `((k · H + ℓ) · S + i) · (S + 1) + j`).
    init(counts: ArraySlice<Double>, personas: Int, habit: HabitFeedback) {
        let live = habit.stateLevels.count
        let n = live + 1
        let levels = HabitFeedback.levels
        let base = counts.startIndex
        var rows: [Row] = []
        for k in 0..<personas {
            for i in 0..<live {
                var moves = [Double](repeating: 0, count: n)
                var stays = [Double](repeating: 0, count: levels)
                var declinesPerLevel = [Double](repeating: 0, count: levels)
                let declines = (0..<n).map { $0 != i && habit.isDecline(from: i, to: $0) }
                for l in 0..<levels {
                    let start = base + ((k * levels + l) * live + i) * n
                    for j in 0..<n {
                        if j == i { stays[l] += counts[start + j] } else { moves[j] += counts[start + j] }
                        if declines[j] { declinesPerLevel[l] += counts[start + j] }
                    }
                }
                rows.append(
                    Row(from: i, moves: moves, declines: declines, stays: stays, declinesPerLevel: declinesPerLevel))
            }
        }
        self.rows = rows
        self.habit = habit
        self.stateCount = n
    }

    /// The strength and each row's base probabilities (in row order, S + 1 entries each) that the M-step chooses;
    /// a row without expected nights is nil (it keeps its current values).
    func maximize() -> (strength: Double, rows: [[Double]?]) {
        func total(_ strength: Double) -> Double {
            var feedback = habit
            feedback.strength = strength
            return rows.reduce(0.0) { $0 + Self.best($1, feedback).value }
        }
        let found = BrentMinimizer.minimize(in: 0, HabitFeedback.strongest, tolerance: 1e-10) { -total($0) }
        var strength = habit.strength
        if -found.value > total(strength) { strength = found.x }
        var feedback = habit
        feedback.strength = strength
        return (strength, rows.map { Self.best($0, feedback).row })
    }

    /// The best base row for `row` at the habit's strength, and the row's expected log-likelihood there (without
    /// the constant).
    static func best(_ row: Row, _ habit: HabitFeedback) -> (row: [Double]?, value: Double) {
        let nD = row.declineTotal
        let nU = row.otherTotal
        let factors = (0..<HabitFeedback.levels).map { habit.declineFactor(level: $0) }
        let stays = row.stays
        let m = stays.reduce(0, +)
        guard nD + nU + m > 0 else { return (nil, 0) }
        let fMax = habit.largestFactor
        func value(_ x: Double, _ y: Double) -> Double {
            var v = (nD > 0 ? nD * log(x) : 0) + (nU > 0 ? nU * log(y) : 0)
            for l in stays.indices where stays[l] > 0 { v += stays[l] * log(1 - factors[l] * x - y) }
            return v
        }
        func feasible(_ x: Double, _ y: Double) -> Bool {
            (nD == 0 || x > 0) && (nU == 0 || y > 0) && fMax * x + y <= 1
                && stays.indices.allSatisfy { stays[$0] == 0 || 1 - factors[$0] * x - y > 0 }
        }
        var x: Double
        var y: Double
        if m == 0 {
            // No stays: the moves take everything, the constraint f_max x_D + x_U = 1 decides.
            x = nD / ((nD + nU) * fMax)
            y = nU / (nD + nU)
        } else {
            // Start where habit is neutral (f = 1), pulled inside the region.
            let moves = (nD + nU) / (nD + nU + m)
            x = moves * nD / max(nD + nU, .leastNormalMagnitude)
            y = moves * nU / max(nD + nU, .leastNormalMagnitude)
            let reach = fMax * x + y
            if reach >= 1 {
                x *= 0.5 / reach
                y *= 0.5 / reach
            }
            var current = value(x, y)
            for _ in 0..<100 {
                var gx = nD > 0 ? nD / x : 0
                var gy = nU > 0 ? nU / y : 0
                var hxx = nD > 0 ? -nD / (x * x) : 0
                var hyy = nU > 0 ? -nU / (y * y) : 0
                var hxy = 0.0
                for l in stays.indices where stays[l] > 0 {
                    let r = 1 - factors[l] * x - y
                    let f = factors[l]
                    gx -= stays[l] * f / r
                    gy -= stays[l] / r
                    let w = stays[l] / (r * r)
                    hxx -= w * f * f
                    hxy -= w * f
                    hyy -= w
                }
                // Newton's direction on the free coordinates (a coordinate with no moves stays at 0).
                var dx = 0.0
                var dy = 0.0
                if nD > 0 && nU > 0 {
                    let det = hxx * hyy - hxy * hxy
                    guard det > 0 else { break }
                    dx = -(hyy * gx - hxy * gy) / det
                    dy = -(hxx * gy - hxy * gx) / det
                } else if nD > 0 {
                    dx = -gx / hxx
                } else if nU > 0 {
                    dy = -gy / hyy
                }
                var step = 1.0
                var moved = false
                while step > 1e-20 {
                    let nx = x + step * dx
                    let ny = y + step * dy
                    if feasible(nx, ny) {
                        let candidate = value(nx, ny)
                        if candidate >= current {
                            moved = candidate > current || (nx == x && ny == y)
                            (x, y, current) = (nx, ny, candidate)
                            break
                        }
                    }
                    step *= 0.5
                }
                if !moved || abs(step * dx) + abs(step * dy) <= 1e-15 * (x + y) { break }
            }
        }
        var result = [Double](repeating: 0, count: row.moves.count)
        for j in result.indices where j != row.from {
            if row.declines[j] {
                result[j] = nD > 0 ? x * row.moves[j] / nD : 0
            } else {
                result[j] = nU > 0 ? y * row.moves[j] / nU : 0
            }
        }
        let others = result.reduce(0, +)
        result[row.from] = max(0, 1 - others)
        var total = value(x, y)
        for j in result.indices where j != row.from && row.moves[j] > 0 {
            total += row.moves[j] * log(row.moves[j] / (row.declines[j] ? nD : nU))
        }
        for l in factors.indices where row.declinesPerLevel[l] > 0 {
            total += row.declinesPerLevel[l] * log(factors[l])
        }
        return (result, total)
    }
}
