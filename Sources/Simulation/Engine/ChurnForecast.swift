import Stats
import UsageModel

/// When and how the simulator computes its own churn probabilities (the oracle): on which cutoff
/// days, for which horizon, with how many replicas of each user's horizon.
public struct ChurnForecastPlan: Sendable {
    public let days: [Int]
    public let horizon: Int
    public let replicas: Int

    /// 100 replicas: a probability's Monte Carlo standard error is at most √(p(1 − p)/100), 0.03 at
    /// p = 0.1, and in practice a few times less (see ``ChurnForecast``).
    public static let defaultReplicas = 100
    public static let replicaRange = 2...100_000

    public init(days: [Int], horizon: Int, replicas: Int = defaultReplicas) {
        precondition(horizon >= 1, "the horizon must be at least one day")
        precondition(Self.replicaRange.contains(replicas), "replicas must be in \(Self.replicaRange)")
        self.days = days.sorted()
        self.horizon = horizon
        self.replicas = replicas
    }
}

/// The simulator's own answer to "will this user churn within H days of the cutoff?": the ceiling no
/// predictor built on observed usage can beat.
///
/// Each user who is signed up and not churned on the cutoff day `c` is simulated forward from their
/// true state at the end of that day — latent state, exact habit average, billing, and the campaign
/// effects already given (with their decay and fatigue) — through the nights `c … c + H − 1`, many
/// times, with the same model as the day loop: habit fed by each replica's own activity, weekday
/// factors, product changes, trial ends, and campaign effects on transitions. The night of the cutoff
/// uses the row the day loop used that night; the sends of the cutoff's evaluation take effect from
/// the next day, as in the run. Messages that would be triggered by segments after the cutoff are not
/// simulated: that would need every replica's usage windows and segments.
///
/// Each replica is drawn conditionally on survival, and contributes its probability of having churned,
/// `1 − ∏ₜ (1 − qₜ)` over its nightly churn hazards `qₜ` (a trial that ends without conversion or a
/// fallback plan has hazard 1). This is an unbiased estimate of the churn probability whose variance
/// never exceeds the binomial `p(1 − p)/R` of counting churned replicas (Rao–Blackwell), and is zero
/// when the hazard does not depend on the path. Everything a replica draws comes from one stream keyed
/// by (seed, user, cutoff day), so the probabilities do not depend on threads or shards.
public struct ChurnForecast: Sendable {
    public let day: Int
    public let horizon: Int
    public let replicas: Int
    /// Per user of the simulated population (numbered within it): the probability of being churned on
    /// day `day + horizon`; NaN for users not signed up or already churned on the cutoff day.
    public let probability: [Double]
    /// The Monte Carlo standard error of each probability (NaN where the probability is).
    public let standardError: [Double]

    /// Bytes per user while the forecasts of a run are held: two doubles per cutoff, and the night of
    /// the cutoff's modified transition row of a treated user (at most 16 states) while one is computed.
    public static func bytesPerUser(cutoffs: Int, withCampaigns: Bool) -> Int {
        cutoffs * 16 + (withCampaigns ? 16 * 8 : 0)
    }
}

/// Forecasts churn for a range of users on one cutoff day of a running simulation.
struct ChurnForecaster: @unchecked Sendable {
    let tables: ModelTables
    let seed: UInt64
    let firstUser: UInt64
    let day: Int
    let horizon: Int
    let replicas: Int
    let columns: UserColumns
    let truth: TruthRecord
    let treatment: TreatmentTables?
    /// Tomorrow's state given no churn tonight: cumulative rows, index as ``ModelTables/cumulativeNext``.
    let survivor: [Double]
    /// Tonight's churn probability of each row, index `(persona·S + state)·H + habitLevel`.
    let hazard: [Double]
    /// Probability of no session on day `day + k` (k = 1 … horizon − 1), index `(k − 1)·cells + persona·S + state`.
    let idle: [Double]
    /// The transition probabilities of the cutoff night for users with a campaign effect that night, as
    /// the day loop used them (`S` per user; NaN first entry for the others).
    let cutoffRows: Column<Double>?

