import YAMLInput

/// A billing event's kind before the sign-up day turns `subscription_started` into subscribed or converted.
enum CommerceKind: UInt8 {
    case none, trialStarted, subscriptionStarted, trialEnded, planChanged, cancelled
}

/// A property test that sets feature or milestone bits.
struct PropertyCondition {
    let slot: Int
    let value: ByteSpan
    let features: UInt32
    let milestones: UInt16
    var premium: UInt32 = 0
}

/// Everything one event name means, gathered from every section of the taxonomy. Plain data: its lists
/// live in the compiled taxonomy's pools, so reading a rule on the hot path copies no reference.
struct EventRule {
    var ignored = false
    var session = false
    var keyAction = false
    var signUp = false
    var features: UInt32 = 0
    var milestones: UInt16 = 0
    var capReached = false
    /// Features of which the event is a premium attempt.
    var premium: UInt32 = 0
    var npsSlot = -1
    var revenueSlot = -1
    var commerce = CommerceKind.none
    var planSlot = -1
    var directionSlot = -1
    /// Names of the properties this event is read for (a slot indexes them): `wantedCount` spans from
    /// `wanted`.
    var wanted: UnsafePointer<ByteSpan>?
    var wantedCount = 0
    var conditions: UnsafePointer<PropertyCondition>?
    var conditionCount = 0
}

/// The taxonomy turned into byte-level lookups for the hot path.
final class CompiledTaxonomy {
    let source: Taxonomy
    let names = ByteInterner(expected: 64)
    /// One rule per interned event name.
    let rules: UnsafeMutablePointer<EventRule>
    let ruleCount: Int
    let plans: [ByteSpan]
    let upValues: [ByteSpan]
    let downValues: [ByteSpan]
    let featureNames: [String]
    let milestoneNames: [String]
    /// The most properties one event is read for.
    let maxWanted: Int
    /// Keeps the bytes every span points into, and the pools.
    private var storage: [StableBytes] = []
    private let wantedPool: UnsafeMutablePointer<ByteSpan>
    private let conditionPool: UnsafeMutablePointer<PropertyCondition>

    /// A rule while it is gathered.
    private struct Draft {
        var rule: EventRule
        var wanted: [ByteSpan] = []
        var conditions: [PropertyCondition] = []

        mutating func slot(_ name: ByteSpan) -> Int {
            if let i = wanted.firstIndex(where: { $0.equals(name) }) { return i }
            wanted.append(name)
            return wanted.count - 1
        }
    }

    init(_ taxonomy: Taxonomy) throws(TaxonomyError) {
        let problems = taxonomy.problems()
        guard problems.isEmpty else {
            throw TaxonomyError(
                file: "taxonomy", problems: problems.map { TaxonomyProblem(path: $0.path, message: $0.message) })
        }
        source = taxonomy
        featureNames = taxonomy.featureNames
        milestoneNames = taxonomy.milestoneNames
        var storage: [StableBytes] = []
        func keep(_ text: String) -> ByteSpan {
            let bytes = StableBytes(text)
            storage.append(bytes)
            return bytes.span
        }
        plans = taxonomy.plans.map(keep)
        upValues = taxonomy.commerce.upValues.map(keep)
        downValues = taxonomy.commerce.downValues.map(keep)

        let names = self.names
        var drafts: [Draft] = []
        func update(_ event: String, _ body: (inout Draft) -> Void) {
            let (index, isNew) = names.intern(keep(event))
            if isNew { drafts.append(Draft(rule: EventRule())) }
            body(&drafts[index])
        }
        func add(_ matcher: Taxonomy.Matcher, features: UInt32, milestones: UInt16, premium: UInt32 = 0) {
            update(matcher.event) { d in
                if let property = matcher.property {
                    let slot = d.slot(keep(property))
                    let value = keep(matcher.value ?? "")
                    d.conditions.append(
                        PropertyCondition(
                            slot: slot, value: value, features: features, milestones: milestones, premium: premium))
                } else {
                    d.rule.features |= features
                    d.rule.milestones |= milestones
                    d.rule.premium |= premium
                }
            }
        }

        for name in taxonomy.ignored { update(name) { $0.rule.ignored = true } }
        for name in taxonomy.signUps { update(name) { $0.rule.signUp = true } }
        for name in taxonomy.sessions { update(name) { $0.rule.session = true } }
        for name in taxonomy.keyActions { update(name) { $0.rule.keyAction = true } }
        for rule in taxonomy.features {
            add(rule.matcher, features: UInt32(1) << UInt32(featureNames.firstIndex(of: rule.name)!), milestones: 0)
        }
        for rule in taxonomy.milestones {
            add(rule.matcher, features: 0, milestones: UInt16(1) << UInt16(milestoneNames.firstIndex(of: rule.name)!))
        }
        for name in taxonomy.capReached { update(name) { $0.rule.capReached = true } }
        for rule in taxonomy.premiumAttempts {
            add(
                rule.matcher, features: 0, milestones: 0,
                premium: UInt32(1) << UInt32(featureNames.firstIndex(of: rule.name)!))
        }
        for rule in taxonomy.nps {
            update(rule.event) { d in d.rule.npsSlot = d.slot(keep(rule.property)) }
        }
        for rule in taxonomy.revenue {
            update(rule.event) { d in d.rule.revenueSlot = d.slot(keep(rule.property)) }
        }
        let c = taxonomy.commerce
        let kinds: [(CommerceKind, [String])] = [
            (.trialStarted, c.trialStarted), (.subscriptionStarted, c.subscriptionStarted),
            (.trialEnded, c.trialEnded), (.planChanged, c.planChanged), (.cancelled, c.subscriptionCancelled),
        ]
        for (kind, events) in kinds {
            for event in events {
                update(event) { d in
                    d.rule.commerce = kind
                    d.rule.planSlot = d.slot(keep(c.planProperty))
                    if kind == .planChanged { d.rule.directionSlot = d.slot(keep(c.directionProperty)) }
                }
            }
        }

        // Flatten the drafts' lists into two pools.
        let wantedTotal = drafts.reduce(0) { $0 + $1.wanted.count }
        let conditionTotal = drafts.reduce(0) { $0 + $1.conditions.count }
        wantedPool = .allocate(capacity: max(wantedTotal, 1))
        conditionPool = .allocate(capacity: max(conditionTotal, 1))
        rules = .allocate(capacity: max(drafts.count, 1))
        ruleCount = drafts.count
        var w = 0
        var k = 0
        for (i, draft) in drafts.enumerated() {
            var rule = draft.rule
            (wantedPool + w).initialize(from: draft.wanted, count: draft.wanted.count)
            rule.wanted = UnsafePointer(wantedPool + w)
            rule.wantedCount = draft.wanted.count
            w += draft.wanted.count
            (conditionPool + k).initialize(from: draft.conditions, count: draft.conditions.count)
            rule.conditions = UnsafePointer(conditionPool + k)
            rule.conditionCount = draft.conditions.count
            k += draft.conditions.count
            (rules + i).initialize(to: rule)
        }
        maxWanted = drafts.map(\.wanted.count).max() ?? 0
        self.storage = storage
    }

    deinit {
        rules.deallocate()
        wantedPool.deallocate()
        conditionPool.deallocate()
    }

    /// The plan index of a property value, or -1.
    @inline(__always)
    func plan(_ value: ByteSpan) -> Int {
        for i in 0..<plans.count where plans[i].equals(value) { return i }
        return -1
    }
}
