import Simulation
import YAMLInput
import Yams

extension ScenarioBuilder {
    static let personaKeys = ["name", "share", "plan", "trial_days", "team_size", "initial_states", "states"]
    static let requiredPersonaKeys = ["name", "share", "plan", "initial_states", "states"]

    func readPersonas(_ node: Node, _ path: NodePath) -> [Persona]? {
        guard let items = reader.list(node, path, of: "personas", count: 1...BehaviourModel.maxPersonas) else {
            return nil
        }
        var names = NameTable(noun: "persona")
        var personas: [Persona] = []
        var shares: [Double] = []
        for (i, item) in items.enumerated() {
            let itemPath = path.index(i)
            guard
                let fields = reader.mapping(item, itemPath, keys: Self.personaKeys, required: Self.requiredPersonaKeys)
            else { continue }
            let name = required(fields, "name") { reader.name($0, $1, of: "persona") }
            if let name, !names.add(name) {
                reader.report(itemPath.key("name"), "duplicate persona '\(name)'", at: fields["name"])
            }
            let share = required(fields, "share") { reader.number($0, $1, .share) }
            if let share { shares.append(share) }
            let plan = required(fields, "plan") { reference($0, $1, in: plans) }
            let trialDays = optional(fields, "trial_days", default: 0) { reader.integer($0, $1, in: 0...3650) }
            let teamSize = optional(fields, "team_size", default: TeamSize.fixed(1), readTeamSize)
            let initialStates = required(fields, "initial_states") { node, path in
                weights(node, path, over: states, .probability, sumsToOne: true) { index in
                    self.stateInfo[index].isAbsorbing
                        ? "users cannot start in the absorbing state '\(self.states.names[index])'" : nil
                }
            }
            let behaviours = required(fields, "states") { readPersonaStates($0, $1) }
            if let name, let share, let plan, let trialDays, let teamSize, let initialStates, let behaviours {
                personas.append(
                    Persona(
                        name: name, share: share, plan: plan, trialDays: trialDays, teamSize: teamSize,
                        initialStates: initialStates, states: behaviours
                    )
                )
            }
        }
        // Shares are only worth adding up when every one could be read.
        if shares.count == items.count, !items.isEmpty {
            let sum = shares.reduce(0, +)
            if abs(sum - 1) > 1e-9 {
                reader.report(path, "shares sum to \(NodeReader.formatted(sum)), must sum to 1 (±1e-9)", at: node)
            }
        }
        return personas.count == items.count ? personas : nil
    }

    func readTeamSize(_ node: Node, _ path: NodePath) -> TeamSize? {
        let kinds: KeyValuePairs = [
            "fixed": ["size"], "poisson": ["mean", "max"], "lognormal": ["median", "sigma", "max"],
        ]
        guard let (kind, fields) = distribution(node, path, kinds: kinds) else { return nil }
        let limit = 1...1_000_000
        switch kind {
        case "fixed":
            return required(fields, "size") { reader.integer($0, $1, in: limit) }.map { .fixed($0) }
        case "poisson":
            let mean = required(fields, "mean") { reader.number($0, $1, .between(1, 1_000_000)) }
            let max = required(fields, "max") { reader.integer($0, $1, in: limit) }
            guard let mean, let max else { return nil }
            return .poisson(mean: mean, max: max)
        default:
            let median = required(fields, "median") { reader.number($0, $1, .between(0, 1_000_000, lowerOpen: true)) }
            let sigma = required(fields, "sigma") { reader.number($0, $1, .between(0, 10)) }
            let max = required(fields, "max") { reader.integer($0, $1, in: limit) }
            guard let median, let sigma, let max else { return nil }
            return .lognormal(median: median, sigma: sigma, max: max)
        }
    }

    /// One behaviour per state, by state index: the persona's transition row and emissions for each live state,
    /// and a do-nothing entry that stays put for the absorbing one.
    func readPersonaStates(_ node: Node, _ path: NodePath) -> [StateBehaviour]? {
        guard let entries = reader.entries(node, path) else { return nil }
        var given: [Int: StateBehaviour] = [:]
        var complete = true
        for entry in entries {
            let statePath = path.key(entry.name)
            guard let state = resolve(entry.name, statePath, at: entry.key, in: states) else {
                complete = false
                continue
            }
            guard !stateInfo[state].isAbsorbing else {
                reader.report(
                    statePath, "the absorbing state '\(entry.name)' takes no behaviour: churned users do nothing",
                    at: entry.key
                )
                complete = false
                continue
            }
            guard let behaviour = readStateBehaviour(entry.value, statePath, state: state) else {
                complete = false
                continue
            }
            given[state] = behaviour
        }
        if states.isComplete {
            for (index, info) in stateInfo.enumerated() where !info.isAbsorbing && given[index] == nil {
                if !entries.contains(where: { $0.name == info.name }) {
                    reader.report(path, "missing state '\(info.name)'", at: node)
                }
                complete = false
            }
        }
        guard complete else { return nil }
        return stateInfo.indices.map { index in
            given[index] ?? absorbingBehaviour(index)
        }
    }

    func readStateBehaviour(_ node: Node, _ path: NodePath, state: Int) -> StateBehaviour? {
        guard let fields = reader.mapping(node, path, keys: ["next"] + Emissions.keys, required: ["next"]) else {
            return nil
        }
        let next = required(fields, "next") { weights($0, $1, over: states, .probability, sumsToOne: true) }
        let info = stateInfo[state]
        let emissions = readEmissions(fields).overriding(info.emissions)
        let sessions = resolved(emissions.sessions, "sessions", in: fields, info: info)
        let keyActions = resolved(emissions.keyActionsPerSession, "key_actions_per_session", in: fields, info: info)
        let featureUse = emissions.featureUse.or(.valid(Array(repeating: 0, count: features.count)))
        let hazards = emissions.milestoneHazard.or(.valid(Array(repeating: 0, count: milestones.count)))
        let nps = emissions.nps.or(.valid(.silent))
        guard let next, let sessions, let keyActions, let featureUse = featureUse.value, let hazards = hazards.value,
            let nps = nps.value
        else { return nil }
        return StateBehaviour(
            next: next, sessions: sessions, keyActionsPerSession: keyActions, featureUse: featureUse,
            milestoneHazard: hazards, npsAnswerProbability: nps.answerProbability, npsScoreWeights: nps.scoreWeights
        )
    }

    /// An emission that has no default: given by the persona or the state, or reported as missing here.
    private func resolved<T>(_ value: Parsed<T>, _ key: String, in fields: MappingFields, info: StateInfo) -> T? {
        if case .absent = value {
            reader.report(
                fields.path.key(key), "missing; give it here or under states[\(info.declaration)]", at: fields.node
            )
        }
        return value.value
    }

    /// Churned users stay churned and do nothing; the simulator never reads this, but the arrays stay whole.
    func absorbingBehaviour(_ index: Int) -> StateBehaviour {
        var next = [Double](repeating: 0, count: states.count)
        next[index] = 1
        return StateBehaviour(
            next: next, sessions: .poisson(mean: 0), keyActionsPerSession: 0,
            featureUse: Array(repeating: 0, count: features.count),
            milestoneHazard: Array(repeating: 0, count: milestones.count),
            npsAnswerProbability: 0, npsScoreWeights: NPS.silent.scoreWeights
        )
    }
}