    init(
        tables: ModelTables, seed: UInt64, day: Int, horizon: Int, replicas: Int, startDate: CivilDate,
        columns: UserColumns, truth: TruthRecord, treatment: TreatmentTables?, cutoffRows: Column<Double>?
    ) {
        precondition(truth.keeps(day: day), "the truth record must keep the cutoff day \(day)")
        self.tables = tables
        self.seed = seed
        firstUser = UInt64(columns.firstUser)
        self.day = day
        self.horizon = horizon
        self.replicas = replicas
        self.columns = columns
        self.truth = truth
        self.treatment = treatment
        self.cutoffRows = cutoffRows
        let S = tables.stateCount
        let rows = tables.cumulativeNext.count / S
        var survivor = [Double](repeating: 0, count: tables.cumulativeNext.count)
        var hazard = [Double](repeating: 0, count: rows)
        var probabilities = [Double](repeating: 0, count: S)
        tables.cumulativeNext.withUnsafeBufferPointer { cumulative in
            for r in 0..<rows {
                probabilities.withUnsafeMutableBufferPointer {
                    ModelTables.probabilities(cumulative: cumulative, base: r * S, count: S, into: $0)
                    hazard[r] = Self.survivorRow($0, churned: tables.churned)
                    for k in 0..<S { survivor[r * S + k] = $0[k] }
                }
            }
        }
        self.survivor = survivor
        self.hazard = hazard
        let cells = tables.personaCount * S
        var idle = [Double](repeating: 1, count: max(0, horizon - 1) * cells)
        for k in 1..<max(1, horizon) {
            let d = day + k
            let factors = tables.dayFactors(day: d, weekday: startDate.adding(days: d).weekday)
            for i in 0..<cells { idle[(k - 1) * cells + i] = factors.sessionZero[i] }
        }
        self.idle = idle
    }

    /// Turns transition probabilities into the cumulative row of tomorrow's state given no churn tonight
    /// (churned gets no mass; the last reachable state reaches 1 exactly), in place.
    /// - Returns: the churn probability of the row.
    static func survivorRow(_ row: UnsafeMutableBufferPointer<Double>, churned: Int) -> Double {
        let q = row[churned]
        let alive = 1 - q
        var sum = 0.0
        var last = -1
        for k in row.indices {
            if k != churned, row[k] > 0 {
                sum += row[k] / alive
                last = k
            }
            row[k] = sum
        }
        if last >= 0 { for k in last..<row.count { row[k] = 1 } }
        return q
    }

    /// The cutoff night's modified transition rows of the users a campaign effect reaches that night,
    /// read right after the day loop stepped the cutoff day (before that day's sends).
    static func cutoffRows(tables: ModelTables, treatment: TreatmentTables, truth: TruthRecord, day: Int)
        -> Column<Double>
    {
        let S = tables.stateCount
        let L = tables.rowLevels
        let n = truth.users
        let rows = Column<Double>(repeating: .nan, count: n * S)
        let multiplier = UnsafeMutableBufferPointer<Double>.allocate(capacity: S)
        let affected = UnsafeMutableBufferPointer<Bool>.allocate(capacity: S)
        defer {
            multiplier.deallocate()
            affected.deallocate()
        }
        let offset = truth.offset(day: day)
        let today = Int32(day)
        for u in 0..<n where treatment.state.effectUntil[u] >= today {
            let s = Int(truth.state[offset + u])
            guard s != Int(TruthRecord.notSignedUp), s != tables.churned,
                treatment.effects(user: u, state: s, today: today, multiplier: multiplier, affected: affected)
            else { continue }
            let base = ((Int(truth.persona[u]) * S + s) * L + Int(truth.habitLevel[offset + u])) * S
            let row = UnsafeMutableBufferPointer(start: rows.baseAddress + u * S, count: S)
            tables.cumulativeNext.withUnsafeBufferPointer {
                ModelTables.probabilities(cumulative: $0, base: base, count: S, into: row)
            }
            TransitionModifier.apply(
                row, multiplier: UnsafeBufferPointer(multiplier), affected: UnsafeBufferPointer(affected))
        }
        return rows
    }

