import Foundation
import UsageModel
public import YAMLInput
import Yams

extension Taxonomy {
    /// Reads and checks a taxonomy file.
    ///
    /// - Throws: ``TaxonomyError`` with every problem, each at its line and column.
    public static func load(path: String) throws(TaxonomyError) -> Taxonomy {
        try parse(yaml: YAMLInput.read(path, noun: "taxonomy file"), file: path)
    }

    /// Reads and checks taxonomy YAML; `file` names it in messages.
    public static func parse(yaml: String, file: String = "taxonomy.yaml") throws(TaxonomyError) -> Taxonomy {
        guard let root = try YAMLInput.root(of: yaml, file: file) else {
            throw TaxonomyError(
                file: file, problems: [TaxonomyProblem(path: "", message: "the file is empty", line: 1, column: 1)])
        }
        let taxonomy = TaxonomyReader()
        let result = taxonomy.read(root)
        var problems = taxonomy.reader.problems
        if problems.isEmpty {
            // Limits and conflicts, once the structure is sound; placed at the node their path names.
            for (path, message) in result.problems() {
                let mark = taxonomy.marks[path] ?? root.mark
                problems.append(TaxonomyProblem(path: path, message: message, line: mark?.line, column: mark?.column))
            }
        }
        guard problems.isEmpty else {
            throw TaxonomyError(file: file, problems: problems, unkept: taxonomy.reader.unkeptProblems)
        }
        return result
    }
}

/// Walks the YAML tree of a taxonomy with the shared ``NodeReader``, which collects every problem instead
/// of stopping at the first.
final class TaxonomyReader {
    let reader = NodeReader()
    /// Where each path's value was written, to place problems found after reading.
    private(set) var marks: [String: Mark] = [:]

    static let topKeys = [
        "plans", "plan_prices", "sign_ups", "sessions", "key_actions", "features", "milestones", "nps", "revenue",
        "commerce",
        "ignore", "cap_reached", "premium_attempts",
        "use_anonymous_id", "normalize_event_names", "description",
    ]
    static let ruleKeys = ["name", "event", "property", "value"]
    static let propertyRuleKeys = ["event", "property"]
    static let commerceKeys = [
        "plan_property", "trial_started", "subscription_started", "trial_ended", "plan_changed",
        "subscription_cancelled", "direction",
    ]
    static let directionKeys = ["property", "up", "down"]

    func read(_ root: Node) -> Taxonomy {
        var t = Taxonomy()
        let path = NodePath.root
        guard let top = mapping(root, path, keys: TaxonomyReader.topKeys) else { return t }
        if let node = top["plans"] { t.plans = names(node, path.key("plans")) }
        if let node = top["plan_prices"] { t.planPrices = prices(node, path.key("plan_prices")) }
        if let node = top["sign_ups"] { t.signUps = names(node, path.key("sign_ups")) }
        if let node = top["sessions"] { t.sessions = names(node, path.key("sessions")) }
        if let node = top["key_actions"] { t.keyActions = names(node, path.key("key_actions")) }
        if let node = top["ignore"] { t.ignored = names(node, path.key("ignore")) }
        if let node = top["features"] { t.features = rules(node, path.key("features"), eventDefaultsToName: false) }
        if let node = top["milestones"] {
            t.milestones = rules(node, path.key("milestones"), eventDefaultsToName: true)
        }
        if let node = top["nps"] { t.nps = propertyRules(node, path.key("nps"), defaultProperty: "score") }
        if let node = top["revenue"] {
            t.revenue = propertyRules(node, path.key("revenue"), defaultProperty: "revenue")
        }
        if let node = top["cap_reached"] { t.capReached = names(node, path.key("cap_reached")) }
        if let node = top["premium_attempts"] {
            t.premiumAttempts = rules(node, path.key("premium_attempts"), eventDefaultsToName: false)
        }
        if let node = top["commerce"] { t.commerce = commerce(node, path.key("commerce")) }
        if let node = top["use_anonymous_id"] {
            t.useAnonymousID = reader.bool(node, path.key("use_anonymous_id")) ?? false
        }
        if let node = top["normalize_event_names"] {
            t.normalizeEventNames = reader.bool(node, path.key("normalize_event_names")) ?? false
        }
        if let node = top["description"] { _ = string(node, path.key("description")) }
        return t
    }

    // MARK: - Sections

