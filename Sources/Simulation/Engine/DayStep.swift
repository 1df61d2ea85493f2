import Foundation
import Stats
import UsageModel

/// One day of the day loop for a range of users: emissions, commerce, then tonight's transition.
///
/// The order within a user-day is fixed: the latent state of the day drives its emissions; the
/// billing changes of the day happen next; last, habit is updated with today's activity and the
/// state for tomorrow is drawn. The truth record stores the day's state and the habit level that
/// set tonight's transition probabilities.
struct DayStep: @unchecked Sendable {
    let tables: ModelTables
    let seed: UInt64
    let day: Int
    let factors: DayFactors
    /// Whether today is a Monday: the weekly counters of usage caps start again.
    let weekStarts: Bool
    let columns: UserColumns
    let truth: TruthRecord
    let treatment: TreatmentTables?
    let tally: Column<Int>
    let tallyWidth: Int
    let selection: UserSelection

    /// Steps the users at `positions` of the selection.
    func run(worker: Int, positions: Range<Int>) {
        let S = tables.stateCount
        // Scratch for a treated user's transition row.
        let multiplier = UnsafeMutableBufferPointer<Double>.allocate(capacity: S)
        let affected = UnsafeMutableBufferPointer<Bool>.allocate(capacity: S)
        let modified = UnsafeMutableBufferPointer<Double>.allocate(capacity: S)
        // Factors of a treated user's emissions, and the same number of ones for everyone else.
        let slots = 1 + tables.featureCount + tables.milestoneCount
        let emissionScale = UnsafeMutableBufferPointer<Double>.allocate(capacity: slots)
        let ones = UnsafeMutableBufferPointer<Double>.allocate(capacity: slots)
        ones.initialize(repeating: 1)
        defer {
            multiplier.deallocate()
            affected.deallocate()
            modified.deallocate()
            emissionScale.deallocate()
            ones.deallocate()
        }

        tables.cumulativeNext.withUnsafeBufferPointer { cumulativeNext in
            tables.npsCumulative.withUnsafeBufferPointer { npsCumulative in
                let frame = Frame(
                    self, worker: worker, cumulativeNext: cumulativeNext, npsCumulative: npsCumulative,
                    multiplier: multiplier, affected: affected, modified: modified, emissionScale: emissionScale,
                    ones: UnsafeBufferPointer(ones))
                selection.forEach(positions) { frame.userDay($0) }
            }
        }
    }
}

extension DayStep {
    /// What the steps of a user-day read and write: the day's constants and tables, and the run's
    /// columns, today's truth rows and this worker's tally row as raw pointers.
    private struct Frame {
        let tables: ModelTables
        let factors: DayFactors
        let treatment: TreatmentTables?
        let seed: UInt64
        /// Index of local user 0 in the whole population: the key of every user's streams.
        let firstUser: UInt64
        let day: Int
        let S: Int
        let F: Int
        let M: Int
        let H: Int
        let T: Int
        let L: Int
        let teamLevel: UnsafeMutablePointer<UInt8>
        let churned: Int
        let today: Int32
        let wauFrom: Int32
        let mauFrom: Int32
        let featureFactor: [Double]
        let decay: Float
        let persona: UnsafeMutablePointer<UInt8>
        let signupDay: UnsafeMutablePointer<Int32>
        let state: UnsafeMutablePointer<UInt8>
        let habit: UnsafeMutablePointer<Float>
        let plan: UnsafeMutablePointer<UInt8>
        let billing: UnsafeMutablePointer<UInt8>
        let reached: UnsafeMutablePointer<UInt16>
        let lastActive: UnsafeMutablePointer<Int32>
        let signedUp: UnsafeMutablePointer<Bool>
        let sessionsOut: UnsafeMutablePointer<UInt16>
        let keyOut: UnsafeMutablePointer<UInt16>
        let featureOut: UnsafeMutablePointer<UInt32>
        let milestoneOut: UnsafeMutablePointer<UInt16>
        let npsOut: UnsafeMutablePointer<Int8>
        let commerceOut: UnsafeMutablePointer<UInt8>
        let limitsOut: UnsafeMutablePointer<UInt8>
        let cappedOut: UnsafeMutablePointer<UInt32>
        let premiumOut: UnsafeMutablePointer<UInt32>
        /// Whether some plan caps or lacks something; the rest of the limits' fields matter only then.
        let hasLimits: Bool
        let weekStarts: Bool
        /// Features some plan caps (``ModelTables/cappedFeatures``): `C` weekly counters per user.
        let C: Int
        let weekKeys: UnsafeMutablePointer<UInt32>
        let weekFeatureDays: UnsafeMutablePointer<UInt8>
        let truthState: UnsafeMutablePointer<UInt8>
        let truthHabit: UnsafeMutablePointer<UInt8>
        let churnDay: UnsafeMutablePointer<Int32>
        let t: UnsafeMutablePointer<Int>
        // Treated users: who has an effect or an accepted upgrade prompt, checked without touching
        // the treatment tables for everyone else.
        let effectUntil: UnsafeMutablePointer<Int32>?
        let pendingUpgrade: UnsafeMutablePointer<Bool>?
        let surveyAnswerDay: UnsafeMutablePointer<Int32>?
        /// Whether any policy acts on emissions.
        let emissionEffects: Bool
        let cumulativeNext: UnsafeBufferPointer<Double>
        let npsCumulative: UnsafeBufferPointer<Double>
        // Scratch for a treated user's transition row.
        let multiplier: UnsafeMutableBufferPointer<Double>
        let affected: UnsafeMutableBufferPointer<Bool>
        let modified: UnsafeMutableBufferPointer<Double>
        // Scratch for a treated user's emission factors, and ones for everyone else.
        let emissionScale: UnsafeMutableBufferPointer<Double>
        let ones: UnsafeBufferPointer<Double>

