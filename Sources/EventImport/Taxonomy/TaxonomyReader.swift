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
        let root: Node?
        do {
            root = try YAMLInput.compose(yaml)
        } catch {
            throw TaxonomyError(file: file, problems: [TaxonomyProblem(yamlError: error)])
        }
        guard let root else {
            throw TaxonomyError(
                file: file, problems: [TaxonomyProblem(path: "", message: "the file is empty", line: 1, column: 1)])
        }
        let reader = TaxonomyReader()
        let taxonomy = reader.read(root)
        var problems = reader.problems
        if problems.isEmpty {
            // Limits and conflicts, once the structure is sound; placed at the node their path names.
            for (path, message) in taxonomy.problems() {
                let mark = reader.marks[path] ?? root.mark
                problems.append(TaxonomyProblem(path: path, message: message, line: mark?.line, column: mark?.column))
            }
        }
        guard problems.isEmpty else {
            throw TaxonomyError(file: file, problems: problems, unkept: reader.unkeptProblems)
        }
        return taxonomy
    }
}

/// Walks the YAML tree of a taxonomy, collecting every problem instead of stopping at the first.
final class TaxonomyReader {
    private(set) var problems: [TaxonomyProblem] = []
    /// Where each path's value was written, to place problems found after reading.
    private(set) var marks: [String: Mark] = [:]

    static let topKeys = [
        "plans", "sign_ups", "sessions", "key_actions", "features", "milestones", "nps", "commerce", "ignore",
        "use_anonymous_id", "normalize_event_names", "description",
    ]
    static let ruleKeys = ["name", "event", "property", "value"]
    static let npsKeys = ["event", "property"]
    static let commerceKeys = [
        "plan_property", "trial_started", "subscription_started", "trial_ended", "plan_changed",
        "subscription_cancelled", "direction",
    ]
    static let directionKeys = ["property", "up", "down"]

    func read(_ root: Node) -> Taxonomy {
        var t = Taxonomy()
        guard let top = mapping(root, "", keys: TaxonomyReader.topKeys) else { return t }
        if let node = top["plans"] { t.plans = names(node, "plans") }
        if let node = top["sign_ups"] { t.signUps = names(node, "sign_ups") }
        if let node = top["sessions"] { t.sessions = names(node, "sessions") }
        if let node = top["key_actions"] { t.keyActions = names(node, "key_actions") }
        if let node = top["ignore"] { t.ignored = names(node, "ignore") }
        if let node = top["features"] { t.features = rules(node, "features", eventDefaultsToName: false) }
        if let node = top["milestones"] { t.milestones = rules(node, "milestones", eventDefaultsToName: true) }
        if let node = top["nps"] { t.nps = npsRules(node) }
        if let node = top["commerce"] { t.commerce = commerce(node) }
        if let node = top["use_anonymous_id"] { t.useAnonymousID = bool(node, "use_anonymous_id") ?? false }
        if let node = top["normalize_event_names"] {
            t.normalizeEventNames = bool(node, "normalize_event_names") ?? false
        }
        if let node = top["description"] { _ = string(node, "description") }
        return t
    }

    // MARK: - Sections

    private func rules(_ node: Node, _ path: String, eventDefaultsToName: Bool) -> [Taxonomy.NamedRule] {
        guard let items = list(node, path) else { return [] }
        var result: [Taxonomy.NamedRule] = []
        for (i, item) in items.enumerated() {
            let here = "\(path)[\(i)]"
            guard let fields = mapping(item, here, keys: TaxonomyReader.ruleKeys) else { continue }
            let name = fields["name"].flatMap { string($0, here + ".name") }
            if fields["name"] == nil { report(here, "missing required key 'name'", at: item) }
            var event = fields["event"].flatMap { string($0, here + ".event") }
            if fields["event"] == nil {
                if eventDefaultsToName {
                    event = name
                } else {
                    report(here, "missing required key 'event'", at: item)
                }
            }
            let property = fields["property"].flatMap { string($0, here + ".property") }
            var value = fields["value"].flatMap { string($0, here + ".value") }
            if property != nil && fields["value"] == nil { value = name }
            if let name, let event {
                result.append(
                    Taxonomy.NamedRule(name: name, matcher: .init(event: event, property: property, value: value)))
            }
        }
        return result
    }

