import Segmentation
import Simulation
import UsageModel
import YAMLInput
import Yams

/// Turns a composed YAML document into a ``SimulationSpec``, reporting every problem on the way.
///
/// Sections are read in the order their names are needed (features and milestones, then states, plans,
/// personas), not the order they are written; problems are sorted by position afterwards. Nothing is built
/// while any problem is known, so a value read wrongly never reaches the simulator.
final class ScenarioBuilder {
    let reader = NodeReader()

    var days: Int?
    var features = NameTable(noun: "feature")
    var milestones = NameTable(noun: "milestone")
    /// Prerequisites by milestone index.
    var milestoneRequires: [[Int]] = []
    var states = NameTable(noun: "state")
    /// What each state declares, by state index.
    var stateInfo: [StateInfo] = []
    var plans = NameTable(noun: "plan")

    static let topKeys = [
        "name", "description", "seed", "start_date", "days", "population", "features", "milestones", "activation",
        "states", "personas", "modifiers", "commerce", "data_quality", "segmentation",
        "interventions", "analysis",
    ]
    static let requiredTopKeys = ["name", "start_date", "days", "population", "states", "personas", "commerce"]

    struct Result {
        var name: String
        var description: String?
        var spec: SimulationSpec
        var segmentation: CompiledSegmentation
        var horizonDays: Int
    }

    /// The validated scenario, or `nil` when ``NodeReader/problems`` lists why not.
    func build(_ root: Node) -> Result? {
        guard let top = reader.mapping(root, .root, keys: Self.topKeys, required: Self.requiredTopKeys) else {
            return nil
        }
        let name = required(top, "name", scenarioName)
        let description = optional(top, "description", default: String?.none) { reader.string($0, $1) }
        let seed = optional(top, "seed", default: 1) { reader.unsigned($0, $1) }
        let startDate = required(top, "start_date", date)
        days = required(top, "days") { reader.integer($0, $1, in: 1...3650) }
        let population = required(top, "population", readPopulation)

        readFeatures(top["features"], top.path.key("features"))
        readMilestones(top["milestones"], top.path.key("milestones"))
        let activation = optional(top, "activation", default: Array(0..<milestones.count), readActivation)
        readStates(top["states"], top.path.key("states"))
        if top["commerce"] == nil { plans.isComplete = false }
        let commerce = required(top, "commerce", readCommerce)
        let personas = required(top, "personas", readPersonas)
        let modifiers = optional(top, "modifiers", default: Modifiers(), readModifiers)
        let dataQuality = optional(top, "data_quality", default: DataQuality.none, readDataQuality)
        let segmentation = readSegmentation(top, activation: activation, commerce: commerce)
        let horizonDays = optional(top, "analysis", default: 28, readAnalysis)
        var interventions: InterventionSpec?
        if let node = top["interventions"], let segmentation {
            // Policies name segments and tags: read them only once the segmentation compiled.
            interventions = readInterventions(node, top.path.key("interventions"), segmentation: segmentation)
        }

        guard reader.problems.isEmpty, let name, let description, let seed, let startDate, let days,
            let population, let activation, let commerce, let personas, let modifiers, let dataQuality,
            let segmentation, let horizonDays, (interventions != nil) == (top["interventions"] != nil),
            let churned = stateInfo.firstIndex(where: \.isAbsorbing)
        else { return nil }

        // Churn counts as the lowest level whatever is stored; storing one below the rest keeps that visible.
        let lowest = (stateInfo.compactMap(\.level).min() ?? 0) - 1
        let model = BehaviourModel(
            states: stateInfo.map { LatentState(name: $0.name, level: $0.level ?? lowest) },
            churnedState: churned,
            features: features.names,
            milestones: zip(milestones.names, milestoneRequires).map { Milestone(name: $0, requires: $1) },
            activationMilestones: activation,
            personas: personas,
            habit: modifiers.habit,
            teamInfluence: modifiers.teamInfluence,
            weekdayFactors: modifiers.weekdayFactors,
            productChanges: modifiers.productChanges,
            commerce: commerce
        )
        let spec = SimulationSpec(
            seed: seed, startDate: startDate, days: days, users: population.users,
            signupDays: population.signupDays, model: model, dataQuality: dataQuality, interventions: interventions
        )
        return Result(
            name: name, description: description, spec: spec, segmentation: segmentation, horizonDays: horizonDays)
    }

