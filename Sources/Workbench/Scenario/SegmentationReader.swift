import Segmentation
import UsageModel
import YAMLInput
import Yams

/// Reads a `segmentation` section — inside a scenario or as a segments file of its own — and
/// compiles its rules against the product's vocabulary, reporting each rule error at its place:
/// the YAML position of the rule and the column inside it.
struct SegmentationReader {
    let reader: NodeReader

    static let keys = [
        "every", "activation", "feature_adoption", "usage_rate", "engagement", "segments", "tags", "at_risk",
    ]

    /// The section's spec and where each rule text sits, or `nil` after reporting problems.
    func read(_ node: Node, _ path: NodePath, defaultActivation: [String]?) -> (SegmentationSpec, [String: Node])? {
        guard let fields = reader.mapping(node, path, keys: Self.keys) else { return nil }
        var spec = SegmentationSpec.defaults
        spec.activation = defaultActivation
        var ruleNodes: [String: Node] = [:]
        var ok = true
        if let every = fields["every"] {
            let options = EvaluationInterval.allCases.map(\.rawValue)
            if let text = reader.string(every, path.key("every")), let value = EvaluationInterval(rawValue: text) {
                spec.every = value
            } else {
                reader.report(
                    path.key("every"),
                    "expected one of: " + options.joined(separator: ", ")
                        + NameSuggestion.hint(for: NodeReader.shown(every), among: options), at: every)
                ok = false
            }
        }
        if let activation = fields["activation"] {
            if let items = reader.list(activation, path.key("activation"), of: "milestones", count: 0...64) {
                let names = items.enumerated().compactMap { reader.string($1, path.key("activation").index($0)) }
                if names.count == items.count { spec.activation = names } else { ok = false }
            } else {
                ok = false
            }
        }
        if let adoption = fields["feature_adoption"] {
            let p = path.key("feature_adoption")
            if let f = reader.mapping(adoption, p, keys: ["habitual_days"]), let n = f["habitual_days"] {
                if let v = reader.integer(n, p.key("habitual_days"), in: 1...28) {
                    spec.habitualFeatureDays = v
                } else {
                    ok = false
                }
            } else if !NodeReader.isNull(adoption) {
                ok = false
            }
        }
        if let rate = fields["usage_rate"] {
            let p = path.key("usage_rate")
            if let f = reader.mapping(rate, p, keys: ["heavy_days", "moderate_days"]) {
                if let n = f["heavy_days"] {
                    if let v = reader.integer(n, p.key("heavy_days"), in: 1...28) {
                        spec.heavyDays = v
                    } else {
                        ok = false
                    }
                }
                if let n = f["moderate_days"] {
                    if let v = reader.integer(n, p.key("moderate_days"), in: 1...28) {
                        spec.moderateDays = v
                    } else {
                        ok = false
                    }
                }
                if spec.moderateDays > spec.heavyDays {
                    reader.report(
                        p, "moderate_days (\(spec.moderateDays)) must not exceed heavy_days (\(spec.heavyDays))",
                        at: rate)
                    ok = false
                }
            } else {
                ok = false
            }
        }
        if let engagement = fields["engagement"] {
            if let weights = readEngagement(engagement, path.key("engagement")) {
                spec.engagement = weights
            } else {
                ok = false
            }
        }
        if let segments = fields["segments"] {
            if let list = readRules(
                segments, path.key("segments"), noun: "segments", max: SegmentationSpec.maxSegments, into: &ruleNodes)
            {
                spec.segments = list
                if fields["tags"] == nil { spec.tags = [] }
            } else {
                ok = false
            }
        }
        if let tags = fields["tags"] {
            if let list = readRules(
                tags, path.key("tags"), noun: "tags", max: SegmentationSpec.maxTags, into: &ruleNodes)
            {
                spec.tags = list
            } else {
                ok = false
            }
        }
        if let atRisk = fields["at_risk"] {
            let p = path.key("at_risk")
            if let items = reader.list(atRisk, p, of: "segment names", count: 0...SegmentationSpec.maxSegments) {
                let names = items.enumerated().compactMap { reader.string($1, p.index($0)) }
                if names.count == items.count {
                    spec.atRisk = names
                    for (i, item) in items.enumerated() { ruleNodes["at_risk[\(i)]"] = item }
                } else {
                    ok = false
                }
            } else {
                ok = false
            }
        }
        return ok ? (spec, ruleNodes) : nil
    }

    /// Compiles a spec, turning rule errors into problems at the rule's position.
    func compile(
        _ spec: SegmentationSpec, ruleNodes: [String: Node], vocabulary: Vocabulary, path: NodePath, at node: Node?
    ) -> CompiledSegmentation? {
        do {
            return try CompiledSegmentation(spec, vocabulary: vocabulary)
        } catch {
            for problem in error.problems {
                let located = ruleNodes[problem.path]
                let message = (problem.column.map { "column \($0) of the rule: " } ?? "") + problem.message
                reader.report(path.key(problem.path), message, at: located ?? node)
            }
            return nil
        }
    }

    private func readRules(
        _ node: Node, _ path: NodePath, noun: String, max: Int, into nodes: inout [String: Node]
    ) -> [RuleDefinition]? {
        guard let items = reader.list(node, path, of: noun, count: 0...max) else { return nil }
        var result: [RuleDefinition] = []
        var names = NameTable(noun: String(noun.dropLast()))
        for (i, item) in items.enumerated() {
            let p = path.index(i)
            guard
                let fields = reader.mapping(
                    item, p, keys: ["name", "when", "description"], required: ["name", "when"]),
                let nameNode = fields["name"], let whenNode = fields["when"],
                let name = reader.name(nameNode, p.key("name"), of: names.noun),
                let when = reader.string(whenNode, p.key("when"), expected: "a rule")
            else { continue }
            if !names.add(name) {
                reader.report(p.key("name"), "duplicate \(names.noun) '\(name)'", at: nameNode)
                continue
            }
            let description = fields["description"].flatMap { reader.string($0, p.key("description")) }
            // Rule errors come back keyed `segments[i].when`, relative to the section.
            nodes["\(String(noun))[\(i)].when"] = whenNode
            result.append(RuleDefinition(name: name, when: when, description: description))
        }
        return result.count == items.count ? result : nil
    }

    private func readEngagement(_ node: Node, _ path: NodePath) -> EngagementWeights? {
        let keys = ["frequency", "depth", "breadth", "recency", "target_active_days", "target_key_actions"]
        guard let fields = reader.mapping(node, path, keys: keys) else { return nil }
        var w = EngagementWeights()
        var ok = true
        func set(_ key: String, _ bounds: NumberBounds, _ apply: (Double) -> Void) {
            guard let n = fields[key] else { return }
            if let v = reader.number(n, path.key(key), bounds) { apply(v) } else { ok = false }
        }
        set("frequency", .between(0, 1_000_000)) { w.frequency = $0 }
        set("depth", .between(0, 1_000_000)) { w.depth = $0 }
        set("breadth", .between(0, 1_000_000)) { w.breadth = $0 }
        set("recency", .between(0, 1_000_000)) { w.recency = $0 }
        set("target_active_days", .between(0, 1_000_000, lowerOpen: true)) { w.targetActiveDays = $0 }
        set("target_key_actions", .between(0, 1_000_000, lowerOpen: true)) { w.targetKeyActions = $0 }
        if ok, w.frequency + w.depth + w.breadth + w.recency <= 0 {
            reader.report(path, "the weights must not all be 0", at: node)
            ok = false
        }
        return ok ? w : nil
    }
}
