import Stats
import UsageModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// When in a day sessions start: the share of sessions starting in each UTC hour, in percent.
///
/// A working-hours curve for a population living near UTC: quiet at night (0.4 % an hour at
/// 03:00 and 04:00), climbing from 07:00 to a morning peak at 10:00 (8.8 %), a lunch dip at
/// 12:00, a second peak at 14:00 and a long evening tail. The 24 values sum to 100.
enum DiurnalProfile {
    static let hourlyPercent: [Double] = [
        1.2, 0.8, 0.5, 0.4, 0.4, 0.6,  // 00–05
        1.5, 3.0, 5.6, 8.0, 8.8, 8.5,  // 06–11
        6.9, 7.7, 8.5, 8.1, 7.2, 5.6,  // 12–17
        4.0, 3.3, 3.0, 2.6, 2.3, 1.5,  // 18–23
    ]

    /// Running sums of ``hourlyPercent`` scaled to end at exactly 1.
    static let cumulative: ContiguousArray<Double> = {
        let total = hourlyPercent.reduce(0, +)
        var sum = 0.0
        var c = ContiguousArray<Double>()
        for w in hourlyPercent {
            sum += w
            c.append(sum / total)
        }
        c[c.count - 1] = 1
        return c
    }()
}

/// Lays out a user's observed day as timed events: sessions from the diurnal profile with a
/// lognormal length, and everything done in a session at a uniform time inside one of them.
struct EventSynthesizer {
    let layout: TemplateLayout
    private let cumulativeHours = DiurnalProfile.cumulative
    /// Session windows of the current user-day, in milliseconds since midnight; reused.
    private var windowStart = ContiguousArray<Int64>()
    private var windowEnd = ContiguousArray<Int64>()

    /// Session length in minutes: lognormal with median 12 and log-scale sigma 0.8, so half of
    /// the sessions last 7–21 minutes and one in twenty over 45.
    static let sessionMu = log(12.0)
    static let sessionSigma = 0.8

    init(layout: TemplateLayout) {
        self.layout = layout
    }

    /// Whether a user-day produces no event at all: most do, and they cost no random stream.
    @inline(__always)
    static func isQuiet(_ usage: DayColumns, _ u: Int) -> Bool {
        usage.sessions[u] == 0 && usage.keyActions[u] == 0 && usage.features[u] == 0 && usage.milestones[u] == 0
            && usage.npsScore[u] < 0 && usage.commerce[u] == 0 && usage.limits[u] == 0 && usage.premiumAttempts[u] == 0
    }