    /// The `segmentation` section (the seeds' defaults when absent), compiled against the product's names.
    func readSegmentation(_ top: MappingFields, activation: [Int]?, commerce: Commerce?) -> CompiledSegmentation? {
        // Rules name features, milestones and plans: check them only once those were read cleanly.
        guard features.isComplete, milestones.isComplete, plans.isComplete else { return nil }
        let segments = SegmentationReader(reader: reader)
        let path = top.path.key("segmentation")
        let activationNames = activation.map { $0.map { milestones.names[$0] } }
        var spec = SegmentationSpec.defaults
        spec.activation = activationNames
        var nodes: [String: Node] = [:]
        if let node = top["segmentation"] {
            guard let (read, ruleNodes) = segments.read(node, path, defaultActivation: activationNames) else {
                return nil
            }
            spec = read
            nodes = ruleNodes
        }
        // With commerce in error (reported already) the prices stand at 0, so the rules are still checked.
        let prices = commerce?.plans.map(\.monthlyPriceCents) ?? Array(repeating: 0, count: plans.names.count)
        let vocabulary = Vocabulary(
            features: features.names, milestones: milestones.names, plans: plans.names, planPriceCents: prices)
        return segments.compile(spec, ruleNodes: nodes, vocabulary: vocabulary, path: path, at: top["segmentation"])
    }

    /// The `analysis` section: the churn and outcome horizon in days.
    func readAnalysis(_ node: Node, _ path: NodePath) -> Int? {
        guard let fields = reader.mapping(node, path, keys: ["horizon_days"]) else { return nil }
        guard let n = fields["horizon_days"] else { return 28 }
        return reader.integer(n, path.key("horizon_days"), in: 1...365)
    }

    // MARK: - Reading fields

    /// A required key's value; its absence was reported when the mapping was read.
    func required<T>(_ fields: MappingFields, _ key: String, _ read: (Node, NodePath) -> T?) -> T? {
        fields[key].flatMap { read($0, fields.path.key(key)) }
    }

    /// An optional key's value or its default; `nil` only when the value given is wrong.
    func optional<T>(_ fields: MappingFields, _ key: String, default value: T, _ read: (Node, NodePath) -> T?) -> T? {
        guard let node = fields[key] else { return value }
        return read(node, fields.path.key(key))
    }

    /// An optional key's value, keeping "not given" apart from "wrong" for fallbacks.
    func parsed<T>(_ fields: MappingFields, _ key: String, _ read: (Node, NodePath) -> T?) -> Parsed<T> {
        guard let node = fields[key] else { return .absent }
        return Parsed(read(node, fields.path.key(key)))
    }

    // MARK: - References

    /// The index of a declared name, or `nil` after reporting it as unknown (with a suggestion when one is close).
    func resolve(_ name: String, _ path: NodePath, at node: Node, in table: NameTable) -> Int? {
        if let index = table.index(of: name) { return index }
        if table.isComplete {
            reader.report(
                path, "unknown \(table.noun) '\(name)'" + NameSuggestion.hint(for: name, among: table.names), at: node)
        }
        return nil
    }

    /// A scalar naming something declared elsewhere (a plan, a state, a milestone).
    func reference(_ node: Node, _ path: NodePath, in table: NameTable) -> Int? {
        guard let name = reader.string(node, path, expected: "a \(table.noun) name") else { return nil }
        return resolve(name, path, at: node, in: table)
    }

