import Segmentation
import Simulation
import UsageModel
import YAMLInput
import Yams

extension ScenarioBuilder {
    static let interventionKeys = ["outcome_days", "channels", "fatigue", "policies", "experiment"]

    /// The `interventions` section: channels, fatigue, policies and the experiment's arms. Segment
    /// and tag names are checked against the compiled segmentation, states and milestones against
    /// the model.
    func readInterventions(
        _ node: Node, _ path: NodePath, segmentation: CompiledSegmentation
    ) -> InterventionSpec? {
        guard
            let fields = reader.mapping(node, path, keys: Self.interventionKeys, required: ["policies", "experiment"])
        else { return nil }
        var valid = true
        let outcomeDays = optional(fields, "outcome_days", default: 30) { reader.integer($0, $1, in: 1...365) }
        var channels = Channel.allCases.map(\.defaults)
        if let node = fields["channels"] {
            if let read = readChannels(node, path.key("channels")) { channels = read } else { valid = false }
        }
        let fatigue = optional(fields, "fatigue", default: Fatigue(), readFatigue)
        var segments = NameTable(noun: "segment")
        for name in segmentation.segmentNames { _ = segments.add(name) }
        var tags = NameTable(noun: "tag")
        for name in segmentation.tagNames { _ = tags.add(name) }
        var policyNames = NameTable(noun: "policy")
        var policies: [Policy] = []
        if let node = fields["policies"],
            let items = reader.list(node, path.key("policies"), of: "policies", count: 1...InterventionSpec.maxPolicies)
        {
            for (i, item) in items.enumerated() {
                let p = path.key("policies").index(i)
                if let policy = readPolicy(item, p, segments: segments, tags: tags) {
                    if policyNames.add(policy.name) {
                        policies.append(policy)
                    } else {
                        reader.report(p.key("name"), "duplicate policy '\(policy.name)'", at: item)
                        valid = false
                    }
                } else {
                    policyNames.isComplete = false
                    valid = false
                }
            }
        } else {
            valid = false
        }
        let experiment = fields["experiment"].flatMap {
            readExperiment($0, path.key("experiment"), policies: policyNames)
        }
        guard valid, let outcomeDays, let fatigue, let experiment else { return nil }
        var spec = InterventionSpec(
            policies: policies, channels: channels, fatigue: fatigue, arms: experiment.arms,
            globalControlShare: experiment.globalControl, outcomeDays: outcomeDays)
        spec.primaryMetric = experiment.primary
        spec.winsorizeAt = experiment.winsorizeAt
        spec.valuePerRetainedUser = experiment.value
        spec.adoption = experiment.adoption
        spec.randomisation = experiment.randomisation
        return spec
    }

    private func readChannels(_ node: Node, _ path: NodePath) -> [ChannelSettings]? {
        let names = Channel.allCases.map(\.rawValue)
        guard let fields = reader.mapping(node, path, keys: names) else { return nil }
        var result = Channel.allCases.map(\.defaults)
        var valid = true
        for channel in Channel.allCases {
            guard let node = fields[channel.rawValue] else { continue }
            let p = path.key(channel.rawValue)
            guard let f = reader.mapping(node, p, keys: ["consent", "delivered", "opened", "cap"]) else {
                valid = false
                continue
            }
            var settings = channel.defaults
            let consent = optional(f, "consent", default: settings.consent) { reader.number($0, $1, .probability) }
            let delivered = optional(f, "delivered", default: settings.delivered) {
                reader.number($0, $1, .probability)
            }
            let opened = optional(f, "opened", default: settings.opened) { reader.number($0, $1, .probability) }
            var cap: (Int, Int)? = (settings.capMessages, settings.capDays)
            if let capNode = f["cap"] {
                let cp = p.key("cap")
                if let c = reader.mapping(capNode, cp, keys: ["messages", "days"], required: ["messages", "days"]) {
                    let messages = c["messages"].flatMap {
                        reader.integer($0, cp.key("messages"), in: 1...InterventionSpec.rememberedDeliveries)
                    }
                    let days = c["days"].flatMap { reader.integer($0, cp.key("days"), in: 1...365) }
                    cap = messages.flatMap { m in days.map { (m, $0) } }
                } else {
                    cap = nil
                }
            }
            guard let consent, let delivered, let opened, let cap else {
                valid = false
                continue
            }
            settings.consent = consent
            settings.delivered = delivered
            settings.opened = opened
            (settings.capMessages, settings.capDays) = cap
            result[channel.index] = settings
        }
        return valid ? result : nil
    }

