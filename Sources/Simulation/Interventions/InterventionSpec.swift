/// Campaigns triggered from segments and the experiment that randomises users into arms.
///
/// Names are resolved to indices when a scenario is read: segments and tags of the scenario's
/// segmentation, milestones and latent states of its behaviour model.
public struct InterventionSpec: Sendable {
    public var policies: [Policy]
    /// Reach and eligibility per channel, indexed by ``Channel/index``.
    public var channels: [ChannelSettings]
    public var fatigue: Fatigue
    public var arms: [Arm]
    /// Share of users who receive nothing from any policy, before the arms are drawn.
    public var globalControlShare: Double
    /// Outcomes are measured this many days after each user's index day (the first trigger).
    public var outcomeDays: Int
    /// The metric each arm is judged on, declared before the run: its p-values are adjusted across
    /// the arms alone; every other metric is exploratory.
    public var primaryMetric: ExperimentMetric = .retention
    /// Means are also compared winsorized: both arms capped at this quantile of the pooled values.
    public var winsorizeAt = 0.99
    /// What one more retained user is worth (currency), for the net value of targeting policies.
    public var valuePerRetainedUser = 0.0
    /// Features whose adoption is an outcome: used by the end of the outcome window (metric `adoption_NAME`).
    public var adoption: [AdoptionMetric] = []
    /// What is randomised into arms: each user, or each account with all its users.
    public var randomisation = Randomisation.user

    public init(
        policies: [Policy], channels: [ChannelSettings] = Channel.allCases.map(\.defaults),
        fatigue: Fatigue = Fatigue(),
        arms: [Arm], globalControlShare: Double = 0, outcomeDays: Int = 30
    ) {
        self.policies = policies
        self.channels = channels
        self.fatigue = fatigue
        self.arms = arms
        self.globalControlShare = globalControlShare
        self.outcomeDays = outcomeDays
    }

    /// The arm lifts are measured against.
    public var controlArm: Int { arms.firstIndex(where: \.isControl) ?? 0 }

    /// Arms compared with the control, in order.
    public var treatmentArms: [Int] { arms.indices.filter { $0 != controlArm } }

    /// Most policies a scenario may define: effects are tracked per user and policy.
    public static let maxPolicies = 16
    /// Most arms, global control excluded.
    public static let maxArms = 8
    /// Deliveries remembered per user for caps and fatigue.
    public static let rememberedDeliveries = 16
}

/// The outcomes an experiment measures per user, in the order they are reported.
public enum ExperimentMetric: String, CaseIterable, Sendable {
    /// A session in the 7 days ending `outcome_days` after the index day.
    case retention
    case activation
    case trialConversion = "trial_conversion"
    case expansion
    case revenuePerUser = "revenue_per_user"

    /// Position in the reported metrics.
    public var index: Int { Self.allCases.firstIndex(of: self)! }
}

/// The unit an experiment assigns to arms.
public enum Randomisation: String, Sendable, CaseIterable {
    case user
    /// Every user of an account in the same arm: no teammate of a treated user is in the control.
    case account
}

/// A feature whose adoption an experiment measures.
public struct AdoptionMetric: Sendable, Equatable {
    public var feature: Int
    public var name: String

    public init(feature: Int, name: String) {
        self.feature = feature
        self.name = name
    }
}

public enum Channel: String, CaseIterable, Sendable {
    case email
    case inApp = "in_app"
    case push
    case csmCall = "csm_call"

    public var index: Int { Self.allCases.firstIndex(of: self)! }

    /// Reach and consent typical of each channel; every value can be set in the scenario.
    public var defaults: ChannelSettings {
        switch self {
        case .email: ChannelSettings(consent: 0.9, delivered: 0.97, opened: 0.25, capMessages: 3, capDays: 7)
        case .inApp: ChannelSettings(consent: 1, delivered: 1, opened: 0.5, capMessages: 5, capDays: 7)
        case .push: ChannelSettings(consent: 0.5, delivered: 0.9, opened: 0.1, capMessages: 5, capDays: 7)
        case .csmCall: ChannelSettings(consent: 1, delivered: 0.7, opened: 0.9, capMessages: 1, capDays: 30)
        }
    }
}

public struct ChannelSettings: Sendable, Equatable {
    /// Share of users who consented to the channel (drawn once per user).
    public var consent: Double
    /// Chance a send is delivered (an e-mail not bouncing, an in-app message shown on the next visit,
    /// a call answered).
    public var delivered: Double
    /// Chance a delivered message is opened, seen or acted on; only then does it have an effect.
    public var opened: Double
    /// At most `capMessages` deliveries on the channel in any `capDays` days.
    public var capMessages: Int
    public var capDays: Int

    public init(consent: Double, delivered: Double, opened: Double, capMessages: Int, capDays: Int) {
        self.consent = consent
        self.delivered = delivered
        self.opened = opened
        self.capMessages = capMessages
        self.capDays = capDays
    }
}

