import Foundation
import Stats
import UsageModel

/// The behaviour model flattened into index-addressed tables for the day loop.
///
/// Everything the loop needs per user-day is one array index away: no string, no dictionary,
/// no allocation. Transition rows are stored cumulatively, already modified for each habit
/// level, so drawing tomorrow's state is one uniform and a scan of at most 16 entries.
struct ModelTables: Sendable {
    let stateCount: Int
    let featureCount: Int
    let milestoneCount: Int
    let personaCount: Int
    let churned: Int
    /// Habit levels (1 when the scenario has no habit modifier).
    let habitLevels: Int
    /// Levels of the share of active teammates (1 without team influence).
    let teamLevels: Int
    /// Rows per persona and state: a row level is `habitLevel·teamLevels + teamLevel`.
    let rowLevels: Int
    /// `exp2(-1 / half-life)`: yesterday's weight in the habit average.
    let habitDecay: Float

    /// Cumulative next-state rows, index `((persona·S + state)·L + rowLevel)·S` with L = ``rowLevels``.
    let cumulativeNext: [Double]

    /// The probabilities of the `count` entries of a cumulative row starting at `base` (the differences of
    /// its running sums), into `out`: what a campaign effect or the oracle modifies.
    @inline(__always)
    static func probabilities(
        cumulative: UnsafeBufferPointer<Double>, base: Int, count: Int, into out: UnsafeMutableBufferPointer<Double>
    ) {
        var previous = 0.0
        for k in 0..<count {
            out[k] = cumulative[base + k] - previous
            previous = cumulative[base + k]
        }
    }

    /// Probability of moving to churned tonight, index `(persona·S + state)·L + rowLevel`.
    let churnProbability: [Double]

    // Emissions, index `persona·S + state`.
    let sessionMean: [Double]
    /// Negative-binomial dispersion; 0 means Poisson.
    let sessionDispersion: [Double]
    let keyActionsPerSession: [Double]
    /// Index `(persona·S + state)·F + feature`.
    let featureUse: [Double]
    /// Index `(persona·S + state)·M + milestone`.
    let milestoneHazard: [Double]
    let npsAnswer: [Double]
    /// Cumulative score weights, index `(persona·S + state)·11 + score`.
    let npsCumulative: [Double]

    /// Bit mask of the milestones each milestone requires.
    let milestoneRequires: [UInt16]
    let activationMask: UInt16

    let trialDays: [Int32]
    let personaPlan: [UInt8]
    let planPriceCents: [Int64]
    let fallbackPlan: Int?
    let conversion: [Double]
    /// Plan changes open to a paying user on plan `p` in state `s`: entries
    /// `planChangeStart[p·S + s] ..< planChangeStart[p·S + s + 1]` of the two arrays below.
    let planChangeStart: [Int]
    let planChangeTarget: [UInt8]
    let planChangeProbability: [Double]

    let weekdayFactors: [Double]
    let productChanges: [ProductChange]

    // Usage caps and features a plan lacks (docs/scenario-format.md, `commerce.plans`).
    /// Whether any plan caps or lacks anything: without, the day loop skips every step below.
    let hasLimits: Bool
    /// Key actions a week of each plan; 0 for no cap.
    let keyActionCap: [Int32]
    /// Features capped by some plan, in feature order: each has a weekly counter per user.
    let cappedFeatures: [Int]
    /// Days a week of capped feature `c` (of ``cappedFeatures``) on plan `p`, at `p·C + c`; 0 for no cap.
    let featureCap: [UInt8]
    /// Bits of the capped features on each plan, and of the features each plan lacks.
    let cappedMask: [UInt32]
    let lackingMask: [UInt32]

