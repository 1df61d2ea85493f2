public import YAMLInput
import UsageModel

/// What the events of a log mean: which are sessions, key actions, uses of a feature, milestones, NPS
/// answers, sign-ups and billing changes, and which plans exist.
///
/// Real logs name events their own way; the taxonomy is the one place that maps them onto SegmentLab's
/// usage columns. `docs/importing.md` documents the YAML form key by key.
public struct Taxonomy: Sendable, Equatable {
    /// An event, optionally only when one of its properties has a given value.
    public struct Matcher: Sendable, Equatable {
        public var event: String
        public var property: String?
        /// Compared with a string property's text, or a number's or boolean's JSON text.
        public var value: String?

        public init(event: String, property: String? = nil, value: String? = nil) {
            self.event = event
            self.property = property
            self.value = value
        }
    }

    /// A feature or milestone and one way to recognise it; a name may appear in several rules.
    public struct NamedRule: Sendable, Equatable {
        public var name: String
        public var matcher: Matcher

        public init(name: String, matcher: Matcher) {
            self.name = name
            self.matcher = matcher
        }
    }

    /// An event that carries a value in a property: an NPS score (an integer 0–10), or an amount of money.
    public struct PropertyRule: Sendable, Equatable {
        public var event: String
        public var property: String

        public init(event: String, property: String) {
            self.event = event
            self.property = property
        }
    }

    /// Billing events and the properties that qualify them.
    public struct Commerce: Sendable, Equatable {
        /// The property naming the plan the user is on after the event.
        public var planProperty = "plan"
        /// → ``CommerceEvent/trialStarted``.
        public var trialStarted: [String] = []
        /// → ``CommerceEvent/subscribed`` on the user's sign-up day, ``CommerceEvent/converted`` later.
        public var subscriptionStarted: [String] = []
        /// → ``CommerceEvent/trialExpired``.
        public var trialEnded: [String] = []
        /// → ``CommerceEvent/upgraded`` or ``CommerceEvent/downgraded`` by the direction property.
        public var planChanged: [String] = []
        /// → ``CommerceEvent/cancelled``.
        public var subscriptionCancelled: [String] = []
        public var directionProperty = "direction"
        public var upValues = ["up"]
        public var downValues = ["down"]

        public init() {}
    }

    /// A plan's monthly price, in cents.
    public struct PlanPrice: Sendable, Equatable {
        public var plan: String
        public var cents: Int64

        public init(plan: String, cents: Int64) {
            self.plan = plan
            self.cents = cents
        }
    }

    /// Plan names: the plan column holds an index into this list.
    public var plans: [String] = []
    /// Monthly prices by plan name, in cents, as `plan_prices` gives them (empty: not given).
    public var planPrices: [PlanPrice] = []
    public var signUps: [String] = []
    public var sessions: [String] = []
    public var keyActions: [String] = []
    /// Feature bits follow the order in which names first appear.
    public var features: [NamedRule] = []
    /// Milestone bits follow the order in which names first appear.
    public var milestones: [NamedRule] = []
    public var nps: [PropertyRule] = []
    /// Events carrying an amount of money (a purchase's value): summed per user-day.
    public var revenue: [PropertyRule] = []
    /// Events that mark their user-day as one on which a usage cap of the plan was reached.
    public var capReached: [String] = []
    /// Ways to recognise an attempt to use a feature the user's plan does not include; each rule's name
    /// is one of the ``features``.
    public var premiumAttempts: [NamedRule] = []
    public var commerce = Commerce()
    /// Events known to carry no usage: skipped and counted apart from unknown ones.
    public var ignored: [String] = []
    /// Take `anonymousId` (CSV `anonymous_id`) as the user when the user id is empty.
    public var useAnonymousID = false
    /// Compare event names lower-cased with spaces as `_`, so Segment's `Trial Started` is `trial_started`.
    public var normalizeEventNames = false

    public init() {}