    /// Appends user `u`'s events of the day to `batch`, in generation order (which is the `seq`).
    ///
    /// Sign-up events share the first session's start (or a diurnal time without sessions);
    /// key actions, features and milestones fall in a random session; NPS answers, plan changes and
    /// cancellations in a session when there is one; billing events (conversion, trial end) at a
    /// uniform time, as a nightly billing job would. A day with in-session activity but no session
    /// gets one unlogged window to place it in.
    mutating func append(
        user u: Int, usage: DayColumns, to batch: inout ContiguousArray<LogEvent>, rng: inout SplitMix64
    ) throws {
        let sessions = Int(usage.sessions[u])
        let keyActions = Int(usage.keyActions[u])
        let features = usage.features[u]
        let milestones = usage.milestones[u]
        let nps = Int(usage.npsScore[u])
        let plan = Int(usage.plan[u])
        guard let commerce = CommerceEvent(rawValue: usage.commerce[u]) else {
            throw invalid(usage, u, "unknown commerce code \(usage.commerce[u])")
        }
        if commerce != .none && plan >= layout.plans {
            throw invalid(usage, u, "plan index \(plan) but the directory names \(layout.plans) plans")
        }
        if features >> layout.features != 0 {
            let bit = 31 - features.leadingZeroBitCount
            throw invalid(usage, u, "feature bit \(bit) set but the directory names \(layout.features) features")
        }
        if milestones >> layout.milestones != 0 {
            let bit = 15 - milestones.leadingZeroBitCount
            throw invalid(usage, u, "milestone bit \(bit) set but the directory names \(layout.milestones) milestones")
        }
        if nps > 10 { throw invalid(usage, u, "NPS score \(nps) is above 10") }
        let limits = usage.limits[u]
        let capped = usage.cappedFeatures[u]
        let premium = usage.premiumAttempts[u]
        if (capped | premium) >> layout.features != 0 {
            let bit = 31 - (capped | premium).leadingZeroBitCount
            throw invalid(
                usage, u, "capped or premium feature bit \(bit) set but the directory names \(layout.features) features"
            )
        }

        let dayStart = Int64(usage.day) * Millis.day
        let user = Int32(u)
        let day = Int32(usage.day)
        var seq: UInt32 = 0
        @inline(__always)
        func push(_ time: Int64, _ template: Int, _ kind: EventKind) {
            let t = dayStart + time
            batch.append(
                LogEvent(
                    timestamp: t, received: t, user: user, day: day, seq: seq, template: UInt16(template),
                    kind: UInt8(kind.rawValue), flags: 0))
            seq += 1
        }

        windowStart.removeAll(keepingCapacity: true)
        windowEnd.removeAll(keepingCapacity: true)
        let windows = sessions > 0 ? sessions : (keyActions > 0 || features != 0 || milestones != 0 ? 1 : 0)
        var firstStart = Millis.day
        for _ in 0..<windows {
            let start = diurnalTime(&rng)
            let minutes = min(FastSampler.lognormal(mu: Self.sessionMu, sigma: Self.sessionSigma, using: &rng), 1440)
            windowStart.append(start)
            windowEnd.append(min(start + Int64(minutes * Double(Millis.minute)), Millis.day - 1))
            firstStart = min(firstStart, start)
        }

        if commerce == .trialStarted || commerce == .subscribed {
            let t = sessions > 0 ? firstStart : diurnalTime(&rng)
            push(t, TemplateLayout.signedUp, .signedUp)
            if commerce == .trialStarted {
                push(t, layout.trialStarted(plan: plan), .trialStarted)
            } else {
                push(t, layout.subscriptionStarted(plan: plan), .subscriptionStarted)
            }
        }
        for i in 0..<sessions {
            push(windowStart[i], TemplateLayout.sessionStarted, .sessionStarted)
        }
        for _ in 0..<keyActions {
            push(inSession(&rng), TemplateLayout.keyAction, .keyAction)
        }
        var bits = features
        while bits != 0 {
            push(inSession(&rng), layout.featureUsed(bits.trailingZeroBitCount), .featureUsed)
            bits &= bits - 1
        }
        var reached = milestones
        while reached != 0 {
            push(inSession(&rng), layout.milestone(reached.trailingZeroBitCount), .milestone)
            reached &= reached - 1
        }
        if nps >= 0 {
            push(windows > 0 ? inSession(&rng) : diurnalTime(&rng), layout.npsSubmitted(score: nps), .npsSubmitted)
        }
        switch commerce {
        case .converted:
            push(anyTime(&rng), layout.subscriptionStarted(plan: plan), .subscriptionStarted)
        case .trialExpired:
            push(anyTime(&rng), layout.trialEnded(plan: plan), .trialEnded)
        case .upgraded, .downgraded:
            let t = windows > 0 ? inSession(&rng) : diurnalTime(&rng)
            push(t, layout.planChanged(plan: plan, up: commerce == .upgraded), .planChanged)
        case .cancelled:
            let t = windows > 0 ? inSession(&rng) : diurnalTime(&rng)
            push(t, layout.subscriptionCancelled(plan: plan), .subscriptionCancelled)
        case .none, .trialStarted, .subscribed:
            break
        }
        // Last, so a day without them draws exactly what it drew before caps existed.
        if limits & UsageDay.Limit.keyActionsCapped != 0 {
            push(windows > 0 ? inSession(&rng) : diurnalTime(&rng), layout.capReachedKeyActions, .capReached)
        }
        var held = capped
        while held != 0 {
            let t = windows > 0 ? inSession(&rng) : diurnalTime(&rng)
            push(t, layout.capReached(feature: held.trailingZeroBitCount), .capReached)
            held &= held - 1
        }
        var tried = premium
        while tried != 0 {
            let t = windows > 0 ? inSession(&rng) : diurnalTime(&rng)
            push(t, layout.premiumAttempted(feature: tried.trailingZeroBitCount), .premiumAttempted)
            tried &= tried - 1
        }
    }