    /// Forecasts the users `users`, writing their probabilities and standard errors.
    func run(_ users: Range<Int>, probability: Column<Double>, standardError: Column<Double>) {
        let scratch = Scratch(states: tables.stateCount)
        let first = UnsafeMutableBufferPointer<Double>.allocate(capacity: tables.stateCount)
        defer {
            scratch.deallocate()
            first.deallocate()
        }
        survivor.withUnsafeBufferPointer { survivor in
            hazard.withUnsafeBufferPointer { hazard in
                idle.withUnsafeBufferPointer { idle in
                    let lent = Lent(survivor: survivor, hazard: hazard, idle: idle, scratch: scratch, first: first)
                    for u in users {
                        let (p, se) = forecast(user: u, lent)
                        probability[u] = p
                        standardError[u] = se
                    }
                }
            }
        }
    }

    /// The tables a forecast reads, as buffers, and its scratch.
    private struct Lent {
        let survivor: UnsafeBufferPointer<Double>
        let hazard: UnsafeBufferPointer<Double>
        let idle: UnsafeBufferPointer<Double>
        let scratch: Scratch
        /// The survivor row of the cutoff night of a treated user.
        let first: UnsafeMutableBufferPointer<Double>
    }

    /// Buffers for a treated user's transition row.
    struct Scratch {
        let row: UnsafeMutableBufferPointer<Double>
        let multiplier: UnsafeMutableBufferPointer<Double>
        let affected: UnsafeMutableBufferPointer<Bool>

        init(states S: Int) {
            row = .allocate(capacity: S)
            multiplier = .allocate(capacity: S)
            affected = .allocate(capacity: S)
        }

        func deallocate() {
            row.deallocate()
            multiplier.deallocate()
            affected.deallocate()
        }
    }

    /// The probability that user `u` is churned `horizon` days after the cutoff, and its standard error.
    private func forecast(user u: Int, _ lent: Lent) -> (Double, Double) {
        let offset = truth.offset(day: day)
        let s0 = Int(truth.state[offset + u])
        guard s0 != Int(TruthRecord.notSignedUp), s0 != tables.churned else { return (.nan, .nan) }
        let p = Int(columns.persona[u])
        let trialEnd = Int(columns.signupDay[u]) + Int(tables.trialDays[p])
        let onTrial = columns.billing[u] == Billing.trial
        // A trial that ended today unconverted, with no plan to fall back on, churns the user tonight.
        if onTrial, trialEnd <= day { return (1, 0) }
        let start = Start(
            persona: p, state: s0, habitLevel: Int(truth.habitLevel[offset + u]), habit: columns.habit[u],
            trialEnd: onTrial ? trialEnd : Int.min,
            treatedLater: treatment.map { $0.state.effectUntil[u] > Int32(day) } ?? false)
        // The cutoff night's row is every replica's first: the run's own, with the effects it had.
        let q0: Double
        let row0: UnsafeBufferPointer<Double>
        if let treated = treatedRow(
            user: u, persona: p, state: s0, level: start.habitLevel, night: day, first: true, scratch: lent.scratch)
        {
            for k in 0..<tables.stateCount { lent.first[k] = lent.scratch.row[k] }
            q0 = treated
            row0 = UnsafeBufferPointer(lent.first)
        } else {
            let r = (p * tables.stateCount + s0) * tables.rowLevels + start.habitLevel
            q0 = lent.hazard[r]
            row0 = UnsafeBufferPointer(rebasing: lent.survivor[(r * tables.stateCount)..<((r + 1) * tables.stateCount)])
        }
        if q0 >= 1 { return (1, 0) }
        var g = SplitMix64(seed: StreamKey.derive(seed, .churnForecast, firstUser &+ UInt64(u), UInt64(day)))
        var sum = 0.0
        var sumOfSquares = 0.0
        for _ in 0..<replicas {
            let state = Self.draw(row0, using: &g)
            let churned = 1 - (1 - q0) * survival(user: u, from: start, state: state, lent, using: &g)
            sum += churned
            sumOfSquares += churned * churned
        }
        let R = Double(replicas)
        let mean = sum / R
        let variance = max(0, (sumOfSquares - R * mean * mean) / (R - 1))
        return (mean, (variance / R).squareRoot())
    }