    /// Each plan's monthly price in cents, in the order of ``plans``; `nil` without `plan_prices`.
    public var planPriceCents: [Int64]? {
        guard !planPrices.isEmpty else { return nil }
        return plans.map { plan in planPrices.first { $0.plan == plan }?.cents ?? 0 }
    }

    /// Feature names in bit order.
    public var featureNames: [String] { Taxonomy.distinct(features.map(\.name)) }
    /// Milestone names in bit order.
    public var milestoneNames: [String] { Taxonomy.distinct(milestones.map(\.name)) }

    /// The taxonomy of logs written by SegmentLab's simulator (`docs/event-log-format.md`) for a scenario's
    /// features, milestones and plans (with their monthly prices in cents, when given).
    public static func simulator(
        features: [String], milestones: [String], plans: [String], planPriceCents: [Int64]? = nil
    ) -> Taxonomy {
        var t = Taxonomy()
        t.plans = plans
        t.planPrices = zip(plans, planPriceCents ?? []).map { PlanPrice(plan: $0, cents: $1) }
        t.signUps = ["signed_up"]
        t.sessions = ["session_started"]
        t.keyActions = ["key_action"]
        t.features = features.map {
            NamedRule(name: $0, matcher: Matcher(event: "feature_used", property: "feature", value: $0))
        }
        t.milestones = milestones.map { NamedRule(name: $0, matcher: Matcher(event: $0)) }
        t.nps = [PropertyRule(event: "nps_submitted", property: "score")]
        t.capReached = ["cap_reached"]
        t.premiumAttempts = features.map {
            NamedRule(name: $0, matcher: Matcher(event: "premium_attempted", property: "feature", value: $0))
        }
        t.commerce.trialStarted = ["trial_started"]
        t.commerce.subscriptionStarted = ["subscription_started"]
        t.commerce.trialEnded = ["trial_ended"]
        t.commerce.planChanged = ["plan_changed"]
        t.commerce.subscriptionCancelled = ["subscription_cancelled"]
        return t
    }

    static let maxFeatures = 32
    static let maxMilestones = 16
    /// The plan of a day is packed with its time in 32 bits, which leaves five bits for it.
    static let maxPlans = 31