    init(_ model: BehaviourModel) {
        let S = model.states.count
        stateCount = S
        featureCount = model.features.count
        milestoneCount = model.milestones.count
        personaCount = model.personas.count
        churned = model.churnedState
        habitLevels = model.habit == nil ? 1 : BehaviourModel.habitLevels
        teamLevels = model.teamInfluence == nil ? 1 : BehaviourModel.teamLevels
        rowLevels = habitLevels * teamLevels
        habitDecay = model.habit.map { HabitRule.decay(halfLifeDays: $0.halfLifeDays) } ?? 0

        let transitions = Self.transitions(model, habitLevels: habitLevels, teamLevels: teamLevels)
        cumulativeNext = transitions.cumulativeNext
        churnProbability = transitions.churnProbability

        let emissions = Self.emissions(model)
        sessionMean = emissions.sessionMean
        sessionDispersion = emissions.sessionDispersion
        keyActionsPerSession = emissions.keyActionsPerSession
        featureUse = emissions.featureUse
        milestoneHazard = emissions.milestoneHazard
        npsAnswer = emissions.npsAnswer
        npsCumulative = emissions.npsCumulative

        milestoneRequires = model.milestones.map { m in
            m.requires.reduce(UInt16(0)) { $0 | (1 << UInt16($1)) }
        }
        activationMask = model.activationMilestones.reduce(UInt16(0)) { $0 | (1 << UInt16($1)) }

        trialDays = model.personas.map { Int32($0.trialDays) }
        personaPlan = model.personas.map { UInt8($0.plan) }
        planPriceCents = model.commerce.plans.map(\.monthlyPriceCents)
        fallbackPlan = model.commerce.fallbackPlan
        conversion = model.commerce.conversion

        let changes = Self.planChanges(model.commerce, stateCount: S)
        planChangeStart = changes.start
        planChangeTarget = changes.target
        planChangeProbability = changes.probability

        weekdayFactors = model.weekdayFactors
        productChanges = model.productChanges.sorted { $0.day < $1.day }

        let plans = model.commerce.plans
        hasLimits = plans.contains(where: \.hasLimits)
        keyActionCap = plans.map { Int32(clamping: $0.keyActionsPerWeek) }
        let capped = (0..<model.features.count).filter { f in
            plans.contains { f < $0.featureDaysPerWeek.count && $0.featureDaysPerWeek[f] > 0 }
        }
        cappedFeatures = capped
        featureCap = plans.flatMap { plan in
            capped.map { f in UInt8(clamping: f < plan.featureDaysPerWeek.count ? plan.featureDaysPerWeek[f] : 0) }
        }
        cappedMask = plans.map { plan in
            capped.reduce(UInt32(0)) { mask, f in
                f < plan.featureDaysPerWeek.count && plan.featureDaysPerWeek[f] > 0 ? mask | (1 << UInt32(f)) : mask
            }
        }
        lackingMask = plans.map(\.lacking)
    }

    /// The cumulative next-state rows of every persona, state and habit level, and their churn probabilities.
    private static func transitions(_ model: BehaviourModel, habitLevels: Int, teamLevels: Int) -> (
        cumulativeNext: [Double], churnProbability: [Double]
    ) {
        let S = model.states.count
        let P = model.personas.count
        let L = habitLevels * teamLevels
        var cumulative = [Double](repeating: 0, count: P * S * L * S)
        var churn = [Double](repeating: 0, count: P * S * L)
        for p in 0..<P {
            for s in 0..<S {
                for level in 0..<L {
                    let row = model.transitionRow(
                        persona: p, state: s, habitLevel: level / teamLevels, teamLevel: level % teamLevels)
                    churn[(p * S + s) * L + level] = row[model.churnedState]
                    var sum = 0.0
                    let base = ((p * S + s) * L + level) * S
                    for t in 0..<S {
                        sum += row[t]
                        cumulative[base + t] = sum
                    }
                    // Rounding must never leave a uniform draw past the last reachable state.
                    if let last = row.lastIndex(where: { $0 > 0 }) {
                        for t in last..<S { cumulative[base + t] = 1 }
                    }
                }
            }
        }
        return (cumulative, churn)
    }

