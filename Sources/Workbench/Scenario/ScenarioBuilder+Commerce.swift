import Simulation
import YAMLInput
import Yams

extension ScenarioBuilder {
    static let commerceKeys = ["currency", "plans", "after_trial", "conversion", "plan_changes"]

    func readCommerce(_ node: Node, _ path: NodePath) -> Commerce? {
        guard let fields = reader.mapping(node, path, keys: Self.commerceKeys, required: ["plans"]) else {
            plans.isComplete = false
            return nil
        }
        let currency = optional(fields, "currency", default: "USD", readCurrency)
        // Only names matter to references: a plan with a wrong price can still be referred to.
        if fields["plans"] == nil { plans.isComplete = false }
        let planList = fields["plans"].flatMap { readPlans($0, path.key("plans")) }
        let fallback = optional(fields, "after_trial", default: Int?.none) { reference($0, $1, in: plans) }
        let conversion = optional(fields, "conversion", default: Array(repeating: 0, count: states.count)) {
            weights($0, $1, over: states, .probability) { index in
                self.stateInfo[index].isAbsorbing
                    ? "the absorbing state '\(self.states.names[index])' cannot convert" : nil
            }
        }
        let changes = optional(fields, "plan_changes", default: [], readPlanChanges)
        guard let currency, let planList, let fallback, let conversion, let changes else { return nil }
        return Commerce(
            currency: currency, plans: planList, fallbackPlan: fallback, conversion: conversion, planChanges: changes
        )
    }

    /// An ISO 4217 code, which is all reports need to label revenue.
    func readCurrency(_ node: Node, _ path: NodePath) -> String? {
        guard let text = reader.string(node, path) else { return nil }
        guard text.unicodeScalars.count == 3, text.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
            reader.report(path, "expected a currency code of 3 capital letters (such as USD), got '\(text)'", at: node)
            return nil
        }
        return text
    }

    func readPlans(_ node: Node, _ path: NodePath) -> [Plan]? {
        guard let items = reader.list(node, path, of: "plans", count: 1...BehaviourModel.maxPlans) else {
            plans.isComplete = false
            return nil
        }
        var result: [Plan] = []
        for (i, item) in items.enumerated() {
            let itemPath = path.index(i)
            let keys = ["name", "monthly_price", "caps", "lacks"]
            guard let fields = reader.mapping(item, itemPath, keys: keys, required: ["name", "monthly_price"]) else {
                plans.isComplete = false
                continue
            }
            guard let name = required(fields, "name", { reader.name($0, $1, of: "plan") }) else {
                plans.isComplete = false
                continue
            }
            if !plans.add(name) {
                reader.report(itemPath.key("name"), "duplicate plan '\(name)'", at: fields["name"])
                continue
            }
            let cents = required(fields, "monthly_price", reader.cents)
            let caps = optional(fields, "caps", default: PlanCaps(), readPlanCaps)
            var lacks = optional(fields, "lacks", default: [Int]()) {
                references($0, $1, in: features, count: 0...BehaviourModel.maxFeatures)
            }
            if let caps, let lacking = lacks, let node = fields["lacks"], case .sequence(let list) = node {
                for (k, f) in lacking.enumerated() where f < caps.featureDays.count && caps.featureDays[f] > 0 {
                    reader.report(
                        itemPath.key("lacks").index(k),
                        "plan '\(name)' caps '\(features.names[f])' in caps.features_per_week, so it cannot lack it",
                        at: Array(list)[k])
                    lacks = nil
                }
            }
            if let cents, let caps, let lacks {
                result.append(
                    Plan(
                        name: name, monthlyPriceCents: cents, keyActionsPerWeek: caps.keyActions,
                        featureDaysPerWeek: caps.featureDays,
                        lacking: lacks.reduce(UInt32(0)) { $0 | (1 << UInt32($1)) }))
            }
        }
        return result.count == items.count ? result : nil
    }

    /// A plan's weekly caps: key actions, and days of use per feature.
    struct PlanCaps {
        var keyActions = 0
        /// By feature index; 0 for no cap, empty for none capped.
        var featureDays: [Int] = []
    }

    static let planCapsKeys = ["key_actions_per_week", "features_per_week"]

    /// `caps: {key_actions_per_week: N, features_per_week: {FEATURE: N}}`, each N an integer of at least 1.
    func readPlanCaps(_ node: Node, _ path: NodePath) -> PlanCaps? {
        guard let fields = reader.mapping(node, path, keys: Self.planCapsKeys) else { return nil }
        var caps = PlanCaps()
        let keys = optional(fields, "key_actions_per_week", default: 0) {
            reader.integer($0, $1, in: 1...1_000_000)
        }
        let days = optional(fields, "features_per_week", default: [Int]()) { node, path -> [Int]? in
            guard let entries = reader.entries(node, path) else { return nil }
            var result = [Int](repeating: 0, count: features.count)
            var complete = true
            for entry in entries {
                let entryPath = path.key(entry.name)
                let value = reader.integer(entry.value, entryPath, in: 1...7)
                guard let f = resolve(entry.name, entryPath, at: entry.key, in: features), let value else {
                    complete = false
                    continue
                }
                result[f] = value
            }
            return complete ? result : nil
        }
        guard let keys, let days else { return nil }
        caps.keyActions = keys
        caps.featureDays = days
        return caps
    }

    func readPlanChanges(_ node: Node, _ path: NodePath) -> [PlanChange]? {
        guard let items = reader.list(node, path, of: "plan changes", count: 0...Int.max) else { return nil }
        var result: [PlanChange] = []
        for (i, item) in items.enumerated() {
            let itemPath = path.index(i)
            let keys = ["from", "to", "daily_probability"]
            guard let fields = reader.mapping(item, itemPath, keys: keys, required: keys) else { continue }
            let from = required(fields, "from") { reference($0, $1, in: plans) }
            var to = required(fields, "to") { reference($0, $1, in: plans) }
            if let from, from == to {
                reader.report(itemPath.key("to"), "must differ from 'from' ('\(plans.names[from])')", at: fields["to"])
                to = nil
            }
            let probabilities = required(fields, "daily_probability") {
                weights($0, $1, over: states, .probability) { index in
                    self.stateInfo[index].isAbsorbing
                        ? "the absorbing state '\(self.states.names[index])' cannot change plans" : nil
                }
            }
            if let from, let to, let probabilities {
                result.append(PlanChange(from: from, to: to, dailyProbability: probabilities))
            }
        }
        return result.count == items.count ? result : nil
    }
}