        init(
            _ step: DayStep, worker: Int, cumulativeNext: UnsafeBufferPointer<Double>,
            npsCumulative: UnsafeBufferPointer<Double>, multiplier: UnsafeMutableBufferPointer<Double>,
            affected: UnsafeMutableBufferPointer<Bool>, modified: UnsafeMutableBufferPointer<Double>,
            emissionScale: UnsafeMutableBufferPointer<Double>, ones: UnsafeBufferPointer<Double>
        ) {
            let tables = step.tables
            let day = step.day
            self.tables = tables
            factors = step.factors
            treatment = step.treatment
            seed = step.seed
            firstUser = UInt64(step.columns.firstUser)
            self.day = day
            S = tables.stateCount
            F = tables.featureCount
            M = tables.milestoneCount
            H = tables.habitLevels
            T = tables.teamLevels
            L = tables.rowLevels
            teamLevel = step.columns.teamLevel.baseAddress
            churned = tables.churned
            today = Int32(day)
            wauFrom = today - 6
            mauFrom = today - 27
            featureFactor = step.factors.feature
            decay = tables.habitDecay
            let c = step.columns
            persona = c.persona.baseAddress
            signupDay = c.signupDay.baseAddress
            state = c.state.baseAddress
            habit = c.habit.baseAddress
            plan = c.plan.baseAddress
            billing = c.billing.baseAddress
            reached = c.reached.baseAddress
            lastActive = c.lastActiveDay.baseAddress
            signedUp = c.signedUp.baseAddress
            sessionsOut = c.sessions.baseAddress
            keyOut = c.keyActions.baseAddress
            featureOut = c.features.baseAddress
            milestoneOut = c.milestones.baseAddress
            npsOut = c.npsScore.baseAddress
            commerceOut = c.commerce.baseAddress
            limitsOut = c.limits.baseAddress
            cappedOut = c.cappedFeatures.baseAddress
            premiumOut = c.premiumAttempts.baseAddress
            hasLimits = tables.hasLimits
            weekStarts = step.weekStarts
            C = tables.cappedFeatures.count
            weekKeys = c.weekKeyActions.baseAddress
            weekFeatureDays = c.weekFeatureDays.baseAddress
            truthState = step.truth.state.baseAddress + step.truth.offset(day: day)
            truthHabit = step.truth.habitLevel.baseAddress + step.truth.offset(day: day)
            churnDay = step.truth.churnDay.baseAddress
            t = step.tally.baseAddress + worker * step.tallyWidth
            effectUntil = step.treatment?.state.effectUntil.baseAddress
            pendingUpgrade = step.treatment?.state.pendingUpgrade.baseAddress
            surveyAnswerDay = step.treatment?.state.surveyAnswerDay.baseAddress
            emissionEffects = step.treatment.map { !$0.emissionSlot.isEmpty } ?? false
            self.cumulativeNext = cumulativeNext
            self.npsCumulative = npsCumulative
            self.multiplier = multiplier
            self.affected = affected
            self.modified = modified
            self.emissionScale = emissionScale
            self.ones = ones
        }