    /// A user's position at the end of the cutoff day.
    private struct Start {
        let persona: Int
        let state: Int
        /// The row level of the cutoff night (habit, and the team level, which the replicas keep).
        let habitLevel: Int
        let habit: Float
        /// The day the trial ends, if it is still running.
        let trialEnd: Int
        /// Whether a campaign effect reaches past the cutoff night.
        let treatedLater: Bool
    }

    /// One replica of the horizon after the cutoff night, from `state` on the next day, drawn conditionally
    /// on survival: returns the probability of surviving it.
    private func survival(user u: Int, from start: Start, state: Int, _ lent: Lent, using g: inout SplitMix64)
        -> Double
    {
        let S = tables.stateCount
        let H = tables.habitLevels
        let T = tables.teamLevels
        let L = tables.rowLevels
        let cells = tables.personaCount * S
        let decay = tables.habitDecay
        let p = start.persona
        var s = state
        var habit = start.habit
        var level = start.habitLevel
        // Teammates are not simulated forward: the team level stays the cutoff night's.
        let team = start.habitLevel % T
        var alive = 1.0
        var trialEnd = start.trialEnd
        for k in 1..<max(1, horizon) {
            let d = day + k
            // Day d: the trial's end, then the replica's habit tonight from whether it was active.
            if d == trialEnd {
                let converted = FastSampler.uniform(&g) < tables.conversion[s]
                if !converted, tables.fallbackPlan == nil { return 0 }
                trialEnd = Int.min
            }
            if H > 1 {
                let active: Float = FastSampler.uniform(&g) >= lent.idle[(k - 1) * cells + p * S + s] ? 1 : 0
                let habitLevel: Int
                (habit, habitLevel) = HabitRule.step(habit, active: active, decay: decay, levels: H)
                level = habitLevel * T + team
            }
            let q: Double
            let row: UnsafeBufferPointer<Double>
            if start.treatedLater,
                let treated = treatedRow(
                    user: u, persona: p, state: s, level: level, night: d, first: false, scratch: lent.scratch)
            {
                q = treated
                row = UnsafeBufferPointer(lent.scratch.row)
            } else {
                let r = (p * S + s) * L + level
                q = lent.hazard[r]
                row = UnsafeBufferPointer(rebasing: lent.survivor[(r * S)..<(r * S + S)])
            }
            alive *= 1 - q
            if alive <= 0 { return 0 }
            s = Self.draw(row, using: &g)
        }
        return alive
    }

    /// Tomorrow's state from a survivor row, whose last reachable entry is exactly 1.
    @inline(__always)
    private static func draw(_ row: UnsafeBufferPointer<Double>, using g: inout SplitMix64) -> Int {
        let x = FastSampler.uniform(&g)
        var k = 0
        while k < row.count - 1, x >= row[k] { k += 1 }
        return k
    }

    /// The survivor row of user `u` in state `s` at habit level `level` tonight, in `scratch.row`, when a
    /// campaign effect applies; returns its churn probability, or nil when the model's own row applies.
    @inline(__always)
    private func treatedRow(
        user u: Int, persona p: Int, state s: Int, level: Int, night d: Int, first: Bool, scratch: Scratch
    ) -> Double? {
        let S = tables.stateCount
        if first {
            guard let cutoffRows, !cutoffRows[u * S].isNaN else { return nil }
            for k in 0..<S { scratch.row[k] = cutoffRows[u * S + k] }
            return Self.survivorRow(scratch.row, churned: tables.churned)
        }
        guard let treatment, treatment.state.effectUntil[u] >= Int32(d),
            treatment.effects(
                user: u, state: s, today: Int32(d), multiplier: scratch.multiplier, affected: scratch.affected)
        else { return nil }
        let base = ((p * S + s) * tables.rowLevels + level) * S
        tables.cumulativeNext.withUnsafeBufferPointer {
            ModelTables.probabilities(cumulative: $0, base: base, count: S, into: scratch.row)
        }
        TransitionModifier.apply(
            scratch.row, multiplier: UnsafeBufferPointer(scratch.multiplier),
            affected: UnsafeBufferPointer(scratch.affected))
        return Self.survivorRow(scratch.row, churned: tables.churned)
    }
}
