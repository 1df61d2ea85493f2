import UsageModel

/// What the day loop needs of the treatment state, flattened: per policy its effect span and
/// decay, and the effects as parallel arrays.
struct TreatmentTables: @unchecked Sendable {
    let state: TreatmentState
    let policyCount: Int
    let effectDays: [Int32]
    /// Effects of policy `q`: entries `effectStart[q] ..< effectStart[q + 1]`.
    let effectStart: [Int]
    let effectFrom: [Int]
    let effectTo: [Int]
    let effectChange: [Double]
    /// Emission effects of policy `q`: entries `emissionStart[q] ..< emissionStart[q + 1]`, each a slot of
    /// the emission scale (``sessionSlot``, then one per feature, then one per milestone) and its change.
    let emissionStart: [Int]
    let emissionSlot: [Int]
    let emissionChange: [Double]
    /// Slots of the emission scale: sessions, features, milestones.
    let emissionSlots: Int
    static let sessionSlot = 0
    /// Plan indices by price, for upgrade prompts: the next dearer plan of each plan (or itself).
    let dearerPlan: [UInt8]

    init(_ state: TreatmentState, planPriceCents: [Int64] = [], features: Int = 0, milestones: Int = 0) {
        self.state = state
        let policies = state.spec.policies
        policyCount = policies.count
        effectDays = policies.map { Int32(max(1, $0.effectDays)) }
        var start = [0]
        var from: [Int] = []
        var to: [Int] = []
        var change: [Double] = []
        for policy in policies {
            for e in policy.effects {
                from.append(e.from)
                to.append(e.to)
                change.append(e.relativeChange)
            }
            start.append(from.count)
        }
        effectStart = start
        effectFrom = from
        effectTo = to
        effectChange = change
        emissionSlots = 1 + features + milestones
        var emissionStart = [0]
        var slots: [Int] = []
        var changes: [Double] = []
        for policy in policies {
            for e in policy.emissionEffects {
                switch e.target {
                case .sessions: slots.append(Self.sessionSlot)
                case .feature(let f): slots.append(1 + f)
                case .milestone(let m): slots.append(1 + features + m)
                }
                changes.append(e.relativeChange)
            }
            emissionStart.append(slots.count)
        }
        precondition(slots.allSatisfy { $0 < 1 + features + milestones })
        self.emissionStart = emissionStart
        emissionSlot = slots
        emissionChange = changes
        dearerPlan = planPriceCents.indices.map { p in
            let dearer = planPriceCents.indices.filter { planPriceCents[$0] > planPriceCents[p] }
            return UInt8(dearer.min { planPriceCents[$0] < planPriceCents[$1] } ?? p)
        }
    }

    /// The strength of policy `q`'s effect on user `u` today: its fatigued scale, falling linearly from the
    /// day after the opened message to nothing after `effect.days`; `nil` outside that span.
    @inline(__always)
    func strength(policy q: Int, user u: Int, users n: Int, today: Int32) -> Double? {
        let k = today - state.effectStart[q * n + u]
        guard k >= 0, k < effectDays[q] else { return nil }
        return Double(state.effectScale[q * n + u]) * (1 - Double(k) / Double(effectDays[q]))
    }

    /// Fills `scale` (``emissionSlots`` entries) with the factors of user `u`'s emissions today: per slot the
    /// product of `1 + change × strength` of the active effects, 1 where none applies. Returns false, and
    /// leaves `scale` alone, when no emission effect applies.
    func emissionEffects(user u: Int, today: Int32, scale: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard state.effectUntil[u] >= today else { return false }
        var any = false
        let n = state.users
        for q in 0..<policyCount where emissionStart[q] < emissionStart[q + 1] {
            guard let strength = strength(policy: q, user: u, users: n, today: today) else { continue }
            if !any {
                for i in scale.indices { scale[i] = 1 }
                any = true
            }
            for e in emissionStart[q]..<emissionStart[q + 1] {
                scale[emissionSlot[e]] *= max(0, 1 + emissionChange[e] * strength)
            }
        }
        return any
    }

    /// Fills `multiplier` and `affected` for a user in state `s` today; false when no effect applies.
    func effects(
        user u: Int, state s: Int, today: Int32, multiplier: UnsafeMutableBufferPointer<Double>,
        affected: UnsafeMutableBufferPointer<Bool>
    ) -> Bool {
        guard state.effectUntil[u] >= today else { return false }
        var any = false
        let n = state.users
        for q in 0..<policyCount {
            guard let strength = strength(policy: q, user: u, users: n, today: today) else { continue }
            for e in effectStart[q]..<effectStart[q + 1] where effectFrom[e] == s {
                if !any {
                    for t in multiplier.indices {
                        multiplier[t] = 1
                        affected[t] = false
                    }
                    any = true
                }
                multiplier[effectTo[e]] *= 1 + effectChange[e] * strength
                affected[effectTo[e]] = true
            }
        }
        return any
    }
}