    /// A time of day (ms) from the diurnal profile: an hour by its weight, then uniform within it.
    @inline(__always)
    private func diurnalTime(_ rng: inout SplitMix64) -> Int64 {
        let hour = cumulativeHours.withUnsafeBufferPointer { FastSampler.categorical(cumulative: $0, using: &rng) }
        let within = min(Int64(FastSampler.uniform(&rng) * Double(Millis.hour)), Millis.hour - 1)
        return Int64(hour) * Millis.hour + within
    }

    /// A uniform time (ms) inside a uniformly chosen session window of the current user-day.
    @inline(__always)
    private func inSession(_ rng: inout SplitMix64) -> Int64 {
        let n = windowStart.count
        let i = n == 1 ? 0 : min(Int(FastSampler.uniform(&rng) * Double(n)), n - 1)
        let start = windowStart[i]
        let length = windowEnd[i] - start + 1
        return start + min(Int64(FastSampler.uniform(&rng) * Double(length)), length - 1)
    }

    @inline(__always)
    private func anyTime(_ rng: inout SplitMix64) -> Int64 {
        min(Int64(FastSampler.uniform(&rng) * Double(Millis.day)), Millis.day - 1)
    }

    private func invalid(_ usage: DayColumns, _ u: Int, _ message: String) -> EventLogError {
        .invalidInput("day \(usage.day), user \(PopulationDirectory.userID(u)): \(message)")
    }
}

/// A day's columns as raw pointers, for the per-user loop once their lengths have been checked
/// against the directory: no bounds check or retain per read.
struct DayColumns {
    let day: Int
    let sessions: UnsafeMutablePointer<UInt16>
    let keyActions: UnsafeMutablePointer<UInt16>
    let features: UnsafeMutablePointer<UInt32>
    let milestones: UnsafeMutablePointer<UInt16>
    let npsScore: UnsafeMutablePointer<Int8>
    let commerce: UnsafeMutablePointer<UInt8>
    let plan: UnsafeMutablePointer<UInt8>
    let signedUp: UnsafeMutablePointer<Bool>
    let limits: UnsafeMutablePointer<UInt8>
    let cappedFeatures: UnsafeMutablePointer<UInt32>
    let premiumAttempts: UnsafeMutablePointer<UInt32>

    /// Views `usage`, or throws unless every column has `userCount` entries.
    init(_ usage: UsageDay, userCount: Int) throws {
        let counts = [
            usage.sessions.count, usage.keyActions.count, usage.features.count, usage.milestones.count,
            usage.npsScore.count, usage.commerce.count, usage.plan.count, usage.signedUp.count,
            usage.limits.count, usage.cappedFeatures.count, usage.premiumAttempts.count,
        ]
        guard counts.allSatisfy({ $0 == userCount }) else {
            throw EventLogError.invalidInput(
                "day \(usage.day): usage columns have \(counts) entries for \(userCount) users")
        }
        day = usage.day
        sessions = usage.sessions.baseAddress
        keyActions = usage.keyActions.baseAddress
        features = usage.features.baseAddress
        milestones = usage.milestones.baseAddress
        npsScore = usage.npsScore.baseAddress
        commerce = usage.commerce.baseAddress
        plan = usage.plan.baseAddress
        signedUp = usage.signedUp.baseAddress
        limits = usage.limits.baseAddress
        cappedFeatures = usage.cappedFeatures.baseAddress
        premiumAttempts = usage.premiumAttempts.baseAddress
    }
}