    private func readFatigue(_ node: Node, _ path: NodePath) -> Fatigue? {
        let keys = ["window_days", "effect_loss_per_message", "unsubscribe_base", "unsubscribe_per_message"]
        guard let f = reader.mapping(node, path, keys: keys) else { return nil }
        let d = Fatigue()
        let window = optional(f, "window_days", default: d.windowDays) { reader.integer($0, $1, in: 1...365) }
        let loss = optional(f, "effect_loss_per_message", default: d.effectLossPerMessage) {
            reader.number($0, $1, .probability)
        }
        let base = optional(f, "unsubscribe_base", default: d.unsubscribeBase) { reader.number($0, $1, .probability) }
        let per = optional(f, "unsubscribe_per_message", default: d.unsubscribePerMessage) {
            reader.number($0, $1, .probability)
        }
        guard let window, let loss, let base, let per else { return nil }
        return Fatigue(
            windowDays: window, effectLossPerMessage: loss, unsubscribeBase: base, unsubscribePerMessage: per)
    }

    private func readPolicy(_ node: Node, _ path: NodePath, segments: NameTable, tags: NameTable) -> Policy? {
        let keys = [
            "name", "kind", "trigger", "channel", "cost", "effect", "cooldown_days", "reentry", "upgrade_probability",
            "answer_probability",
        ]
        guard let f = reader.mapping(node, path, keys: keys, required: ["name", "trigger", "channel"]) else {
            return nil
        }
        let name = f["name"].flatMap { reader.name($0, path.key("name"), of: "policy") }
        let trigger = f["trigger"].flatMap { readTrigger($0, path.key("trigger"), segments: segments, tags: tags) }
        let channel = f["channel"].flatMap { node -> Channel? in
            let options = Channel.allCases.map(\.rawValue)
            guard let text = reader.string(node, path.key("channel")) else { return nil }
            if let channel = Channel(rawValue: text) { return channel }
            reader.report(
                path.key("channel"),
                "expected one of: " + options.joined(separator: ", ") + NameSuggestion.hint(for: text, among: options),
                at: node)
            return nil
        }
        let cost = optional(f, "cost", default: 0) { reader.number($0, $1, .between(0, 1_000_000)) }
        let effect = optional(f, "effect", default: PolicyEffect(), readEffect)
        let kind = readKind(f, path, at: node)
        let cooldown = optional(f, "cooldown_days", default: 7) { reader.integer($0, $1, in: 0...3650) }
        let reentry = optional(f, "reentry", default: Policy.Reentry.every) { node, p -> Policy.Reentry? in
            guard let text = reader.string(node, p) else { return nil }
            if let value = Policy.Reentry(rawValue: text) { return value }
            reader.report(p, "expected once or every", at: node)
            return nil
        }
        let upgrade = optional(f, "upgrade_probability", default: UpgradeProbability.number(0), readUpgrade)
        guard let name, let trigger, let channel, let cost, let effect, let kind, let cooldown, let reentry, let upgrade
        else {
            return nil
        }
        var policy = Policy(
            name: name, trigger: trigger, channel: channel, costCents: cost * 100, effects: effect.transitions,
            effectDays: effect.days, cooldownDays: cooldown, reentry: reentry)
        switch upgrade {
        case .number(let p): policy.upgradeProbability = p
        case .byState(let p): policy.upgradeByState = p
        }
        policy.emissionEffects = effect.emissions
        policy.kind = kind
        return policy
    }

    enum UpgradeProbability {
        case number(Double)
        case byState([Double])
    }

    /// `upgrade_probability`: one probability, or a mapping from latent state to probability (states left
    /// out get 0; the absorbing state cannot upgrade).
    private func readUpgrade(_ node: Node, _ path: NodePath) -> UpgradeProbability? {
        if case .mapping = node {
            return weights(node, path, over: states, .probability) { index in
                self.stateInfo[index].isAbsorbing
                    ? "the absorbing state '\(self.states.names[index])' cannot upgrade" : nil
            }.map { .byState($0) }
        }
        return reader.number(node, path, .probability).map { .number($0) }
    }