        /// One user-day: today's usage cleared, then emissions, commerce and tonight's transition.
        @inline(__always)
        func userDay(_ u: Int) {
            clearUsage(u)
            let signup = signupDay[u]
            if signup > today {
                signedUp[u] = false
                truthState[u] = TruthRecord.notSignedUp
                truthHabit[u] = 0
                return
            }
            signedUp[u] = true
            let s = Int(state[u])
            if s == churned {
                if churnDay[u] > today { churnDay[u] = today }
                recordTruth(u, state: s, rowLevel: 0)
                countActive(u)
                return
            }
            let p = Int(persona[u])
            let i = p * S + s
            if signup == today { recordSignup(u) }
            if hasLimits && weekStarts { startWeek(u) }
            let n = emit(u, cell: i)
            if let surveyAnswerDay, surveyAnswerDay[u] == today { answerSurvey(u, cell: i) }
            let forcedChurn = bill(u, persona: p, state: s, signup: signup)
            let habitLevel = updateHabit(u, active: n > 0)
            let level = T > 1 ? habitLevel * T + Int(teamLevel[u]) : habitLevel
            recordTruth(u, state: s, rowLevel: level)
            let drawn = drawNext(u, persona: p, state: s, rowLevel: level)
            settle(u, next: forcedChurn ? churned : drawn)
            countActive(u)
        }

        /// Clears user `u`'s usage of the day: no session, action, feature, milestone, answer or commerce event.
        @inline(__always)
        private func clearUsage(_ u: Int) {
            sessionsOut[u] = 0
            keyOut[u] = 0
            featureOut[u] = 0
            milestoneOut[u] = 0
            npsOut[u] = -1
            commerceOut[u] = CommerceEvent.none.rawValue
            // Only the limits write these; without caps or lacked features they stay zero.
            if hasLimits {
                limitsOut[u] = 0
                cappedOut[u] = 0
                premiumOut[u] = 0
            }
        }

        /// Starts user `u`'s calendar week: nothing used yet of what a plan caps.
        @inline(__always)
        private func startWeek(_ u: Int) {
            weekKeys[u] = 0
            for c in 0..<C { weekFeatureDays[u * C + c] = 0 }
        }

        /// Counts user `u`'s sign-up today and records it as a trial started or a subscription.
        @inline(__always)
        private func recordSignup(_ u: Int) {
            t[Tally.signups] += 1
            commerceOut[u] =
                billing[u] == Billing.trial
                ? CommerceEvent.trialStarted.rawValue : CommerceEvent.subscribed.rawValue
        }

        // MARK: - Emissions

        /// Draws user `u`'s usage in cell `i` (persona·S + state) from the emission stream; returns the sessions.
        @inline(__always)
        private func emit(_ u: Int, cell i: Int) -> Int {
            var g = SplitMix64(
                seed: StreamKey.derive(seed, StreamPurpose.emission, firstUser &+ UInt64(u), UInt64(day)))
            let scale = emissionScale(u)
            let n = sessionCount(cell: i, factor: scale[TreatmentTables.sessionSlot], using: &g)
            if n > 0 {
                let sessions = min(n, Int(UInt16.max))
                sessionsOut[u] = UInt16(sessions)
                lastActive[u] = today
                t[Tally.dau] += 1
                t[Tally.sessions] += sessions
                drawKeyActions(u, cell: i, sessions: sessions, using: &g)
                drawFeatures(u, cell: i, scale: scale, using: &g)
                drawMilestones(u, cell: i, scale: scale, using: &g)
                drawNPSAnswer(u, cell: i, using: &g)
            }
            return n
        }

        /// The factors of user `u`'s emissions today: a campaign's active emission effects, else ones.
        @inline(__always)
        private func emissionScale(_ u: Int) -> UnsafeBufferPointer<Double> {
            if emissionEffects, let effectUntil, effectUntil[u] >= today, let treatment,
                treatment.emissionEffects(user: u, today: today, scale: emissionScale)
            {
                return UnsafeBufferPointer(emissionScale)
            }
            return ones
        }