    static func distinct(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// Problems no YAML reader can see: limits, conflicts and duplicates. Paths are those of the YAML form.
    func problems() -> [(path: String, message: String)] {
        var problems: [(String, String)] = []
        func check(_ names: [String], _ path: String) {
            var seen = Set<String>()
            for (i, name) in names.enumerated() {
                if name.isEmpty { problems.append(("\(path)[\(i)]", "must not be empty")) }
                if !seen.insert(name).inserted { problems.append(("\(path)[\(i)]", "'\(name)' is listed twice")) }
            }
        }
        check(plans, "plans")
        check(signUps, "sign_ups")
        check(sessions, "sessions")
        check(keyActions, "key_actions")
        check(ignored, "ignore")
        check(capReached, "cap_reached")
        if plans.count > Taxonomy.maxPlans {
            problems.append(("plans", "too many plans: \(plans.count), at most \(Taxonomy.maxPlans)"))
        }
        if featureNames.count > Taxonomy.maxFeatures {
            problems.append(("features", "too many features: \(featureNames.count), at most \(Taxonomy.maxFeatures)"))
        }
        if milestoneNames.count > Taxonomy.maxMilestones {
            problems.append(
                ("milestones", "too many milestones: \(milestoneNames.count), at most \(Taxonomy.maxMilestones)"))
        }
        if !planPrices.isEmpty {
            for plan in planPrices.map(\.plan) where !plans.contains(plan) {
                problems.append(
                    ("plan_prices.\(plan)", "unknown plan '\(plan)'" + NameSuggestion.hint(for: plan, among: plans)))
            }
            let missing = plans.filter { plan in !planPrices.contains { $0.plan == plan } }
            if !missing.isEmpty {
                problems.append(
                    (
                        "plan_prices",
                        "no price for " + missing.map { "'\($0)'" }.joined(separator: ", ")
                            + ": give every plan of `plans` its monthly price"
                    ))
            }
        }
        let featureList = featureNames
        for (i, rule) in premiumAttempts.enumerated() where !rule.name.isEmpty && !featureList.contains(rule.name) {
            problems.append(
                (
                    "premium_attempts[\(i)].name",
                    "unknown feature '\(rule.name)': a premium attempt names one of the features"
                        + NameSuggestion.hint(for: rule.name, among: featureList)
                ))
        }
        for (kind, rules) in [
            ("features", features), ("milestones", milestones), ("premium_attempts", premiumAttempts),
        ] {
            for (i, rule) in rules.enumerated() {
                let path = "\(kind)[\(i)]"
                if rule.name.isEmpty { problems.append(("\(path).name", "must not be empty")) }
                if rule.matcher.event.isEmpty { problems.append(("\(path).event", "must not be empty")) }
                if rule.matcher.value != nil && rule.matcher.property == nil {
                    problems.append(("\(path).value", "a value needs a property to compare it with"))
                }
                if let property = rule.matcher.property, property.isEmpty {
                    problems.append(("\(path).property", "must not be empty"))
                }
            }
        }
        for (key, rules, what) in [("nps", nps, "a score"), ("revenue", revenue, "an amount")] {
            var events = Set<String>()
            for (i, rule) in rules.enumerated() {
                if rule.event.isEmpty { problems.append(("\(key)[\(i)].event", "must not be empty")) }
                if rule.property.isEmpty { problems.append(("\(key)[\(i)].property", "must not be empty")) }
                if !events.insert(rule.event).inserted {
                    problems.append(("\(key)[\(i)].event", "'\(rule.event)' already carries \(what)"))
                }
            }
        }
        var commerceKind: [String: String] = [:]
        for (key, names) in commerceLists {
            check(names, "commerce.\(key)")
            for (i, name) in names.enumerated() {
                if let other = commerceKind[name], other != key {
                    problems.append(("commerce.\(key)[\(i)]", "'\(name)' is already listed under commerce.\(other)"))
                } else {
                    commerceKind[name] = key
                }
            }
        }
        if commerce.planProperty.isEmpty { problems.append(("commerce.plan_property", "must not be empty")) }
        if commerce.directionProperty.isEmpty {
            problems.append(("commerce.direction.property", "must not be empty"))
        }
        for value in commerce.upValues where commerce.downValues.contains(value) {
            problems.append(("commerce.direction.down", "'\(value)' cannot mean both up and down"))
        }
        if !commerce.planChanged.isEmpty && (commerce.upValues.isEmpty || commerce.downValues.isEmpty) {
            problems.append(("commerce.direction", "plan changes need the values meaning up and down"))
        }
        let used = Set(roleEvents)
        for (i, name) in ignored.enumerated() where used.contains(name) {
            problems.append(("ignore[\(i)]", "'\(name)' is ignored but also given a meaning"))
        }
        if used.isEmpty {
            problems.append(("", "the taxonomy gives no event a meaning"))
        }
        return problems
    }

    var commerceLists: [(String, [String])] {
        [
            ("trial_started", commerce.trialStarted), ("subscription_started", commerce.subscriptionStarted),
            ("trial_ended", commerce.trialEnded), ("plan_changed", commerce.planChanged),
            ("subscription_cancelled", commerce.subscriptionCancelled),
        ]
    }

    /// Every event name given a meaning.
    var roleEvents: [String] {
        signUps + sessions + keyActions + features.map(\.matcher.event) + milestones.map(\.matcher.event)
            + nps.map(\.event) + revenue.map(\.event) + commerceLists.flatMap(\.1) + capReached
            + premiumAttempts.map(\.matcher.event)
    }
}

/// One problem of a taxonomy file, at its place: `taxonomy.yaml:12:7: features[2].value: …`.
public typealias TaxonomyProblem = InputProblem
/// A taxonomy that cannot be used, with every problem found in one pass, sorted by position.
public typealias TaxonomyError = InputError
