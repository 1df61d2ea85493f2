import Simulation
import YAMLInput
import Yams

/// What a state declares under `states`: its level and the default emissions personas fall back on.
struct StateInfo {
    var name: String
    /// Position in the `states` list, for messages that send the reader there.
    var declaration: Int
    var level: Int?
    var isAbsorbing: Bool
    var emissions: Emissions
}

/// Per-state emissions as given at one place; each field may be absent, wrong or valid.
struct Emissions {
    var sessions: Parsed<SessionModel> = .absent
    var keyActionsPerSession: Parsed<Double> = .absent
    var featureUse: Parsed<[Double]> = .absent
    var milestoneHazard: Parsed<[Double]> = .absent
    var nps: Parsed<NPS> = .absent

    static let keys = ["sessions", "key_actions_per_session", "features", "milestones", "nps"]

    /// A persona's fields replace the state's whole, field by field.
    func overriding(_ defaults: Emissions) -> Emissions {
        Emissions(
            sessions: sessions.or(defaults.sessions),
            keyActionsPerSession: keyActionsPerSession.or(defaults.keyActionsPerSession),
            featureUse: featureUse.or(defaults.featureUse),
            milestoneHazard: milestoneHazard.or(defaults.milestoneHazard),
            nps: nps.or(defaults.nps)
        )
    }
}

struct NPS {
    var answerProbability: Double
    var scoreWeights: [Double]

    /// Nobody answers; the weights are uniform only so the array is always well formed.
    static let silent = NPS(answerProbability: 0, scoreWeights: Array(repeating: 1.0 / 11, count: 11))
}

extension ScenarioBuilder {
    static let stateKeys = ["name", "level", "absorbing"] + Emissions.keys

    func readStates(_ node: Node?, _ path: NodePath) {
        guard let node, let items = reader.list(node, path, of: "states", count: 2...BehaviourModel.maxStates) else {
            states.isComplete = false
            return
        }
        var absorbing: [(name: String, node: Node)] = []
        var absorbingKnown = true
        for (i, item) in items.enumerated() {
            let itemPath = path.index(i)
            guard let fields = reader.mapping(item, itemPath, keys: Self.stateKeys, required: ["name"]) else {
                states.isComplete = false
                absorbingKnown = false
                continue
            }
            let isAbsorbing = optional(fields, "absorbing", default: false) { reader.bool($0, $1) }
            if isAbsorbing == nil { absorbingKnown = false }
            let name = required(fields, "name") { reader.name($0, $1, of: "state") }
            if isAbsorbing == true {
                if let first = absorbing.first {
                    reader.report(
                        itemPath.key("absorbing"), "only one state may be absorbing; '\(first.name)' already is",
                        at: fields["absorbing"]
                    )
                }
                absorbing.append((name ?? "?", item))
                for entry in fields.entries where entry.name == "level" || Emissions.keys.contains(entry.name) {
                    reader.report(
                        itemPath.key(entry.name), "not allowed on the absorbing state: churned users do nothing",
                        at: entry.key
                    )
                }
            } else {
                reader.require(["level"], in: fields)
            }
            let level =
                isAbsorbing == true ? nil : required(fields, "level") { reader.integer($0, $1, in: -1000...1000) }
            let emissions = isAbsorbing == true ? Emissions() : readEmissions(fields)
            guard let name else {
                states.isComplete = false
                continue
            }
            if states.add(name) {
                stateInfo.append(
                    StateInfo(
                        name: name, declaration: i, level: level, isAbsorbing: isAbsorbing == true, emissions: emissions
                    )
                )
            } else {
                reader.report(itemPath.key("name"), "duplicate state '\(name)'", at: fields["name"])
            }
        }
        if absorbing.isEmpty && absorbingKnown && !items.isEmpty {
            reader.report(path, "no absorbing state; mark the churn state with 'absorbing: true'", at: node)
        }
    }

    /// Indices of absorbing states (one in a valid scenario; more only while reporting that).
    var absorbingStates: [Int] {
        stateInfo.indices.filter { stateInfo[$0].isAbsorbing }
    }

    func readEmissions(_ fields: MappingFields) -> Emissions {
        Emissions(
            sessions: parsed(fields, "sessions", readSessions),
            keyActionsPerSession: parsed(fields, "key_actions_per_session") {
                reader.number($0, $1, .between(0, 1000))
            },
            featureUse: parsed(fields, "features") { weights($0, $1, over: features, .probability) },
            milestoneHazard: parsed(fields, "milestones") { weights($0, $1, over: milestones, .probability) },
            nps: parsed(fields, "nps", readNPS)
        )
    }

    func readSessions(_ node: Node, _ path: NodePath) -> SessionModel? {
        let kinds: KeyValuePairs = ["poisson": ["mean"], "negative_binomial": ["mean", "dispersion"]]
        guard let (kind, fields) = distribution(node, path, kinds: kinds) else { return nil }
        let mean = required(fields, "mean") { reader.number($0, $1, .between(0, 1000, lowerOpen: true)) }
        switch kind {
        case "poisson":
            return mean.map { .poisson(mean: $0) }
        default:
            let dispersion = required(fields, "dispersion") {
                reader.number($0, $1, .between(0, 1_000_000, lowerOpen: true))
            }
            guard let mean, let dispersion else { return nil }
            return .negativeBinomial(mean: mean, dispersion: dispersion)
        }
    }

    func readNPS(_ node: Node, _ path: NodePath) -> NPS? {
        let keys = ["answer_probability", "scores"]
        guard let fields = reader.mapping(node, path, keys: keys, required: keys) else { return nil }
        let answer = required(fields, "answer_probability") { reader.number($0, $1, .probability) }
        let scores = required(fields, "scores", readScoreWeights)
        guard let answer, let scores else { return nil }
        return NPS(answerProbability: answer, scoreWeights: scores)
    }

    /// Weights of the scores 0 to 10, so exactly 11 of them forming a distribution.
    func readScoreWeights(_ node: Node, _ path: NodePath) -> [Double]? {
        guard let items = reader.list(node, path, of: "weights", count: 0...Int.max) else { return nil }
        let values = items.enumerated().map { reader.number($1, path.index($0), .probability) }
        guard items.count == 11 else {
            reader.report(path, "expected 11 weights (for the scores 0 to 10), got \(items.count)", at: node)
            return nil
        }
        let weights = values.compactMap { $0 }
        guard weights.count == 11 else { return nil }
        let sum = weights.reduce(0, +)
        guard abs(sum - 1) <= 1e-9 else {
            reader.report(path, "weights sum to \(NodeReader.formatted(sum)), must sum to 1 (±1e-9)", at: node)
            return nil
        }
        return weights
    }
}
