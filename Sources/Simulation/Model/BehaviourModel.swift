public import UsageModel

/// Everything a simulation run needs, validated: the output of the scenario loader.
///
/// Indices rather than names are used throughout (state, feature, milestone and plan indices
/// into the arrays of ``BehaviourModel``) so the day loop never touches a string.
public struct SimulationSpec: Sendable {
    public var seed: UInt64
    public var startDate: CivilDate
    public var days: Int
    public var users: Int
    /// Users sign up uniformly over the first `signupDays` days (1 = everyone on day 0).
    public var signupDays: Int
    public var model: BehaviourModel
    public var dataQuality: DataQuality
    /// Campaigns and the experiment; `nil` runs the population untouched.
    public var interventions: InterventionSpec?

    public init(
        seed: UInt64, startDate: CivilDate, days: Int, users: Int, signupDays: Int, model: BehaviourModel,
        dataQuality: DataQuality, interventions: InterventionSpec? = nil
    ) {
        self.seed = seed
        self.startDate = startDate
        self.days = days
        self.users = users
        self.signupDays = signupDays
        self.model = model
        self.dataQuality = dataQuality
        self.interventions = interventions
    }
}

/// The population's behaviour: latent engagement states, personas, emissions, modifiers, commerce.
public struct BehaviourModel: Sendable {
    /// Latent states in declaration order. Exactly one is absorbing churn (``churnedState``).
    public var states: [LatentState]
    public var churnedState: Int
    public var features: [String]
    public var milestones: [Milestone]
    /// Milestones whose completion (all of them) makes a user activated.
    public var activationMilestones: [Int]
    public var personas: [Persona]
    public var habit: Habit?
    /// Teammates' activity feeds into a user's declines; `nil` without the modifier.
    public var teamInfluence: TeamInfluence?
    /// Multipliers of the session rate by weekday, Monday first (7 values).
    public var weekdayFactors: [Double]
    public var productChanges: [ProductChange]
    public var commerce: Commerce

    public init(
        states: [LatentState], churnedState: Int, features: [String], milestones: [Milestone],
        activationMilestones: [Int], personas: [Persona], habit: Habit?, teamInfluence: TeamInfluence? = nil,
        weekdayFactors: [Double], productChanges: [ProductChange], commerce: Commerce
    ) {
        self.teamInfluence = teamInfluence
        self.states = states
        self.churnedState = churnedState
        self.features = features
        self.milestones = milestones
        self.activationMilestones = activationMilestones
        self.personas = personas
        self.habit = habit
        self.weekdayFactors = weekdayFactors
        self.productChanges = productChanges
        self.commerce = commerce
    }

    /// Upper bounds the compact per-user columns rely on.
    public static let maxStates = 16
    public static let maxFeatures = 32
    public static let maxMilestones = 16
    public static let maxPersonas = 64
    public static let maxPlans = 64
}

public struct LatentState: Sendable, Equatable {
    public var name: String
    /// Engagement level; a move to a lower level is a decline, which habit makes less likely.
    public var level: Int

    public init(name: String, level: Int) {
        self.name = name
        self.level = level
    }
}

public struct Milestone: Sendable, Equatable {
    public var name: String
    /// Milestones that must be reached first (indices).
    public var requires: [Int]

    public init(name: String, requires: [Int]) {
        self.name = name
        self.requires = requires
    }
}

public struct Persona: Sendable {
    public var name: String
    /// Share of the population's users (all personas sum to 1).
    public var share: Double
    /// Plan index the persona's users trial and convert to.
    public var plan: Int
    /// Trial length in days; 0 means users pay for `plan` from sign-up.
    public var trialDays: Int
    public var teamSize: TeamSize
    /// Distribution of the first latent state (one probability per state; churned must be 0).
    public var initialStates: [Double]
    /// Behaviour in each latent state, indexed like ``BehaviourModel/states``. The churned
    /// state's entry is ignored: churned users do nothing.
    public var states: [StateBehaviour]

    public init(
        name: String, share: Double, plan: Int, trialDays: Int, teamSize: TeamSize, initialStates: [Double],
        states: [StateBehaviour]
    ) {
        self.name = name
        self.share = share
        self.plan = plan
        self.trialDays = trialDays
        self.teamSize = teamSize
        self.initialStates = initialStates
        self.states = states
    }
}

/// How many users an account (team) of a persona has.
public enum TeamSize: Sendable, Equatable {
    case fixed(Int)
    /// 1 + Poisson(mean − 1), capped at `max`.
    case poisson(mean: Double, max: Int)
    /// Lognormal with the given median and log-scale sigma, rounded, at least 1, capped at `max`.
    case lognormal(median: Double, sigma: Double, max: Int)
}

public struct StateBehaviour: Sendable {
    /// Daily transition probabilities to each state (a row of the persona's matrix; sums to 1).
    public var next: [Double]
    public var sessions: SessionModel
    /// Mean key actions per session (Poisson).
    public var keyActionsPerSession: Double
    /// Probability of using each feature on a day with at least one session.
    public var featureUse: [Double]
    /// Probability of reaching each milestone on a day with at least one session, once its
    /// prerequisites are met.
    public var milestoneHazard: [Double]
    /// Probability of answering an NPS survey on an active day.
    public var npsAnswerProbability: Double
    /// Weights of the scores 0…10 (11 values summing to 1); unused when nobody answers.
    public var npsScoreWeights: [Double]

    public init(
        next: [Double], sessions: SessionModel, keyActionsPerSession: Double, featureUse: [Double],
        milestoneHazard: [Double], npsAnswerProbability: Double, npsScoreWeights: [Double]
    ) {
        self.next = next
        self.sessions = sessions
        self.keyActionsPerSession = keyActionsPerSession
        self.featureUse = featureUse
        self.milestoneHazard = milestoneHazard
        self.npsAnswerProbability = npsAnswerProbability
        self.npsScoreWeights = npsScoreWeights
    }
}

