import Simulation
import YAMLInput
import Yams

/// The `modifiers` section, with the model's neutral values as defaults.
struct Modifiers {
    var habit: Habit?
    var teamInfluence: TeamInfluence?
    var weekdayFactors: [Double] = Array(repeating: 1, count: 7)
    var productChanges: [ProductChange] = []
}

extension ScenarioBuilder {
    func readModifiers(_ node: Node, _ path: NodePath) -> Modifiers? {
        let keys = ["habit", "team_influence", "weekday", "product_changes"]
        guard let fields = reader.mapping(node, path, keys: keys) else { return nil }
        let defaults = Modifiers()
        let habit = optional(fields, "habit", default: Habit?.none, readHabit)
        let team = optional(fields, "team_influence", default: TeamInfluence?.none, readTeamInfluence)
        let weekday = optional(fields, "weekday", default: defaults.weekdayFactors, readWeekday)
        let changes = optional(fields, "product_changes", default: defaults.productChanges, readProductChanges)
        guard let habit, let team, let weekday, let changes else { return nil }
        return Modifiers(habit: habit, teamInfluence: team, weekdayFactors: weekday, productChanges: changes)
    }

    /// `{strength}` in [0, 1]: at 1 a user whose teammates are all active never declines.
    func readTeamInfluence(_ node: Node, _ path: NodePath) -> TeamInfluence? {
        guard let fields = reader.mapping(node, path, keys: ["strength"], required: ["strength"]) else { return nil }
        return required(fields, "strength") { reader.number($0, $1, .probability) }.map(TeamInfluence.init)
    }

    func readHabit(_ node: Node, _ path: NodePath) -> Habit? {
        let keys = ["half_life_days", "strength"]
        guard let fields = reader.mapping(node, path, keys: keys, required: keys) else { return nil }
        let halfLife = required(fields, "half_life_days") { reader.number($0, $1, .between(0, 3650, lowerOpen: true)) }
        let strength = required(fields, "strength") { reader.number($0, $1, .probability) }
        guard let halfLife, let strength else { return nil }
        return Habit(halfLifeDays: halfLife, strength: strength)
    }

    func readWeekday(_ node: Node, _ path: NodePath) -> [Double]? {
        guard let items = reader.list(node, path, of: "weekday factors", count: 0...Int.max) else { return nil }
        let values = items.enumerated().compactMap { reader.number($1, path.index($0), .factor) }
        guard items.count == 7 else {
            reader.report(path, "expected 7 factors (Monday first), got \(items.count)", at: node)
            return nil
        }
        return values.count == 7 ? values : nil
    }

    func readProductChanges(_ node: Node, _ path: NodePath) -> [ProductChange]? {
        guard let items = reader.list(node, path, of: "product changes", count: 0...Int.max) else { return nil }
        var result: [ProductChange] = []
        for (i, item) in items.enumerated() {
            let itemPath = path.index(i)
            let keys = ["day", "sessions", "key_actions", "features"]
            guard let fields = reader.mapping(item, itemPath, keys: keys, required: ["day"]) else { continue }
            let day = required(fields, "day") { node, path -> Int? in
                guard let day = reader.integer(node, path, in: 0...Int.max) else { return nil }
                if let days, day >= days {
                    reader.report(path, "must be between 0 and days - 1 (\(days - 1))", at: node)
                    return nil
                }
                return day
            }
            let sessions = optional(fields, "sessions", default: 1) { reader.number($0, $1, .factor) }
            let keyActions = optional(fields, "key_actions", default: 1) { reader.number($0, $1, .factor) }
            let featureFactors = optional(fields, "features", default: Array(repeating: 1, count: features.count)) {
                weights($0, $1, over: features, .factor, fill: 1)
            }
            if let day, let sessions, let keyActions, let featureFactors {
                result.append(
                    ProductChange(
                        day: day, sessionFactor: sessions, keyActionFactor: keyActions, featureFactors: featureFactors)
                )
            }
        }
        return result.count == items.count ? result : nil
    }

    func readDataQuality(_ node: Node, _ path: NodePath) -> DataQuality? {
        let keys = ["lost_events", "duplicate_identities", "late_events"]
        guard let fields = reader.mapping(node, path, keys: keys) else { return nil }
        var quality = DataQuality()
        var valid = true
        if let lost = optional(fields, "lost_events", default: quality.lostEvents, { reader.number($0, $1, .belowOne) })
        {
            quality.lostEvents = lost
        } else {
            valid = false
        }
        if let node = fields["duplicate_identities"] {
            let duplicatePath = path.key("duplicate_identities")
            if let duplicates = reader.mapping(node, duplicatePath, keys: ["users", "events"]) {
                let users = optional(duplicates, "users", default: 0) { reader.number($0, $1, .probability) }
                let events = optional(duplicates, "events", default: 0) { reader.number($0, $1, .probability) }
                if let users, let events {
                    quality.duplicateUserShare = users
                    quality.duplicateEventShare = events
                } else {
                    valid = false
                }
            } else {
                valid = false
            }
        }
        if let node = fields["late_events"] {
            if let late = readLateEvents(node, path.key("late_events")) {
                quality.lateEventProbability = late.probability
                quality.lateDelayMedianHours = late.median
                quality.lateDelaySigma = late.sigma
            } else {
                valid = false
            }
        }
        return valid ? quality : nil
    }

    private func readLateEvents(_ node: Node, _ path: NodePath) -> (
        probability: Double, median: Double, sigma: Double
    )? {
        let defaults = DataQuality()
        guard let fields = reader.mapping(node, path, keys: ["probability", "delay_hours"]) else { return nil }
        let probability = optional(fields, "probability", default: 0) { reader.number($0, $1, .probability) }
        var median: Double? = defaults.lateDelayMedianHours
        var sigma: Double? = defaults.lateDelaySigma
        if let delayNode = fields["delay_hours"] {
            if let delay = reader.mapping(delayNode, path.key("delay_hours"), keys: ["median", "sigma"]) {
                median = optional(delay, "median", default: defaults.lateDelayMedianHours) {
                    reader.number($0, $1, .between(0, 8760, lowerOpen: true))
                }
                sigma = optional(delay, "sigma", default: defaults.lateDelaySigma) {
                    reader.number($0, $1, .between(0, 10))
                }
            } else {
                median = nil
            }
        }
        guard let probability, let median, let sigma else { return nil }
        return (probability, median, sigma)
    }
}
