import Stats
public import UsageModel

/// Per-user intervention state shared by the policy engine (which writes it after an evaluation)
/// and the day loop (which reads it for tonight's transitions and tomorrow's plan changes).
///
/// Fixed size per user (invariant 6): a few bytes per user and channel, 8 per user and policy,
/// and a ring of the last ``InterventionSpec/rememberedDeliveries`` deliveries.
public final class TreatmentState: @unchecked Sendable {
    public static let globalControl: UInt8 = 0xFE

    public let spec: InterventionSpec
    let users: Int
    /// Arm of each user, or ``globalControl``.
    public let arm: Column<UInt8>
    /// Bit `c` set: consented to channel `c`.
    let consent: Column<UInt8>
    /// Bit `c` set: unsubscribed from channel `c`.
    public let unsubscribed: Column<UInt8>
    /// What the sends to the user cost, cents.
    public let spentCents: Column<Float>
    /// Day of the last send of policy `q` to user `u`, at `q·users + u`.
    let lastSend: Column<Int32>
    /// First day of the effect of policy `q`'s last opened message, and its strength after fatigue.
    let effectStart: Column<Int32>
    let effectScale: Column<Float>
    /// Last day any effect is active: the day loop skips everyone else.
    let effectUntil: Column<Int32>
    /// The next day's commerce step moves the user to a dearer plan.
    let pendingUpgrade: Column<Bool>
    /// The day the user answers a survey they opened (the day after), or ``never``.
    let surveyAnswerDay: Column<Int32>
    /// Whether a campaign ever gave the user something the day loop acts on (an effect or an accepted
    /// upgrade prompt). Everyone else lives exactly the days of the counterfactual run.
    public let altered: Column<Bool>
    /// Ring of the last deliveries: day and channel, next slot at `ringNext`.
    let deliveryDay: Column<Int32>
    let deliveryChannel: Column<UInt8>
    let ringNext: Column<UInt8>

    static let never = Int32.min / 2

    /// Index of user 0 in the whole population: arms, consent and sends are keyed by it.
    public let firstUser: Int

    /// The latent state of a user (local index) on a day just simulated, set by the simulator that
    /// owns this state: the response to an upgrade prompt whose probability depends on the state reads
    /// it, and nothing that decides whom a policy reaches does.
    var latentState: (@Sendable (Int, Int) -> UInt8)?

    /// - Parameters:
    ///   - account: each user's account (local to the block), for randomisation by account.
    ///   - firstAccount: index of account 0 in the whole population.
    public init(
        spec: InterventionSpec, users: Int, seed: UInt64, firstUser: Int = 0, account: Column<Int32>? = nil,
        firstAccount: Int = 0
    ) {
        precondition(spec.randomisation == .user || account != nil, "randomising accounts needs the accounts")
        self.spec = spec
        self.users = users
        self.firstUser = firstUser
        let q = spec.policies.count
        arm = Column(repeating: 0, count: users)
        consent = Column(repeating: 0, count: users)
        unsubscribed = Column(repeating: 0, count: users)
        spentCents = Column(repeating: 0, count: users)
        lastSend = Column(repeating: Self.never, count: q * users)
        effectStart = Column(repeating: Self.never, count: q * users)
        effectScale = Column(repeating: 0, count: q * users)
        effectUntil = Column(repeating: Self.never, count: users)
        pendingUpgrade = Column(repeating: false, count: users)
        surveyAnswerDay = Column(repeating: Self.never, count: users)
        altered = Column(repeating: false, count: users)
        let r = InterventionSpec.rememberedDeliveries
        deliveryDay = Column(repeating: Self.never, count: r * users)
        deliveryChannel = Column(repeating: 0, count: r * users)
        ringNext = Column(repeating: 0, count: users)
        for u in 0..<users {
            let unit = spec.randomisation == .account ? firstAccount + Int(account![u]) : firstUser + u
            arm[u] = Self.assign(unit: unit, seed: seed, spec: spec)
            var g = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.consent, UInt64(firstUser + u), 0))
            var bits: UInt8 = 0
            for (c, settings) in spec.channels.enumerated() where FastSampler.uniform(&g) < settings.consent {
                bits |= 1 << UInt8(c)
            }
            consent[u] = bits
        }
    }

    /// Bytes per user for a spec, for the memory estimate.
    public static func bytesPerUser(_ spec: InterventionSpec) -> Int {
        1 + 1 + 1 + 4 + 4 + 1 + 4 + 1 + 1 + spec.policies.count * (4 + 4 + 4) + InterventionSpec.rememberedDeliveries
            * 5
    }

    /// The arm of a unit (a user, or an account with all its users): a hash of (seed, unit) decides global
    /// control first, then the arm by weight, so a unit keeps its arm across runs of the same seed whatever
    /// else changes. Accounts draw from their own streams (second key 1), users from theirs (0).
    public static func assign(unit: Int, seed: UInt64, spec: InterventionSpec) -> UInt8 {
        let kind: UInt64 = spec.randomisation == .account ? 1 : 0
        var g = SplitMix64(seed: StreamKey.derive(seed, StreamPurpose.arm, UInt64(unit), kind))
        if FastSampler.uniform(&g) < spec.globalControlShare { return globalControl }
        let total = spec.arms.reduce(0) { $0 + $1.weight }
        let x = FastSampler.uniform(&g) * total
        var sum = 0.0
        for (i, arm) in spec.arms.enumerated() {
            sum += arm.weight
            if x < sum { return UInt8(i) }
        }
        return UInt8(spec.arms.count - 1)
    }

    /// Deliveries to the user since `fromDay` (inclusive), on one channel or all.
    func deliveries(user u: Int, since fromDay: Int32, channel: Int? = nil) -> Int {
        let r = InterventionSpec.rememberedDeliveries
        var count = 0
        for i in 0..<r where deliveryDay[u * r + i] >= fromDay {
            if channel == nil || Int(deliveryChannel[u * r + i]) == channel { count += 1 }
        }
        return count
    }

    func recordDelivery(user u: Int, day: Int32, channel: Int) {
        let r = InterventionSpec.rememberedDeliveries
        let slot = Int(ringNext[u])
        deliveryDay[u * r + slot] = day
        deliveryChannel[u * r + slot] = UInt8(channel)
        ringNext[u] = UInt8((slot + 1) % r)
    }
}
