import Stats
public import UsageModel

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
    let columns: UserColumns
    let truth: TruthRecord
    let treatment: TreatmentTables?
    let tally: Column<Int>
    let tallyWidth: Int

    func run(worker: Int, users: Range<Int>) {
        let S = tables.stateCount
        let F = tables.featureCount
        let M = tables.milestoneCount
        let H = tables.habitLevels
        let churned = tables.churned
        let today = Int32(day)
        let c = columns
        let persona = c.persona.baseAddress
        let signupDay = c.signupDay.baseAddress
        let state = c.state.baseAddress
        let habit = c.habit.baseAddress
        let plan = c.plan.baseAddress
        let billing = c.billing.baseAddress
        let reached = c.reached.baseAddress
        let lastActive = c.lastActiveDay.baseAddress
        let signedUp = c.signedUp.baseAddress
        let sessionsOut = c.sessions.baseAddress
        let keyOut = c.keyActions.baseAddress
        let featureOut = c.features.baseAddress
        let milestoneOut = c.milestones.baseAddress
        let npsOut = c.npsScore.baseAddress
        let commerceOut = c.commerce.baseAddress
        let truthState = truth.state.baseAddress + truth.offset(day: day)
        let truthHabit = truth.habitLevel.baseAddress + truth.offset(day: day)
        let t = tally.baseAddress + worker * tallyWidth

        let featureFactor = factors.feature
        let decay = tables.habitDecay
        let wauFrom = today - 6
        let mauFrom = today - 27

        // Treated users: who has an effect or an accepted upgrade prompt, checked without touching
        // the treatment tables for everyone else.
        let effectUntil = treatment?.state.effectUntil.baseAddress
        let pendingUpgrade = treatment?.state.pendingUpgrade.baseAddress
        // Scratch for a treated user's transition row.
        let multiplier = UnsafeMutableBufferPointer<Double>.allocate(capacity: S)
        let affected = UnsafeMutableBufferPointer<Bool>.allocate(capacity: S)
        let modified = UnsafeMutableBufferPointer<Double>.allocate(capacity: S)
        defer {
            multiplier.deallocate()
            affected.deallocate()
            modified.deallocate()
        }

        tables.cumulativeNext.withUnsafeBufferPointer { cumulativeNext in
            tables.npsCumulative.withUnsafeBufferPointer { npsCumulative in
                for u in users {
                    sessionsOut[u] = 0
                    keyOut[u] = 0
                    featureOut[u] = 0
                    milestoneOut[u] = 0
                    npsOut[u] = -1
                    commerceOut[u] = CommerceEvent.none.rawValue
                    let signup = signupDay[u]
                    if signup > today {
                        signedUp[u] = false
                        truthState[u] = TruthRecord.notSignedUp
                        truthHabit[u] = 0
                        continue
                    }
                    signedUp[u] = true
                    let s = Int(state[u])
                    if s == churned {
                        truthState[u] = UInt8(s)
                        truthHabit[u] = 0
                        t[Tally.firstState + s] += 1
                        if lastActive[u] >= wauFrom { t[Tally.wau] += 1 }
                        if lastActive[u] >= mauFrom { t[Tally.mau] += 1 }
                        continue
                    }
                    let p = Int(persona[u])
                    let i = p * S + s
                    if signup == today {
                        t[Tally.signups] += 1
                        commerceOut[u] =
                            billing[u] == Billing.trial
                            ? CommerceEvent.trialStarted.rawValue : CommerceEvent.subscribed.rawValue
                    }

                    // Emissions.
                    var g = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.emission, UInt64(u), UInt64(day)))
                    let mean = factors.sessionMean[i]
                    var n = 0
                    if mean > 0 {
                        let k = tables.sessionDispersion[i]
                        let zero = factors.sessionZero[i]
                        if mean < DayFactors.inversionLimit {
                            n =
                                k > 0
                                ? FastSampler.negativeBinomial(
                                    mean: mean, dispersion: k, probabilityOfZero: zero, using: &g)
                                : FastSampler.poisson(mean: mean, probabilityOfZero: zero, using: &g)
                        } else {
                            n =
                                k > 0
                                ? FastSampler.negativeBinomial(mean: mean, dispersion: k, using: &g)
                                : FastSampler.poisson(mean: mean, using: &g)
                        }
                    }
                    if n > 0 {
                        let sessions = min(n, Int(UInt16.max))
                        sessionsOut[u] = UInt16(sessions)
                        lastActive[u] = today
                        t[Tally.dau] += 1
                        t[Tally.sessions] += sessions
                        let keyMean = Double(sessions) * tables.keyActionsPerSession[i] * factors.keyAction
                        let keys = min(FastSampler.poisson(mean: keyMean, using: &g), Int(UInt16.max))
                        keyOut[u] = UInt16(keys)
                        t[Tally.keyActions] += keys
                        var used: UInt32 = 0
                        for f in 0..<F where FastSampler.uniform(&g) < tables.featureUse[i * F + f] * featureFactor[f] {
                            used |= 1 << UInt32(f)
                        }
                        featureOut[u] = used
                        let before = reached[u]
                        var have = before
                        for m in 0..<M {
                            let bit = UInt16(1) << UInt16(m)
                            let needs = tables.milestoneRequires[m]
                            if have & bit == 0, have & needs == needs,
                                FastSampler.uniform(&g) < tables.milestoneHazard[i * M + m]
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
                        let answer = tables.npsAnswer[i]
                        if answer > 0, FastSampler.uniform(&g) < answer {
                            let row = UnsafeBufferPointer(rebasing: npsCumulative[(i * 11)..<(i * 11 + 11)])
                            let score = FastSampler.categorical(cumulative: row, using: &g)
                            npsOut[u] = Int8(score)
                            t[Tally.npsResponses] += 1
                            if score >= 9 { t[Tally.promoters] += 1 } else if score <= 6 { t[Tally.detractors] += 1 }
                        }
                    }

                    // Commerce.
                    var forcedChurn = false
                    var cg = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.commerce, UInt64(u), UInt64(day)))
                    if billing[u] == Billing.trial {
                        if today == signup + tables.trialDays[p] {
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
                                forcedChurn = true
                            }
                        }
                    } else if let pendingUpgrade, pendingUpgrade[u], let treatment {
                        // An upgrade prompt was accepted yesterday.
                        pendingUpgrade[u] = false
                        let target = treatment.dearerPlan[Int(plan[u])]
                        if target != plan[u] {
                            plan[u] = target
                            commerceOut[u] = CommerceEvent.upgraded.rawValue
                            t[Tally.upgrades] += 1
                        }
                    } else {
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

                    // Tonight's transition.
                    var level = 0
                    if H > 1 {
                        let h = habit[u] * decay + (1 - decay) * (n > 0 ? 1 : 0)
                        habit[u] = h
                        level = min(H - 1, Int(h * Float(H)))
                    }
                    truthState[u] = UInt8(s)
                    truthHabit[u] = UInt8(level)
                    t[Tally.firstState + s] += 1
                    var tg = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.transition, UInt64(u), UInt64(day)))
                    let base = ((p * S + s) * H + level) * S
                    let drawn: Int
                    if let effectUntil, effectUntil[u] >= today, let treatment,
                        treatment.effects(user: u, state: s, today: today, multiplier: multiplier, affected: affected)
                    {
                        var previous = 0.0
                        for k in 0..<S {
                            modified[k] = cumulativeNext[base + k] - previous
                            previous = cumulativeNext[base + k]
                        }
                        TransitionModifier.apply(
                            modified, multiplier: UnsafeBufferPointer(multiplier),
                            affected: UnsafeBufferPointer(affected))
                        var sum = 0.0
                        for k in 0..<S {
                            sum += modified[k]
                            modified[k] = sum
                        }
                        drawn = FastSampler.categorical(cumulative: UnsafeBufferPointer(modified), using: &tg)
                    } else {
                        drawn = FastSampler.categorical(
                            cumulative: UnsafeBufferPointer(rebasing: cumulativeNext[base..<(base + S)]), using: &tg)
                    }
                    let next = forcedChurn ? churned : drawn
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
                    if lastActive[u] >= wauFrom { t[Tally.wau] += 1 }
                    if lastActive[u] >= mauFrom { t[Tally.mau] += 1 }
                }
            }
        }
    }
}