    /// A mapping from declared names to numbers, as an array by index with `fill` for names not listed.
    ///
    /// - Parameters:
    ///   - sumsToOne: Whether the values form a probability distribution; the message then gives the actual sum.
    ///   - forbidden: Indices that may not get a positive value, with the message to give when they do.
    func weights(
        _ node: Node, _ path: NodePath, over table: NameTable, _ bounds: NumberBounds, fill: Double = 0,
        sumsToOne: Bool = false, forbidden: (Int) -> String? = { _ in nil }
    ) -> [Double]? {
        guard let entries = reader.entries(node, path) else { return nil }
        var result = [Double](repeating: fill, count: table.count)
        var complete = true
        for entry in entries {
            let entryPath = path.key(entry.name)
            let value = reader.number(entry.value, entryPath, bounds)
            guard let index = resolve(entry.name, entryPath, at: entry.key, in: table), let value else {
                complete = false
                continue
            }
            if value > 0, let message = forbidden(index) {
                reader.report(entryPath, message, at: entry.key)
                complete = false
            }
            result[index] = value
        }
        guard complete else { return nil }
        if sumsToOne {
            let sum = result.reduce(0, +)
            guard abs(sum - 1) <= 1e-9 else {
                reader.report(
                    path, "probabilities sum to \(NodeReader.formatted(sum)), must sum to 1 (±1e-9)", at: node)
                return nil
            }
        }
        return result
    }

    /// A list of references without repeats (activation milestones, `requires`).
    func references(_ node: Node, _ path: NodePath, in table: NameTable, count: ClosedRange<Int>) -> [Int]? {
        guard let items = reader.list(node, path, of: "\(table.noun)s", count: count) else { return nil }
        var result: [Int] = []
        var complete = true
        for (i, item) in items.enumerated() {
            guard let index = reference(item, path.index(i), in: table) else {
                complete = false
                continue
            }
            if result.contains(index) {
                reader.report(path.index(i), "duplicate \(table.noun) '\(table.names[index])'", at: item)
                complete = false
            }
            result.append(index)
        }
        return complete ? result : nil
    }

    /// A mapping whose `distribution` key chooses which other keys it takes (all of them required).
    func distribution(
        _ node: Node, _ path: NodePath, kinds: KeyValuePairs<String, [String]>
    ) -> (kind: String, fields: MappingFields)? {
        var allKeys = ["distribution"]
        for (_, keys) in kinds { allKeys += keys.filter { !allKeys.contains($0) } }
        guard let fields = reader.mapping(node, path, keys: allKeys, required: ["distribution"]),
            let kindNode = fields["distribution"],
            let kind = reader.string(kindNode, path.key("distribution"), expected: "a distribution name")
        else { return nil }
        guard let keys = kinds.first(where: { $0.key == kind })?.value else {
            let names = kinds.map(\.key)
            let hint = NameSuggestion.hint(for: kind, among: names)
            reader.report(
                path.key("distribution"),
                "unknown distribution '\(kind)'"
                    + (hint.isEmpty ? "; expected one of: " + names.joined(separator: ", ") : hint),
                at: kindNode
            )
            return nil
        }
        for entry in fields.entries where entry.name != "distribution" && !keys.contains(entry.name) {
            reader.report(path.key(entry.name), "not used by distribution '\(kind)'", at: entry.key)
        }
        reader.require(keys, in: fields)
        return (kind, fields)
    }

    // MARK: - Top-level scalars