    /// The emission parameters of every persona in every state but churned (zero there).
    private static func emissions(_ model: BehaviourModel) -> (
        sessionMean: [Double], sessionDispersion: [Double], keyActionsPerSession: [Double], featureUse: [Double],
        milestoneHazard: [Double], npsAnswer: [Double], npsCumulative: [Double]
    ) {
        let S = model.states.count
        let F = model.features.count
        let M = model.milestones.count
        let P = model.personas.count
        var mean = [Double](repeating: 0, count: P * S)
        var dispersion = [Double](repeating: 0, count: P * S)
        var kaps = [Double](repeating: 0, count: P * S)
        var features = [Double](repeating: 0, count: P * S * F)
        var milestones = [Double](repeating: 0, count: P * S * M)
        var nps = [Double](repeating: 0, count: P * S)
        var npsCum = [Double](repeating: 0, count: P * S * 11)
        for (p, persona) in model.personas.enumerated() {
            for s in 0..<S where s != model.churnedState {
                let b = persona.states[s]
                let i = p * S + s
                switch b.sessions {
                case .poisson(let m):
                    mean[i] = m
                case .negativeBinomial(let m, let k):
                    mean[i] = m
                    dispersion[i] = k
                }
                kaps[i] = b.keyActionsPerSession
                for f in 0..<F { features[i * F + f] = b.featureUse[f] }
                for m in 0..<M { milestones[i * M + m] = b.milestoneHazard[m] }
                nps[i] = b.npsAnswerProbability
                var sum = 0.0
                for score in 0..<11 {
                    sum += b.npsScoreWeights[score]
                    npsCum[i * 11 + score] = sum
                }
                npsCum[i * 11 + 10] = 1
            }
        }
        return (mean, dispersion, kaps, features, milestones, nps, npsCum)
    }

    /// The plan changes open on each plan in each state, as start offsets into parallel target and probability arrays.
    private static func planChanges(_ commerce: Commerce, stateCount S: Int) -> (
        start: [Int], target: [UInt8], probability: [Double]
    ) {
        let planCount = commerce.plans.count
        var start = [Int](repeating: 0, count: planCount * S + 1)
        var target: [UInt8] = []
        var probability: [Double] = []
        for plan in 0..<planCount {
            for s in 0..<S {
                start[plan * S + s] = target.count
                for change in commerce.planChanges where change.from == plan && change.dailyProbability[s] > 0 {
                    target.append(UInt8(change.to))
                    probability.append(change.dailyProbability[s])
                }
            }
        }
        start[planCount * S] = target.count
        return (start, target, probability)
    }

    /// Emission parameters of one day: weekday seasonality and the product changes released so far.
    func dayFactors(day: Int, weekday: Int) -> DayFactors {
        var session = weekdayFactors[weekday]
        var key = 1.0
        var feature = [Double](repeating: 1, count: featureCount)
        for change in productChanges where change.day <= day {
            session *= change.sessionFactor
            key *= change.keyActionFactor
            for f in 0..<featureCount { feature[f] *= change.featureFactors[f] }
        }
        let cells = personaCount * stateCount
        var mean = [Double](repeating: 0, count: cells)
        var zero = [Double](repeating: 1, count: cells)
        for i in 0..<cells {
            mean[i] = sessionMean[i] * session
            let k = sessionDispersion[i]
            zero[i] =
                k > 0
                ? FastSampler.negativeBinomialProbabilityOfZero(mean: mean[i], dispersion: k) : exp(-mean[i])
        }
        return DayFactors(keyAction: key, feature: feature, sessionMean: mean, sessionZero: zero)
    }
}

struct DayFactors: Sendable {
    let keyAction: Double
    let feature: [Double]
    /// Today's mean sessions of each (persona, state) and the probability of none.
    let sessionMean: [Double]
    let sessionZero: [Double]

    /// Below this mean, counts are drawn by inversion from the day's P(0).
    static let inversionLimit = 30.0
}