        /// Draws the day's session count in cell `i`, its mean times `factor`: by inversion from P(0)
        /// below the limit (the day's, unless a campaign changed the mean).
        @inline(__always)
        private func sessionCount(cell i: Int, factor: Double, using g: inout SplitMix64) -> Int {
            let k = tables.sessionDispersion[i]
            var mean = factors.sessionMean[i]
            var zero = factors.sessionZero[i]
            if factor != 1 {
                mean *= factor
                zero = k > 0 ? FastSampler.negativeBinomialProbabilityOfZero(mean: mean, dispersion: k) : exp(-mean)
            }
            guard mean > 0 else { return 0 }
            if mean < DayFactors.inversionLimit {
                return k > 0
                    ? FastSampler.negativeBinomial(mean: mean, dispersion: k, probabilityOfZero: zero, using: &g)
                    : FastSampler.poisson(mean: mean, probabilityOfZero: zero, using: &g)
            }
            return k > 0
                ? FastSampler.negativeBinomial(mean: mean, dispersion: k, using: &g)
                : FastSampler.poisson(mean: mean, using: &g)
        }

        /// Draws user `u`'s key actions over `sessions` sessions.
        @inline(__always)
        private func drawKeyActions(_ u: Int, cell i: Int, sessions: Int, using g: inout SplitMix64) {
            let keyMean = Double(sessions) * tables.keyActionsPerSession[i] * factors.keyAction
            var keys = min(FastSampler.poisson(mean: keyMean, using: &g), Int(UInt16.max))
            if hasLimits { keys = capKeyActions(u, drawn: keys) }
            keyOut[u] = UInt16(keys)
            t[Tally.keyActions] += keys
        }

        /// The key actions user `u` keeps of the `drawn` ones under the plan's weekly cap, counted in the
        /// week; a day with any cut is a day the cap was reached.
        @inline(__always)
        private func capKeyActions(_ u: Int, drawn: Int) -> Int {
            var keys = drawn
            let cap = Int(tables.keyActionCap[Int(plan[u])])
            if cap > 0 {
                let left = max(0, cap - Int(weekKeys[u]))
                if keys > left {
                    keys = left
                    limitsOut[u] |= UsageDay.Limit.capReached | UsageDay.Limit.keyActionsCapped
                }
            }
            weekKeys[u] = weekKeys[u] &+ UInt32(keys)
            return keys
        }

        /// Draws the features user `u` uses today, one uniform per feature.
        @inline(__always)
        private func drawFeatures(_ u: Int, cell i: Int, scale: UnsafeBufferPointer<Double>, using g: inout SplitMix64)
        {
            var used: UInt32 = 0
            for f in 0..<F
            where FastSampler.uniform(&g) < tables.featureUse[i * F + f] * featureFactor[f] * scale[1 + f] {
                used |= 1 << UInt32(f)
            }
            featureOut[u] = hasLimits ? limitFeatures(u, drawn: used) : used
        }

        /// The features user `u` uses of the `drawn` ones: those the plan lacks become premium attempts,
        /// and a capped feature already used on as many days this week as the cap allows is held back.
        @inline(__always)
        private func limitFeatures(_ u: Int, drawn: UInt32) -> UInt32 {
            let p = Int(plan[u])
            let lacking = drawn & tables.lackingMask[p]
            var used = drawn & ~lacking
            premiumOut[u] = lacking
            for c in 0..<C {
                let bit = UInt32(1) << UInt32(tables.cappedFeatures[c])
                guard used & bit != 0 else { continue }
                let cap = tables.featureCap[p * C + c]
                let k = u * C + c
                if cap > 0 && weekFeatureDays[k] >= cap {
                    used &= ~bit
                    cappedOut[u] |= bit
                    limitsOut[u] |= UsageDay.Limit.capReached
                } else if weekFeatureDays[k] < UInt8.max {
                    weekFeatureDays[k] += 1
                }
            }
            return used
        }