    private func rules(_ node: Node, _ path: NodePath, eventDefaultsToName: Bool) -> [Taxonomy.NamedRule] {
        guard let items = reader.list(node, path) else { return [] }
        var result: [Taxonomy.NamedRule] = []
        for (i, item) in items.enumerated() {
            let here = path.index(i)
            guard let fields = mapping(item, here, keys: TaxonomyReader.ruleKeys) else { continue }
            let name = fields["name"].flatMap { string($0, here.key("name")) }
            if fields["name"] == nil { reader.report(here, "missing required key 'name'", at: item) }
            var event = fields["event"].flatMap { string($0, here.key("event")) }
            if fields["event"] == nil {
                if eventDefaultsToName {
                    event = name
                } else {
                    reader.report(here, "missing required key 'event'", at: item)
                }
            }
            let property = fields["property"].flatMap { string($0, here.key("property")) }
            var value = fields["value"].flatMap { string($0, here.key("value")) }
            if property != nil && fields["value"] == nil { value = name }
            if let name, let event {
                result.append(
                    Taxonomy.NamedRule(name: name, matcher: .init(event: event, property: property, value: value)))
            }
        }
        return result
    }

    /// `nps` and `revenue`: a rule or a list of rules, each an event and the property holding its value.
    private func propertyRules(_ node: Node, _ path: NodePath, defaultProperty: String) -> [Taxonomy.PropertyRule] {
        let items: [(Node, NodePath)]
        if case .mapping = node {
            items = [(node, path)]
        } else if let list = reader.list(node, path, expected: "a mapping or a list of mappings") {
            items = list.enumerated().map { ($0.element, path.index($0.offset)) }
        } else {
            return []
        }
        var result: [Taxonomy.PropertyRule] = []
        for (item, here) in items {
            guard let fields = mapping(item, here, keys: TaxonomyReader.propertyRuleKeys) else { continue }
            if fields["event"] == nil { reader.report(here, "missing required key 'event'", at: item) }
            let event = fields["event"].flatMap { string($0, here.key("event")) }
            let property = fields["property"].flatMap { string($0, here.key("property")) } ?? defaultProperty
            if let event { result.append(Taxonomy.PropertyRule(event: event, property: property)) }
        }
        return result
    }

    private func commerce(_ node: Node, _ path: NodePath) -> Taxonomy.Commerce {
        var c = Taxonomy.Commerce()
        guard let fields = mapping(node, path, keys: TaxonomyReader.commerceKeys) else { return c }
        if let n = fields["plan_property"], let s = string(n, path.key("plan_property")) { c.planProperty = s }
        if let n = fields["trial_started"] { c.trialStarted = names(n, path.key("trial_started")) }
        if let n = fields["subscription_started"] {
            c.subscriptionStarted = names(n, path.key("subscription_started"))
        }
        if let n = fields["trial_ended"] { c.trialEnded = names(n, path.key("trial_ended")) }
        if let n = fields["plan_changed"] { c.planChanged = names(n, path.key("plan_changed")) }
        if let n = fields["subscription_cancelled"] {
            c.subscriptionCancelled = names(n, path.key("subscription_cancelled"))
        }
        let direction = path.key("direction")
        if let n = fields["direction"], let d = mapping(n, direction, keys: TaxonomyReader.directionKeys) {
            if let p = d["property"], let s = string(p, direction.key("property")) { c.directionProperty = s }
            if let u = d["up"] { c.upValues = names(u, direction.key("up")) }
            if let v = d["down"] { c.downValues = names(v, direction.key("down")) }
        }
        return c
    }

    // MARK: - Values

    /// A mapping whose keys are all among `keys`, with the place of it and of each value noted.
    private func mapping(_ node: Node, _ path: NodePath, keys: [String]) -> MappingFields? {
        note(path, node)
        guard let fields = reader.mapping(node, path, keys: keys) else { return nil }
        for entry in fields.entries { note(path.key(entry.name), entry.value) }
        return fields
    }

    /// Event or plan names: a list of strings, or one string for a list of one.
    private func names(_ node: Node, _ path: NodePath) -> [String] {
        if case .scalar = node, let one = string(node, path) {
            note(path.index(0), node)
            return [one]
        }
        guard let items = reader.list(node, path, expected: "a name or a list of names") else { return [] }
        return items.enumerated().compactMap { i, item in
            note(path.index(i), item)
            return string(item, path.index(i))
        }
    }

    /// `plan_prices: {PLAN: monthly price, …}`, in cents.
    private func prices(_ node: Node, _ path: NodePath) -> [Taxonomy.PlanPrice] {
        guard let entries = reader.entries(node, path) else { return [] }
        note(path, node)
        return entries.compactMap { entry in
            let here = path.key(entry.name)
            note(here, entry.key)
            return reader.cents(entry.value, here).map { Taxonomy.PlanPrice(plan: entry.name, cents: $0) }
        }
    }

    /// A string, which a taxonomy never leaves empty: every string names an event, a property or a value.
    private func string(_ node: Node, _ path: NodePath) -> String? {
        guard let text = reader.string(node, path) else { return nil }
        if text.isEmpty {
            reader.report(path, "must not be empty", at: node)
            return nil
        }
        return text
    }

    private func note(_ path: NodePath, _ node: Node) {
        if let mark = node.mark, marks[path.description] == nil { marks[path.description] = mark }
    }
}