/// Sessions a day.
public enum SessionModel: Sendable, Equatable {
    case poisson(mean: Double)
    /// Mean `mean`, variance `mean + mean² / dispersion` (gamma–Poisson mixture).
    case negativeBinomial(mean: Double, dispersion: Double)

    public var mean: Double {
        switch self {
        case .poisson(let m), .negativeBinomial(let m, _): return m
        }
    }
}

/// Recent usage feeds back into transitions.
///
/// `habit` is an exponentially weighted share of recent days with a session, with the given
/// half-life. Every transition to a lower-level state is multiplied by `1 − strength·(2·habit − 1)`
/// (fewer declines for habitual users, more for idle ones); the difference goes to staying put.
public struct Habit: Sendable, Equatable {
    public var halfLifeDays: Double
    public var strength: Double

    public init(halfLifeDays: Double, strength: Double) {
        self.halfLifeDays = halfLifeDays
        self.strength = strength
    }
}

/// Teammates feed into a user's transitions: every decline (a move to a lower-level state, churn the
/// lowest) is multiplied by `1 − strength·(2a − 1)`, with `a` the share of the user's teammates who had a
/// session in the 7 days before, so a user of a busy team declines less and one of an idle team more;
/// the difference goes to staying put. A user without teammates is unaffected (a = ½).
public struct TeamInfluence: Sendable, Equatable {
    public var strength: Double

    public init(strength: Double) {
        self.strength = strength
    }
}

/// A product release from a given day on that shifts emissions (segment drift).
public struct ProductChange: Sendable, Equatable {
    public var day: Int
    public var sessionFactor: Double
    public var keyActionFactor: Double
    /// Multiplier of each feature's use probability (1 for features not named).
    public var featureFactors: [Double]

    public init(day: Int, sessionFactor: Double, keyActionFactor: Double, featureFactors: [Double]) {
        self.day = day
        self.sessionFactor = sessionFactor
        self.keyActionFactor = keyActionFactor
        self.featureFactors = featureFactors
    }
}

public struct Plan: Sendable, Equatable {
    public var name: String
    /// Monthly price per seat in cents.
    public var monthlyPriceCents: Int64
    /// The most key actions a user of the plan can do in a calendar week (Monday to Sunday); 0 for no cap.
    public var keyActionsPerWeek: Int
    /// The most days of each feature's use in a calendar week, by feature index; 0 for no cap. Empty
    /// means no feature is capped.
    public var featureDaysPerWeek: [Int]
    /// Bit `f` set: the plan does not include feature `f`, so its users never use it; a day they would
    /// have is a premium attempt instead.
    public var lacking: UInt32

    public init(
        name: String, monthlyPriceCents: Int64, keyActionsPerWeek: Int = 0, featureDaysPerWeek: [Int] = [],
        lacking: UInt32 = 0
    ) {
        self.name = name
        self.monthlyPriceCents = monthlyPriceCents
        self.keyActionsPerWeek = keyActionsPerWeek
        self.featureDaysPerWeek = featureDaysPerWeek
        self.lacking = lacking
    }

    /// Whether the plan limits anything: a cap or a feature it lacks.
    public var hasLimits: Bool {
        keyActionsPerWeek > 0 || featureDaysPerWeek.contains { $0 > 0 } || lacking != 0
    }
}

public struct Commerce: Sendable {
    public var currency: String
    public var plans: [Plan]
    /// Plan of users whose trial ends without conversion; `nil` means they churn.
    public var fallbackPlan: Int?
    /// Probability of converting at the end of the trial, by latent state on that day.
    public var conversion: [Double]
    public var planChanges: [PlanChange]

    public init(currency: String, plans: [Plan], fallbackPlan: Int?, conversion: [Double], planChanges: [PlanChange]) {
        self.currency = currency
        self.plans = plans
        self.fallbackPlan = fallbackPlan
        self.conversion = conversion
        self.planChanges = planChanges
    }
}

/// A daily chance that a paying user on `from` moves to `to`, by latent state.
public struct PlanChange: Sendable, Equatable {
    public var from: Int
    public var to: Int
    public var dailyProbability: [Double]

    public init(from: Int, to: Int, dailyProbability: [Double]) {
        self.from = from
        self.to = to
        self.dailyProbability = dailyProbability
    }
}

/// Faults applied to the exported event log only (the simulation itself is exact).
public struct DataQuality: Sendable, Equatable {
    /// Probability that an event never reaches the log.
    public var lostEvents: Double
    /// Share of users who also appear under a second, unmerged id.
    public var duplicateUserShare: Double
    /// Share of a duplicated user's events logged under the second id.
    public var duplicateEventShare: Double
    /// Probability that an event arrives late.
    public var lateEventProbability: Double
    /// Delay of a late event in hours: lognormal with this median and log-scale sigma.
    public var lateDelayMedianHours: Double
    public var lateDelaySigma: Double

    public init(
        lostEvents: Double = 0, duplicateUserShare: Double = 0, duplicateEventShare: Double = 0,
        lateEventProbability: Double = 0, lateDelayMedianHours: Double = 6, lateDelaySigma: Double = 1
    ) {
        self.lostEvents = lostEvents
        self.duplicateUserShare = duplicateUserShare
        self.duplicateEventShare = duplicateEventShare
        self.lateEventProbability = lateEventProbability
        self.lateDelayMedianHours = lateDelayMedianHours
        self.lateDelaySigma = lateDelaySigma
    }

    public static let none = DataQuality()
}