        /// Draws the milestones user `u` reaches today, those whose requirements are met, and counts an activation.
        @inline(__always)
        private func drawMilestones(
            _ u: Int, cell i: Int, scale: UnsafeBufferPointer<Double>, using g: inout SplitMix64
        ) {
            let before = reached[u]
            var have = before
            for m in 0..<M {
                let bit = UInt16(1) << UInt16(m)
                let needs = tables.milestoneRequires[m]
                if have & bit == 0, have & needs == needs,
                    FastSampler.uniform(&g) < tables.milestoneHazard[i * M + m] * scale[1 + F + m]
                {
                    have |= bit
                }
            }
            if have != before {
                reached[u] = have
                milestoneOut[u] = have & ~before
                let goal = tables.activationMask
                if goal != 0, before & goal != goal, have & goal == goal { t[Tally.newActivations] += 1 }
            }
        }

        /// Draws whether user `u` answers the NPS survey today and with which score.
        @inline(__always)
        private func drawNPSAnswer(_ u: Int, cell i: Int, using g: inout SplitMix64) {
            let answer = tables.npsAnswer[i]
            if answer > 0, FastSampler.uniform(&g) < answer {
                let row = UnsafeBufferPointer(rebasing: npsCumulative[(i * 11)..<(i * 11 + 11)])
                let score = FastSampler.categorical(cumulative: row, using: &g)
                npsOut[u] = Int8(score)
                t[Tally.npsResponses] += 1
                countScore(score)
            }
        }

        /// Draws the score of the survey user `u` opened yesterday, from the NPS scores of cell `i`, on the
        /// survey stream (the emission stream is left as the counterfactual run draws it).
        @inline(__always)
        private func answerSurvey(_ u: Int, cell i: Int) {
            var g = SplitMix64(
                seed: StreamKey.derive(seed, StreamPurpose.survey, firstUser &+ UInt64(u), UInt64(day)))
            let row = UnsafeBufferPointer(rebasing: npsCumulative[(i * 11)..<(i * 11 + 11)])
            let score = FastSampler.categorical(cumulative: row, using: &g)
            if npsOut[u] < 0 { t[Tally.npsResponses] += 1 } else { uncountScore(Int(npsOut[u])) }
            npsOut[u] = Int8(score)
            countScore(score)
        }

        @inline(__always)
        private func countScore(_ score: Int) {
            if score >= 9 { t[Tally.promoters] += 1 } else if score <= 6 { t[Tally.detractors] += 1 }
        }

        @inline(__always)
        private func uncountScore(_ score: Int) {
            if score >= 9 { t[Tally.promoters] -= 1 } else if score <= 6 { t[Tally.detractors] -= 1 }
        }

        // MARK: - Commerce

        /// Applies user `u`'s billing change of the day; returns whether an expired trial churns the user tonight.
        @inline(__always)
        private func bill(_ u: Int, persona p: Int, state s: Int, signup: Int32) -> Bool {
            var cg = SplitMix64(
                seed: StreamKey.derive(seed, StreamPurpose.commerce, firstUser &+ UInt64(u), UInt64(day)))
            if billing[u] == Billing.trial {
                if today == signup + tables.trialDays[p] { return endTrial(u, state: s, using: &cg) }
            } else if let pendingUpgrade, pendingUpgrade[u], let treatment {
                // An upgrade prompt was accepted yesterday.
                pendingUpgrade[u] = false
                upgrade(u, treatment)
            } else {
                changePlan(u, state: s, using: &cg)
            }
            return false
        }

        /// Ends user `u`'s trial: converted, else on the fallback plan; returns true when neither keeps the user.
        @inline(__always)
        private func endTrial(_ u: Int, state s: Int, using cg: inout SplitMix64) -> Bool {
            if FastSampler.uniform(&cg) < tables.conversion[s] {
                billing[u] = Billing.subscribed
                commerceOut[u] = CommerceEvent.converted.rawValue
                t[Tally.conversions] += 1
            } else if let fallback = tables.fallbackPlan {
                billing[u] = Billing.subscribed
                plan[u] = UInt8(fallback)
                commerceOut[u] = CommerceEvent.trialExpired.rawValue
                t[Tally.trialExpirations] += 1
            } else {
                commerceOut[u] = CommerceEvent.trialExpired.rawValue
                t[Tally.trialExpirations] += 1
                return true
            }
            return false
        }