    /// The scenario name becomes a folder name, so it keeps to portable characters and cannot climb out.
    func scenarioName(_ node: Node, _ path: NodePath) -> String? {
        guard let text = reader.string(node, path) else { return nil }
        let allowed = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "_.-".unicodeScalars.contains($0)
        }
        guard allowed, !text.isEmpty, text.count <= 100, text != ".", text != ".." else {
            reader.report(
                path,
                "invalid scenario name '\(text)': use letters, digits, '_', '.' or '-' (it names the report folder)",
                at: node)
            return nil
        }
        return text
    }

    /// Takes the scalar's text, since YAML would read an unquoted date as a timestamp.
    func date(_ node: Node, _ path: NodePath) -> CivilDate? {
        guard let text = reader.string(node, path, expected: "a date (YYYY-MM-DD)") else { return nil }
        guard let date = CivilDate(iso: text) else {
            reader.report(path, "expected a date as YYYY-MM-DD, got \(NodeReader.shown(node))", at: node)
            return nil
        }
        return date
    }

    struct Population {
        var users: Int
        var signupDays: Int
    }

    func readPopulation(_ node: Node, _ path: NodePath) -> Population? {
        guard let fields = reader.mapping(node, path, keys: ["users", "signup_days"], required: ["users"]) else {
            return nil
        }
        let users = required(fields, "users") { reader.integer($0, $1, in: 1...Int(Int32.max)) }
        let signupDays = optional(fields, "signup_days", default: 1) { node, path -> Int? in
            guard let value = reader.integer(node, path, in: 1...Int.max) else { return nil }
            if let days, value > days {
                reader.report(path, "must be between 1 and days (\(days))", at: node)
                return nil
            }
            return value
        }
        guard let users, let signupDays else { return nil }
        return Population(users: users, signupDays: signupDays)
    }

    // MARK: - Features, milestones, activation

    func readFeatures(_ node: Node?, _ path: NodePath) {
        guard let node else { return }
        guard let items = reader.list(node, path, of: "features", count: 0...BehaviourModel.maxFeatures) else {
            features.isComplete = false
            return
        }
        for (i, item) in items.enumerated() {
            guard let name = reader.name(item, path.index(i), of: "feature") else {
                features.isComplete = false
                continue
            }
            if !features.add(name) {
                reader.report(path.index(i), "duplicate feature '\(name)'", at: item)
            }
        }
    }

    /// Milestones may only require earlier ones, which rules out cycles without a graph search.
    func readMilestones(_ node: Node?, _ path: NodePath) {
        guard let node else { return }
        guard let items = reader.list(node, path, of: "milestones", count: 0...BehaviourModel.maxMilestones) else {
            milestones.isComplete = false
            return
        }
        // Names first, so a requirement on a later milestone is reported as out of order, not as unknown.
        var declared: [(index: Int, fields: MappingFields)] = []
        for (i, item) in items.enumerated() {
            let itemPath = path.index(i)
            guard let fields = reader.mapping(item, itemPath, keys: ["name", "requires"], required: ["name"]),
                let nameNode = fields["name"], let name = reader.name(nameNode, itemPath.key("name"), of: "milestone")
            else {
                milestones.isComplete = false
                continue
            }
            if milestones.add(name) {
                declared.append((milestones.count - 1, fields))
            } else {
                reader.report(itemPath.key("name"), "duplicate milestone '\(name)'", at: nameNode)
            }
        }
        milestoneRequires = Array(repeating: [], count: milestones.count)
        for (index, fields) in declared {
            guard let requires = fields["requires"] else { continue }
            let requiresPath = fields.path.key("requires")
            guard let prerequisites = references(requires, requiresPath, in: milestones, count: 0...Int.max) else {
                continue
            }
            for (i, prerequisite) in prerequisites.enumerated() where prerequisite >= index {
                let item = requires.sequence.map { $0[i] }
                if prerequisite == index {
                    reader.report(requiresPath.index(i), "a milestone cannot require itself", at: item)
                } else {
                    reader.report(
                        requiresPath.index(i),
                        "'\(milestones.names[prerequisite])' is declared after '\(milestones.names[index])'; "
                            + "a milestone may only require earlier ones",
                        at: item
                    )
                }
            }
            milestoneRequires[index] = prerequisites
        }
    }

    func readActivation(_ node: Node, _ path: NodePath) -> [Int]? {
        references(node, path, in: milestones, count: 0...BehaviourModel.maxMilestones)
    }
}
