import UsageModel

/// One event on its way to the log: indices instead of strings and times as integers, so a day's
/// events cost 32 bytes each and the day loop allocates nothing per user-day (invariant 6).
///
/// Times are milliseconds since 00:00 UTC of the scenario's start date.
struct LogEvent {
    var timestamp: Int64
    var received: Int64
    var user: Int32
    /// The simulated day that produced the event; a late one is written on a later day.
    var day: Int32
    /// Position among the events generated for (user, day), lost ones included: unique per user-day.
    var seq: UInt32
    /// Index into ``TemplateLayout``: the event's name and rendered properties.
    var template: UInt16
    /// ``EventKind`` raw value, for the counts.
    var kind: UInt8
    var flags: UInt8

    static let lateFlag: UInt8 = 1
    static let duplicateFlag: UInt8 = 2

    /// The write order: arrival time, then origin day, user and sequence, so no tie is left to a sort.
    @inline(__always)
    static func arrivesBefore(_ a: LogEvent, _ b: LogEvent) -> Bool {
        if a.received != b.received { return a.received < b.received }
        if a.day != b.day { return a.day < b.day }
        if a.user != b.user { return a.user < b.user }
        return a.seq < b.seq
    }
}

enum Millis {
    static let second: Int64 = 1000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000
}

/// Numbers every (kind, plan | feature | milestone | score) combination, so an event stores one
/// `UInt16` and its name and properties are rendered once per run instead of once per event.
struct TemplateLayout {
    let plans: Int
    let features: Int
    let milestones: Int

    static let signedUp = 0
    static let sessionStarted = 1
    static let keyAction = 2

    func trialStarted(plan: Int) -> Int { 3 + plan }
    func subscriptionStarted(plan: Int) -> Int { 3 + plans + plan }
    func trialEnded(plan: Int) -> Int { 3 + 2 * plans + plan }
    func subscriptionCancelled(plan: Int) -> Int { 3 + 3 * plans + plan }
    func planChanged(plan: Int, up: Bool) -> Int { 3 + 4 * plans + 2 * plan + (up ? 0 : 1) }
    func featureUsed(_ feature: Int) -> Int { 3 + 6 * plans + feature }
    func milestone(_ milestone: Int) -> Int { 3 + 6 * plans + features + milestone }
    func npsSubmitted(score: Int) -> Int { 3 + 6 * plans + features + milestones + score }
    /// The templates of usage caps and premium attempts come last, so the others keep their numbers.
    private var limitsBase: Int { 3 + 6 * plans + features + milestones + 11 }
    var capReachedKeyActions: Int { limitsBase }
    func capReached(feature: Int) -> Int { limitsBase + 1 + feature }
    func premiumAttempted(feature: Int) -> Int { limitsBase + 1 + features + feature }
    var count: Int { limitsBase + 1 + 2 * features }

    /// Kind, event name and properties (a JSON object's members, values already JSON) of a template.
    func definition(
        _ t: Int, directory: PopulationDirectory
    ) -> (kind: EventKind, name: String, properties: [(String, String)]) {
        func plan(_ p: Int) -> String { JSONText.string(directory.planNames[p]) }
        switch t {
        case TemplateLayout.signedUp: return (.signedUp, "signed_up", [])
        case TemplateLayout.sessionStarted: return (.sessionStarted, "session_started", [])
        case TemplateLayout.keyAction: return (.keyAction, "key_action", [])
        default: break
        }
        var i = t - 3
        if i < plans { return (.trialStarted, "trial_started", [("plan", plan(i))]) }
        i -= plans
        if i < plans { return (.subscriptionStarted, "subscription_started", [("plan", plan(i))]) }
        i -= plans
        if i < plans { return (.trialEnded, "trial_ended", [("plan", plan(i))]) }
        i -= plans
        if i < plans { return (.subscriptionCancelled, "subscription_cancelled", [("plan", plan(i))]) }
        i -= plans
        if i < 2 * plans {
            let direction = JSONText.string(i % 2 == 0 ? "up" : "down")
            return (.planChanged, "plan_changed", [("plan", plan(i / 2)), ("direction", direction)])
        }
        i -= 2 * plans
        if i < features {
            return (.featureUsed, "feature_used", [("feature", JSONText.string(directory.featureNames[i]))])
        }
        i -= features
        if i < milestones { return (.milestone, directory.milestoneNames[i], []) }
        i -= milestones
        if i < 11 { return (.npsSubmitted, "nps_submitted", [("score", String(i))]) }
        i -= 11
        if i == 0 { return (.capReached, "cap_reached", [("quantity", JSONText.string("key_actions"))]) }
        i -= 1
        if i < features {
            return (.capReached, "cap_reached", [("quantity", JSONText.string(directory.featureNames[i]))])
        }
        i -= features
        return (.premiumAttempted, "premium_attempted", [("feature", JSONText.string(directory.featureNames[i]))])
    }
}
