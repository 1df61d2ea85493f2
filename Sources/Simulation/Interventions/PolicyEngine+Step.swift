import Foundation
import Segmentation
import Stats
import UsageModel

extension PolicyEngine {
    /// Triggers, index days and sends of one evaluation day for a range of users.
    /// - Returns: the (comparison, user) pairs indexed today, in user order.
    func step(day: Int, users: Range<Int>, tally: UnsafeMutablePointer<Int>) -> [(comparison: Int, user: Int)] {
        let memberships = engine.history[engine.history.count - 1]
        let previous = engine.history.count > 1 ? engine.history[engine.history.count - 2] : nil
        let tags = engine.tags
        let windows = engine.windows!
        let today = Int32(day)
        let control = spec.controlArm
        let comparisons = spec.treatmentArms
        let armMasks = spec.arms.map { arm in arm.policies.reduce(UInt32(0)) { $0 | (1 << UInt32($1)) } }
        var indexed: [(comparison: Int, user: Int)] = []
        for u in users {
            let segment = memberships[u]
            guard segment != SegmentationEngine.notSignedUp else { continue }
            let before = previous?[u] ?? SegmentationEngine.notSignedUp
            if segment != before {
                segmentSince[u] = today
                // A new stay: stay triggers may fire again.
                fired[u] &= ~stayMask
            }
            let tagBits = tags[u]
            let newTags = tagBits & ~previousTags[u]
            previousTags[u] = tagBits
            let arm = treatment.arm[u]
            guard arm != TreatmentState.globalControl else { continue }

            // Which policies trigger today.
            var firing: UInt32 = 0
            for (q, policy) in spec.policies.enumerated() {
                let bit = UInt32(1) << UInt32(q)
                switch policy.trigger {
                case .entersSegment(let s):
                    if Int(segment) == s, Int(before) != s { firing |= bit }
                case .staysInSegment(let s, let days):
                    if Int(segment) == s, today - segmentSince[u] >= Int32(days), fired[u] & bit == 0 {
                        firing |= bit
                        fired[u] |= bit
                    }
                case .milestoneMissed(let m, let byDay):
                    if today - signupDay[u] >= Int32(byDay), fired[u] & bit == 0,
                        !windows.hasReached(milestone: m, user: u)
                    {
                        firing |= bit
                        fired[u] |= bit
                    }
                case .tagAppears(let t):
                    if newTags & (1 << UInt32(t)) != 0 { firing |= bit }
                }
            }
            guard firing != 0 else { continue }

            for (k, a) in comparisons.enumerated()
            where (Int(arm) == a || Int(arm) == control) && firing & armMasks[a] != 0 && indexDays[k][u] == Self.none {
                indexDays[k][u] = today
                indexed.append((k, u))
            }
            guard Int(arm) != control else { continue }
            for q in spec.arms[Int(arm)].policies where firing & (1 << UInt32(q)) != 0 {
                send(policy: q, user: u, day: today, tally: tally + q * PolicyCounters.width)
            }
        }
        return indexed
    }

    /// Eligibility, then delivery, opening, unsubscribing and the effect of one triggered policy.
    /// Counter slots: triggered, sends, delivered, opened, unsubscribes, upgrades, then the reasons
    /// for not sending (already sent, cooldown, no consent, unsubscribed, frequency cap).
    func send(policy q: Int, user u: Int, day: Int32, tally t: UnsafeMutablePointer<Int>) {
        let policy = spec.policies[q]
        let channel = policy.channel.index
        let settings = spec.channels[channel]
        let n = treatment.users
        let channelBit = UInt8(1) << UInt8(channel)
        t[0] += 1
        let last = treatment.lastSend[q * n + u]
        if policy.reentry == .once, last != TreatmentState.never {
            t[6] += 1
            return
        }
        if last != TreatmentState.never, day - last < Int32(policy.cooldownDays) {
            t[7] += 1
            return
        }
        if treatment.consent[u] & channelBit == 0 {
            t[8] += 1
            return
        }
        if treatment.unsubscribed[u] & channelBit != 0 {
            t[9] += 1
            return
        }
        if treatment.deliveries(user: u, since: day - Int32(settings.capDays) + 1, channel: channel)
            >= settings.capMessages
        {
            t[10] += 1
            return
        }
        t[1] += 1
        treatment.lastSend[q * n + u] = day
        treatment.spentCents[u] += Float(policy.costCents)
        // Five draws, always in this order, from a stream of this user, day and policy.
        var g = SplitMix64(
            seed: StreamKey.derive(
                seed, StreamPurpose.send, UInt64(treatment.firstUser + u), UInt64(day) * 64 + UInt64(q)))
        let delivered = FastSampler.uniform(&g) < settings.delivered
        let opened = FastSampler.uniform(&g) < settings.opened
        let unsubscribeDraw = FastSampler.uniform(&g)
        let upgradeDraw = FastSampler.uniform(&g)
        let answerDraw = FastSampler.uniform(&g)
        guard delivered else { return }
        t[2] += 1
        let fatigue = spec.fatigue
        let recent = treatment.deliveries(user: u, since: day - Int32(fatigue.windowDays) + 1)
        treatment.recordDelivery(user: u, day: day, channel: channel)
        if unsubscribeDraw < fatigue.unsubscribeBase + fatigue.unsubscribePerMessage * Double(recent),
            policy.channel != .csmCall
        {
            treatment.unsubscribed[u] |= channelBit
            t[4] += 1
        }
        guard opened else { return }
        t[3] += 1
        let strength = pow(1 - fatigue.effectLossPerMessage, Double(recent))
        if policy.hasBehaviourEffect {
            treatment.effectStart[q * n + u] = day + 1
            treatment.effectScale[q * n + u] = Float(strength)
            treatment.effectUntil[u] = max(treatment.effectUntil[u], day + Int32(policy.effectDays))
            treatment.altered[u] = true
        }
        if upgradeDraw < upgradeProbability(policy, user: u, day: day) * strength {
            treatment.pendingUpgrade[u] = true
            treatment.altered[u] = true
            t[5] += 1
        }
        // An answer changes what is observed, not behaviour: the user is not altered by it.
        if answerDraw < policy.answerProbability { treatment.surveyAnswerDay[u] = day + 1 }
    }

    /// The chance that user `u` accepts an opened upgrade prompt of `policy` sent on `day`: the policy's
    /// number, or its value for the user's latent state that day. The state decides the user's response
    /// only; which users a policy reaches still follows from observed usage alone.
    @inline(__always)
    func upgradeProbability(_ policy: Policy, user u: Int, day: Int32) -> Double {
        guard let byState = policy.upgradeByState else { return policy.upgradeProbability }
        guard let state = treatment.latentState?(u, Int(day)), Int(state) < byState.count else { return 0 }
        return byState[Int(state)]
    }
}