    private func npsRules(_ node: Node) -> [Taxonomy.NPSRule] {
        let items: [(Node, String)]
        if case .mapping = node {
            items = [(node, "nps")]
        } else if let list = list(node, "nps", expected: "a mapping or a list of mappings") {
            items = list.enumerated().map { ($0.element, "nps[\($0.offset)]") }
        } else {
            return []
        }
        var result: [Taxonomy.NPSRule] = []
        for (item, here) in items {
            guard let fields = mapping(item, here, keys: TaxonomyReader.npsKeys) else { continue }
            if fields["event"] == nil { report(here, "missing required key 'event'", at: item) }
            let event = fields["event"].flatMap { string($0, here + ".event") }
            let property = fields["property"].flatMap { string($0, here + ".property") } ?? "score"
            if let event { result.append(Taxonomy.NPSRule(event: event, property: property)) }
        }
        return result
    }

    private func commerce(_ node: Node) -> Taxonomy.Commerce {
        var c = Taxonomy.Commerce()
        guard let fields = mapping(node, "commerce", keys: TaxonomyReader.commerceKeys) else { return c }
        if let n = fields["plan_property"], let s = string(n, "commerce.plan_property") { c.planProperty = s }
        if let n = fields["trial_started"] { c.trialStarted = names(n, "commerce.trial_started") }
        if let n = fields["subscription_started"] { c.subscriptionStarted = names(n, "commerce.subscription_started") }
        if let n = fields["trial_ended"] { c.trialEnded = names(n, "commerce.trial_ended") }
        if let n = fields["plan_changed"] { c.planChanged = names(n, "commerce.plan_changed") }
        if let n = fields["subscription_cancelled"] {
            c.subscriptionCancelled = names(n, "commerce.subscription_cancelled")
        }
        if let n = fields["direction"],
            let d = mapping(n, "commerce.direction", keys: TaxonomyReader.directionKeys)
        {
            if let p = d["property"], let s = string(p, "commerce.direction.property") { c.directionProperty = s }
            if let u = d["up"] { c.upValues = names(u, "commerce.direction.up") }
            if let v = d["down"] { c.downValues = names(v, "commerce.direction.down") }
        }
        return c
    }

    // MARK: - Values

    /// A mapping whose keys are all among `keys`; unknown ones are reported with a suggestion.
    private func mapping(_ node: Node, _ path: String, keys: [String]) -> [String: Node]? {
        note(path, node)
        guard case .mapping(let mapping) = node else {
            report(path, "expected a mapping, got \(shown(node))", at: node)
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report(path, "keys must be plain names, got \(shown(key))", at: key)
                continue
            }
            let name = scalar.string
            let here = path.isEmpty ? name : "\(path).\(name)"
            guard keys.contains(name) else {
                if let hint = NameSuggestion.closest(to: name, among: keys) {
                    report(here, "unknown key; did you mean '\(hint)'?", at: key)
                } else {
                    report(here, "unknown key; allowed here: \(keys.joined(separator: ", "))", at: key)
                }
                continue
            }
            note(here, value)
            if !isNull(value) { result[name] = value }
        }
        return result
    }

    private func list(_ node: Node, _ path: String, expected: String = "a list") -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(path, "expected \(expected), got \(shown(node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// Event or plan names: a list of strings, or one string for a list of one.
    private func names(_ node: Node, _ path: String) -> [String] {
        if case .scalar = node, let one = string(node, path) {
            note("\(path)[0]", node)
            return [one]
        }
        guard let items = list(node, path, expected: "a name or a list of names") else { return [] }
        return items.enumerated().compactMap { i, item in
            note("\(path)[\(i)]", item)
            return string(item, "\(path)[\(i)]")
        }
    }

    private func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            report(path, "expected a string, got \(shown(node))", at: node)
            return nil
        }
        if scalar.string.isEmpty {
            report(path, "must not be empty", at: node)
            return nil
        }
        return scalar.string
    }

    private func bool(_ node: Node, _ path: String) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Bool.construct(from: scalar) else {
            report(path, "expected true or false, got \(shown(node))", at: node)
            return nil
        }
        return value
    }

    // MARK: - Helpers

    private func note(_ path: String, _ node: Node) {
        if let mark = node.mark, marks[path] == nil { marks[path] = mark }
    }

    /// Problems past 1000 are counted, not kept: a file of a million mistakes costs no more than its reading.
    private(set) var unkeptProblems = 0

    private func report(_ path: String, _ message: @autoclosure () -> String, at node: Node?) {
        guard problems.count < 1000 else {
            unkeptProblems += 1
            return
        }
        problems.append(
            TaxonomyProblem(path: path, message: message(), line: node?.mark?.line, column: node?.mark?.column))
    }

    private func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private func shown(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return "nothing" }
            let text = scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string
            return "'\(text)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