public enum PolicyTrigger: Sendable, Equatable {
    /// The user is in the segment at an evaluation and was not at the one before.
    case entersSegment(Int)
    /// The user has been in the segment for at least `days` days (fires once per stay).
    case staysInSegment(Int, days: Int)
    /// The milestone is not reached by the given day of tenure (fires once).
    case milestoneMissed(Int, byDay: Int)
    /// The tag is set at an evaluation and was not at the one before.
    case tagAppears(Int)
}

/// A relative change of one latent transition probability, e.g. fading → engaged × 1.3.
public struct TransitionEffect: Sendable, Equatable {
    public var from: Int
    public var to: Int
    /// −1 … : 0.3 means the probability is multiplied by 1.3 at full strength.
    public var relativeChange: Double

    public init(from: Int, to: Int, relativeChange: Double) {
        self.from = from
        self.to = to
        self.relativeChange = relativeChange
    }
}

/// A relative change of one emission while an effect lasts: the session mean, a feature's daily use
/// probability or a milestone's daily hazard, e.g. a tooltip for a feature × 2.
public struct EmissionEffect: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case sessions
        case feature(Int)
        case milestone(Int)
    }

    public var target: Target
    /// −1 … : 1.0 means the mean or probability is doubled at full strength.
    public var relativeChange: Double

    public init(target: Target, relativeChange: Double) {
        self.target = target
        self.relativeChange = relativeChange
    }
}

public struct Policy: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A message: its effects act on behaviour.
        case message
        /// A short NPS survey: an opened one is answered the next day with this chance, the score drawn
        /// from the user's state as on any other day; it may carry effects like a message.
        case survey(answerProbability: Double)
    }

    public enum Reentry: String, Sendable, CaseIterable {
        /// A user receives the policy at most once.
        case once
        /// Every new trigger may send again, after the cooldown.
        case every
    }

    public var name: String
    public var trigger: PolicyTrigger
    public var channel: Channel
    /// Cost of one send, in cents of the scenario's currency.
    public var costCents: Double
    public var effects: [TransitionEffect]
    public var emissionEffects: [EmissionEffect] = []
    public var kind = Kind.message
    /// The effect falls linearly from full strength the day after an opened message to nothing
    /// after this many days.
    public var effectDays: Int
    public var cooldownDays: Int
    public var reentry: Reentry
    /// Chance that an opened message moves a paying user to the next dearer plan (upgrade prompts).
    public var upgradeProbability: Double
    /// The same chance by the user's latent state on the day of the send (one per state), replacing
    /// ``upgradeProbability`` when given: how a prompt converts depends on who reads it.
    public var upgradeByState: [Double]? = nil

    public init(
        name: String, trigger: PolicyTrigger, channel: Channel, costCents: Double, effects: [TransitionEffect],
        effectDays: Int, cooldownDays: Int, reentry: Reentry, upgradeProbability: Double = 0
    ) {
        self.name = name
        self.trigger = trigger
        self.channel = channel
        self.costCents = costCents
        self.effects = effects
        self.effectDays = effectDays
        self.cooldownDays = cooldownDays
        self.reentry = reentry
        self.upgradeProbability = upgradeProbability
    }

    /// Whether an opened send changes the user's days (transitions or emissions) while its effect lasts.
    public var hasBehaviourEffect: Bool { !effects.isEmpty || !emissionEffects.isEmpty }

    /// The chance an opened send is answered, 0 for a message.
    public var answerProbability: Double {
        if case .survey(let p) = kind { return p }
        return 0
    }
}

/// The more messages a user received lately, the less the next one does and the likelier they
/// unsubscribe.
public struct Fatigue: Sendable, Equatable {
    public var windowDays: Int
    /// Each delivery in the window multiplies the next effect by `1 − effectLossPerMessage`.
    public var effectLossPerMessage: Double
    /// Chance a delivered message leads to an unsubscribe from its channel, plus
    /// `unsubscribePerMessage` for each other delivery in the window.
    public var unsubscribeBase: Double
    public var unsubscribePerMessage: Double

    public init(
        windowDays: Int = 30, effectLossPerMessage: Double = 0.15, unsubscribeBase: Double = 0.002,
        unsubscribePerMessage: Double = 0.003
    ) {
        self.windowDays = windowDays
        self.effectLossPerMessage = effectLossPerMessage
        self.unsubscribeBase = unsubscribeBase
        self.unsubscribePerMessage = unsubscribePerMessage
    }
}

public struct Arm: Sendable, Equatable {
    public var name: String
    public var weight: Double
    /// Policies (indices) this arm's users receive; none for a holdout.
    public var policies: [Int]
    public var isControl: Bool

    public init(name: String, weight: Double, policies: [Int], isControl: Bool) {
        self.name = name
        self.weight = weight
        self.policies = policies
        self.isControl = isControl
    }
}