        /// Moves user `u` to the next dearer plan, if there is one.
        @inline(__always)
        private func upgrade(_ u: Int, _ treatment: TreatmentTables) {
            let target = treatment.dearerPlan[Int(plan[u])]
            if target != plan[u] {
                plan[u] = target
                commerceOut[u] = CommerceEvent.upgraded.rawValue
                t[Tally.upgrades] += 1
            }
        }

        /// Draws at most one of the plan changes open to subscribed user `u` on its plan in state `s`.
        @inline(__always)
        private func changePlan(_ u: Int, state s: Int, using cg: inout SplitMix64) {
            let current = Int(plan[u])
            let key = current * S + s
            for e in tables.planChangeStart[key]..<tables.planChangeStart[key + 1]
            where FastSampler.uniform(&cg) < tables.planChangeProbability[e] {
                let target = tables.planChangeTarget[e]
                let up = tables.planPriceCents[Int(target)] > tables.planPriceCents[current]
                plan[u] = target
                commerceOut[u] = up ? CommerceEvent.upgraded.rawValue : CommerceEvent.downgraded.rawValue
                t[up ? Tally.upgrades : Tally.downgrades] += 1
                break
            }
        }

        // MARK: - Tonight's transition

        /// Updates user `u`'s habit with today's activity; returns the habit level that sets tonight's row.
        @inline(__always)
        private func updateHabit(_ u: Int, active: Bool) -> Int {
            guard H > 1 else { return 0 }
            let (h, level) = HabitRule.step(habit[u], active: active ? 1 : 0, decay: decay, levels: H)
            habit[u] = h
            return level
        }

        /// Stores user `u`'s state and row level (habit and team) of the day in the truth record and counts the state.
        @inline(__always)
        private func recordTruth(_ u: Int, state s: Int, rowLevel level: Int) {
            truthState[u] = UInt8(s)
            truthHabit[u] = UInt8(level)
            t[Tally.firstState + s] += 1
        }

        /// Draws user `u`'s state for tomorrow from the transition stream, through its treatment effects if any.
        @inline(__always)
        private func drawNext(_ u: Int, persona p: Int, state s: Int, rowLevel level: Int) -> Int {
            var tg = SplitMix64(
                seed: StreamKey.derive(seed, StreamPurpose.transition, firstUser &+ UInt64(u), UInt64(day)))
            let base = ((p * S + s) * L + level) * S
            if let effectUntil, effectUntil[u] >= today, let treatment,
                treatment.effects(user: u, state: s, today: today, multiplier: multiplier, affected: affected)
            {
                return FastSampler.categorical(cumulative: treatedRow(base), using: &tg)
            }
            return FastSampler.categorical(
                cumulative: UnsafeBufferPointer(rebasing: cumulativeNext[base..<(base + S)]), using: &tg)
        }

        /// The cumulative row at `base` with the effects in `multiplier` and `affected` applied, in `modified`.
        @inline(__always)
        private func treatedRow(_ base: Int) -> UnsafeBufferPointer<Double> {
            ModelTables.probabilities(cumulative: cumulativeNext, base: base, count: S, into: modified)
            TransitionModifier.apply(
                modified, multiplier: UnsafeBufferPointer(multiplier), affected: UnsafeBufferPointer(affected))
            var sum = 0.0
            for k in 0..<S {
                sum += modified[k]
                modified[k] = sum
            }
            return UnsafeBufferPointer(modified)
        }

        /// Stores user `u`'s state for tomorrow and counts tonight's churn, paying users, revenue and trials.
        @inline(__always)
        private func settle(_ u: Int, next: Int) {
            state[u] = UInt8(next)
            let paying = billing[u] == Billing.subscribed && tables.planPriceCents[Int(plan[u])] > 0
            if next == churned {
                t[Tally.churned] += 1
                if paying { commerceOut[u] = CommerceEvent.cancelled.rawValue }
            } else if paying {
                t[Tally.payingUsers] += 1
                t[Tally.mrrCents] += Int(tables.planPriceCents[Int(plan[u])])
            } else if billing[u] == Billing.trial {
                t[Tally.trialUsers] += 1
            }
        }

        /// Counts user `u` among the weekly and monthly actives.
        @inline(__always)
        private func countActive(_ u: Int) {
            if lastActive[u] >= wauFrom { t[Tally.wau] += 1 }
            if lastActive[u] >= mauFrom { t[Tally.mau] += 1 }
        }
    }
}