    /// `kind: message` (the default) or `kind: survey` with its `answer_probability`.
    private func readKind(_ f: MappingFields, _ path: NodePath, at node: Node) -> Policy.Kind? {
        let kind = optional(f, "kind", default: "message") { node, p -> String? in
            guard let text = reader.string(node, p) else { return nil }
            if ["message", "survey"].contains(text) { return text }
            reader.report(p, "expected message or survey", at: node)
            return nil
        }
        let answer = f["answer_probability"].map { reader.number($0, path.key("answer_probability"), .probability) }
        switch (kind, answer) {
        case ("survey", .some(.some(let p))): return .survey(answerProbability: p)
        case ("survey", .none):
            reader.report(path, "a survey needs answer_probability", at: node)
            return nil
        case ("message", .some(.some)):
            reader.report(path.key("answer_probability"), "only a survey (kind: survey) is answered", at: node)
            return nil
        case ("message", .none): return .message
        default: return nil
        }
    }

    private func readTrigger(_ node: Node, _ path: NodePath, segments: NameTable, tags: NameTable) -> PolicyTrigger? {
        let keys = ["enters", "stays_in", "days", "missed_milestone", "by_day", "tag"]
        guard let f = reader.mapping(node, path, keys: keys) else { return nil }
        let kinds = ["enters", "stays_in", "missed_milestone", "tag"].filter { f[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first, let value = f[kind] else {
            reader.report(
                path, "give exactly one of: enters, stays_in (with days), missed_milestone (with by_day), tag", at: node
            )
            return nil
        }
        let p = path.key(kind)
        switch kind {
        case "enters":
            return reference(value, p, in: segments).map { .entersSegment($0) }
        case "stays_in":
            guard let days = f["days"] else {
                reader.report(path, "missing required key 'days'", at: node)
                return nil
            }
            let segment = reference(value, p, in: segments)
            let n = reader.integer(days, path.key("days"), in: 1...3650)
            return segment.flatMap { s in n.map { .staysInSegment(s, days: $0) } }
        case "missed_milestone":
            guard let byDay = f["by_day"] else {
                reader.report(path, "missing required key 'by_day'", at: node)
                return nil
            }
            let milestone = reference(value, p, in: milestones)
            let d = reader.integer(byDay, path.key("by_day"), in: 0...3650)
            return milestone.flatMap { m in d.map { .milestoneMissed(m, byDay: $0) } }
        default:
            return reference(value, p, in: tags).map { .tagAppears($0) }
        }
    }

    /// What an opened send changes while its effect lasts.
    struct PolicyEffect {
        var transitions: [TransitionEffect] = []
        var emissions: [EmissionEffect] = []
        var days = 14
    }

    /// `{days, transitions: [{from, to, change}], sessions: change, features: {name: change},
    /// milestones: {name: change}}`, at least one of the changes.
    private func readEffect(_ node: Node, _ path: NodePath) -> PolicyEffect? {
        let kinds = ["transitions", "sessions", "features", "milestones"]
        guard let f = reader.mapping(node, path, keys: ["days"] + kinds) else { return nil }
        guard kinds.contains(where: { f[$0] != nil }) else {
            reader.report(path, "give at least one of: " + kinds.joined(separator: ", "), at: node)
            return nil
        }
        let days = optional(f, "days", default: 14) { reader.integer($0, $1, in: 1...365) }
        let change = NumberBounds.between(-1, 100)
        var emissions: [EmissionEffect] = []
        var valid = true
        if let node = f["sessions"] {
            if let c = reader.number(node, path.key("sessions"), change) {
                emissions.append(EmissionEffect(target: .sessions, relativeChange: c))
            } else {
                valid = false
            }
        }
        for (key, table) in [("features", features), ("milestones", milestones)] {
            guard let node = f[key] else { continue }
            guard let changes = weights(node, path.key(key), over: table, change) else {
                valid = false
                continue
            }
            for (i, c) in changes.enumerated() where c != 0 {
                emissions.append(
                    EmissionEffect(target: key == "features" ? .feature(i) : .milestone(i), relativeChange: c))
            }
        }
        var effects: [TransitionEffect] = []
        let tp = path.key("transitions")
        if let node = f["transitions"] {
            guard let items = reader.list(node, tp, of: "transitions", count: 1...64) else { return nil }
            for (i, item) in items.enumerated() {
                let p = tp.index(i)
                guard
                    let e = reader.mapping(
                        item, p, keys: ["from", "to", "change"], required: ["from", "to", "change"])
                else {
                    valid = false
                    continue
                }
                let from = e["from"].flatMap { reference($0, p.key("from"), in: states) }
                let to = e["to"].flatMap { reference($0, p.key("to"), in: states) }
                let change = e["change"].flatMap { reader.number($0, p.key("change"), .between(-1, 100)) }
                if let from, stateInfo.indices.contains(from), stateInfo[from].isAbsorbing, let node = e["from"] {
                    reader.report(p.key("from"), "the absorbing state cannot be left", at: node)
                    valid = false
                }
                guard let from, let to, let change else {
                    valid = false
                    continue
                }
                effects.append(TransitionEffect(from: from, to: to, relativeChange: change))
            }
        }
        guard valid, let days else { return nil }
        return PolicyEffect(transitions: effects, emissions: emissions, days: days)
    }

    private func readExperiment(
        _ node: Node, _ path: NodePath, policies: NameTable
    ) -> (
        arms: [Arm], globalControl: Double, primary: ExperimentMetric, winsorizeAt: Double, value: Double,
        adoption: [AdoptionMetric], randomisation: Randomisation
    )? {
        guard
            let f = reader.mapping(
                node, path,
                keys: [
                    "global_control", "primary_metric", "winsorize_at", "value_per_retained_user", "adoption",
                    "randomise",
                    "arms",
                ],
                required: ["arms"])
        else {
            return nil
        }
        let global = optional(f, "global_control", default: 0) { reader.number($0, $1, .belowOne) }
        // A quantile that caps: 0.5 (the median) to just below 1 (1 would cap nothing).
        let winsorizeAt = optional(f, "winsorize_at", default: 0.99) {
            reader.number($0, $1, NumberBounds(lower: 0.5, upper: 1, upperOpen: true))
        }
        let value = optional(f, "value_per_retained_user", default: 0) { reader.number($0, $1, .between(0, 1_000_000)) }
        let randomisation = optional(f, "randomise", default: Randomisation.user) { node, p -> Randomisation? in
            guard let text = reader.string(node, p) else { return nil }
            if let value = Randomisation(rawValue: text) { return value }
            reader.report(p, "expected user or account", at: node)
            return nil
        }
        let adoption = optional(f, "adoption", default: [Int]()) { node, p in
            references(node, p, in: features, count: 1...features.count)
        }
        let primary = optional(f, "primary_metric", default: ExperimentMetric.retention) { node, p in
            let options = ExperimentMetric.allCases.map(\.rawValue)
            guard let text = reader.string(node, p) else { return nil }
            if let metric = ExperimentMetric(rawValue: text) { return metric }
            reader.report(
                p,
                "expected one of: " + options.joined(separator: ", ") + NameSuggestion.hint(for: text, among: options),
                at: node)
            return nil
        }
        var arms: [Arm] = []
        var names = NameTable(noun: "arm")
        var valid = true
        let ap = path.key("arms")
        guard let node = f["arms"], let items = reader.list(node, ap, of: "arms", count: 2...InterventionSpec.maxArms)
        else { return nil }
        for (i, item) in items.enumerated() {
            let p = ap.index(i)
            guard let a = reader.mapping(item, p, keys: ["name", "weight", "policies", "control"], required: ["name"])
            else {
                valid = false
                continue
            }
            let name = a["name"].flatMap { reader.name($0, p.key("name"), of: "arm") }
            let weight = optional(a, "weight", default: 1) {
                reader.number($0, $1, .between(0, 1_000_000, lowerOpen: true))
            }
            let list = optional(a, "policies", default: [Int]()) { node, path in
                references(node, path, in: policies, count: 0...InterventionSpec.maxPolicies)
            }
            let control = optional(a, "control", default: false) { reader.bool($0, $1) }
            guard let name, let weight, let list, let control else {
                valid = false
                continue
            }
            if !names.add(name) {
                reader.report(p.key("name"), "duplicate arm '\(name)'", at: item)
                valid = false
            }
            if control, !list.isEmpty {
                reader.report(p.key("policies"), "the control arm receives no policy", at: item)
                valid = false
            }
            arms.append(Arm(name: name, weight: weight, policies: list, isControl: control))
        }
        guard valid, let global, let primary, let winsorizeAt, let value, let adoption, let randomisation else {
            return nil
        }
        let controls = arms.indices.filter { arms[$0].isControl }
        if controls.count > 1 {
            reader.report(ap, "only one arm may be the control", at: node)
            return nil
        }
        if controls.isEmpty {
            guard let holdout = arms.firstIndex(where: { $0.policies.isEmpty }) else {
                reader.report(
                    ap, "one arm must be the control: mark it `control: true`, or leave one without policies", at: node)
                return nil
            }
            arms[holdout].isControl = true
        }
        return (
            arms, global, primary, winsorizeAt, value,
            adoption.map { AdoptionMetric(feature: $0, name: features.names[$0]) },
            randomisation
        )
    }
}
