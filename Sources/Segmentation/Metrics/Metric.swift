/// Names of what a population's product has: the part of the catalog that differs between products.
public struct Vocabulary: Sendable, Equatable {
    public var features: [String]
    public var milestones: [String]
    public var plans: [String]
    /// Each plan's monthly price in cents, in the order of ``plans``; `nil` when the prices are not
    /// known (a taxonomy without `plan_prices`), which leaves `account.mrr` out of the catalog.
    public var planPriceCents: [Int64]?

    public init(features: [String], milestones: [String], plans: [String], planPriceCents: [Int64]? = nil) {
        precondition(planPriceCents.map { $0.count == plans.count } ?? true, "one price per plan")
        self.features = features
        self.milestones = milestones
        self.plans = plans
        self.planPriceCents = planPriceCents
    }
}

/// What a metric computes; the catalog maps each ``MetricID`` to one of these.
enum Metric: Sendable, Equatable {
    case daysSinceSession, daysSinceKeyAction
    case sessions1, sessions7, sessions28
    case keyActions1, keyActions7, keyActions28, keyActionsLastWeek
    case activeDays7, activeDays28, activeDaysLastWeek
    case trendRatio, trendChange
    case engagementScore, stickiness, usageRate
    case tenureDays, plan, trial, cancelled
    case lifecycle, nps, npsScore
    case activated, daysSinceActivation
    case capReachedDays28, premiumAttempts28
    case featureAdoption(Int)
    case featureDays7(Int)
    case featureDays28(Int)
    case featurePremiumAttempts28(Int)
    case milestone(Int)
    case milestoneDaysSince(Int)
    case accountSeats, accountActiveSeats, accountActiveSeatShare, accountEngagementScore, accountKeyActions28
    case accountMRR
    case accountFeatureAdoptionShare(Int)

    var isAccountLevel: Bool {
        switch self {
        case .accountSeats, .accountActiveSeats, .accountActiveSeatShare, .accountEngagementScore,
            .accountKeyActions28, .accountMRR, .accountFeatureAdoptionShare:
            return true
        default:
            return false
        }
    }
}

/// Options of the choice metrics, in the order of their codes.
public enum MetricOptions {
    public static let adoption = ["never", "tried", "habitual"]
    public static let usageRate = ["none", "light", "moderate", "heavy"]
    public static let lifecycle = ["none", "new", "returning", "resurrecting", "dormant"]
    public static let nps = ["none", "detractor", "passive", "promoter"]
}

extension MetricCatalog {
    /// The full catalog of a product: user metrics, then per feature and milestone, then account metrics.
    static func standard(_ v: Vocabulary) -> (MetricCatalog, [Metric]) {
        var catalog = MetricCatalog()
        var metrics: [Metric] = []
        func add(_ name: String, _ kind: MetricKind, _ metric: Metric, _ help: String) {
            catalog.add(name, kind, help: help)
            metrics.append(metric)
        }
        add(
            "days_since_session", .number, .daysSinceSession,
            "days since the last session, or since sign-up before the first")
        add(
            "days_since_key_action", .number, .daysSinceKeyAction,
            "days since the last key (meaningful) action, or since sign-up before the first")
        add("sessions_1", .number, .sessions1, "sessions today")
        add("sessions_7", .number, .sessions7, "sessions in the last 7 days, today included")
        add("sessions_28", .number, .sessions28, "sessions in the last 28 days")
        add("key_actions_1", .number, .keyActions1, "key actions today")
        add("key_actions_7", .number, .keyActions7, "key actions in the last 7 days")
        add("key_actions_28", .number, .keyActions28, "key actions in the last 28 days")
        add("key_actions_this_week", .number, .keyActions7, "key actions in the last 7 days (same as key_actions_7)")
        add("key_actions_last_week", .number, .keyActionsLastWeek, "key actions in the 7 days before those")
        add("active_days_7", .number, .activeDays7, "days with a key action in the last 7")
        add("active_days_28", .number, .activeDays28, "days with a key action in the last 28")
        add("active_days_this_week", .number, .activeDays7, "same as active_days_7")
        add("active_days_last_week", .number, .activeDaysLastWeek, "days with a key action in the 7 days before those")
        add(
            "trend_ratio", .number, .trendRatio,
            "key_actions_this_week / key_actions_last_week (NaN when last week had none)")
        add("trend_change", .number, .trendChange, "key_actions_this_week − key_actions_last_week")
        add("engagement_score", .number, .engagementScore, "weighted engagement score, 0–100")
        add("stickiness", .number, .stickiness, "active_days_28 / 28")
        add("usage_rate", .choice(MetricOptions.usageRate), .usageRate, "none, light, moderate or heavy by active days")
        add("tenure_days", .number, .tenureDays, "days since sign-up (0 on the sign-up day)")
        add("plan", .choice(v.plans), .plan, "current plan")
        add("trial", .flag, .trial, "in a trial that has not ended")
        add("cancelled", .flag, .cancelled, "the subscription was cancelled")
        add(
            "lifecycle", .choice(MetricOptions.lifecycle), .lifecycle,
            "PostHog-style lifecycle over the evaluation interval")
        add("nps", .choice(MetricOptions.nps), .nps, "category of the last NPS answer")
        add("nps_score", .number, .npsScore, "last NPS score, 0–10 (NaN if none)")
        add("activated", .flag, .activated, "reached every activation milestone")
        add("days_since_activation", .number, .daysSinceActivation, "days since activation (infinite if not)")
        add(
            "cap_reached_days_28", .number, .capReachedDays28,
            "days in the last 28 on which a usage cap of the plan held the user back")
        add(
            "premium_attempts_28", .number, .premiumAttempts28,
            "days in the last 28 on which the user tried a feature their plan does not include")
        for (f, name) in v.features.enumerated() {
            add("feature.\(name)", .choice(MetricOptions.adoption), .featureAdoption(f), "adoption of \(name)")
            add("feature.\(name).days_7", .number, .featureDays7(f), "days \(name) was used in the last 7")
            add("feature.\(name).days_28", .number, .featureDays28(f), "days \(name) was used in the last 28")
            add(
                "feature.\(name).premium_attempts_28", .number, .featurePremiumAttempts28(f),
                "days in the last 28 on which the user tried \(name) without it on their plan")
        }
        for (m, name) in v.milestones.enumerated() {
            add("milestone.\(name)", .flag, .milestone(m), "\(name) reached")
            add(
                "milestone.\(name).days_since", .number, .milestoneDaysSince(m),
                "days since \(name) was reached (infinite if not)")
        }
        add("account.seats", .number, .accountSeats, "signed-up users of the account")
        add("account.active_seats", .number, .accountActiveSeats, "users of the account with a key action in 7 days")
        add("account.active_seat_share", .number, .accountActiveSeatShare, "active seats / seats")
        add("account.engagement_score", .number, .accountEngagementScore, "mean engagement score of the seats")
        add("account.key_actions_28", .number, .accountKeyActions28, "key actions of all seats in the last 28 days")
        if v.planPriceCents != nil {
            add(
                "account.mrr", .number, .accountMRR,
                "monthly recurring revenue: the monthly prices of the seats' plans, trials and cancelled seats left out"
            )
        } else {
            catalog.withhold(
                "account.mrr",
                because: "needs each plan's monthly price: give the taxonomy a plan_prices mapping (docs/importing.md)")
        }
        for (f, name) in v.features.enumerated() {
            add(
                "account.feature.\(name).adoption_share", .number, .accountFeatureAdoptionShare(f),
                "share of seats that have tried or habitually use \(name)")
        }
        return (catalog, metrics)
    }
}
