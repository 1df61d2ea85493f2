import EventImport
import Foundation
public import Segmentation
public import UsageModel
import YAMLInput

/// What `segmentlab sql` was asked for.
public struct SQLOptions: Sendable {
    public var taxonomy: String
    public var segments: String?
    public var dialect: SQLDialect
    /// One evaluation, on this day (as `segment --as-of DATE --once`); `nil` evaluates every interval
    /// from the start, as `segment` does.
    public var asOf: CivilDate?
    public var since: CivilDate?
    public var every: EvaluationInterval?
    public var eventsTable: String
    public var aliasesTable: String?
    public var accountsTable: String?

    public init(
        taxonomy: String, segments: String? = nil, dialect: SQLDialect, asOf: CivilDate? = nil,
        since: CivilDate? = nil, every: EvaluationInterval? = nil, eventsTable: String = "events",
        aliasesTable: String? = nil, accountsTable: String? = nil
    ) {
        self.taxonomy = taxonomy
        self.segments = segments
        self.dialect = dialect
        self.asOf = asOf
        self.since = since
        self.every = every
        self.eventsTable = eventsTable
        self.aliasesTable = aliasesTable
        self.accountsTable = accountsTable
    }
}

extension Workbench {
    /// One SQL query computing every user's segment and tags, as `segment` does on the same events
    /// (docs/sql.md): the columns `user_id, account_id, date, segment, tags`.
    public static func sql(_ options: SQLOptions) throws -> String {
        if let since = options.since, let asOf = options.asOf, asOf < since {
            throw RunError.badInput("--as-of \(asOf) is before --since \(since)")
        }
        let taxonomy = try Taxonomy.load(path: options.taxonomy)
        let compiled = try compileSegments(
            taxonomy: taxonomy,
            segments: try options.segments.map { (try YAMLInput.read($0, noun: "segments file"), $0) },
            every: options.every)
        let events = EventsSQL(taxonomy: taxonomy, options: options, interval: compiled.spec.every.days)
        let segments = SegmentSQL(compiled, dialect: options.dialect)
        let (ctes, select) = try segments.relations()
        let all = events.relations(milestones: taxonomy.milestoneNames.count) + ctes
        var text = "-- SegmentLab \(options.dialect.rawValue): segments of the events in \(options.eventsTable)\n"
        text += "-- taxonomy \(options.taxonomy), " + (options.segments.map { "segments \($0)" } ?? "default segments")
        // Relations read more than once are computed once: ClickHouse would otherwise inline a WITH
        // at every reference and read the events table again for each.
        let shared: Set = ["sl_valid", "sl_bounds", "sl_kept", "sl_users", "sl_spans", "sl_windows", "sl_user_metrics"]
        text +=
            "\nWITH\n"
            + all.map { "\($0.name) AS \(shared.contains($0.name) ? "MATERIALIZED " : "")(\n  \($0.sql)\n)" }.joined(
                separator: ",\n") + "\n" + select
        return text + "\n"
    }
}

/// The relations from the events table to what ``SegmentSQL`` reads: the taxonomy's meaning of
/// each event, the importer's rules for skipping one, users, their days and the evaluation days.
struct EventsSQL {
    let taxonomy: Taxonomy
    let options: SQLOptions
    let interval: Int
    var d: SQLDialect { options.dialect }

    /// Every event name the taxonomy mentions.
    var knownNames: [String] {
        var names: [String] = []
        func add(_ list: [String]) { for n in list where !names.contains(n) { names.append(n) } }
        let c = taxonomy.commerce
        add(taxonomy.ignored)
        add(taxonomy.signUps)
        add(taxonomy.sessions)
        add(taxonomy.keyActions)
        add(taxonomy.features.map(\.matcher.event))
        add(taxonomy.milestones.map(\.matcher.event))
        add(taxonomy.nps.map(\.event))
        add(taxonomy.revenue.map(\.event))
        add(taxonomy.capReached)
        add(taxonomy.premiumAttempts.map(\.matcher.event))
        add(c.trialStarted + c.subscriptionStarted + c.trialEnded + c.planChanged + c.subscriptionCancelled)
        return names
    }

    /// A property some rule reads: the events it is read for, and whether its JSON kind matters.
    struct Property {
        let key: String
        var events: [String] = []
        /// The plan-change direction must be a JSON string.
        var kind = false
        /// A plan property that is present but not a scalar names an unknown plan.
        var presence = false
    }

    /// The properties some rule reads, each with its columns in `src`.
    var properties: [Property] {
        var all: [Property] = []
        func add(_ key: String, _ events: [String], kind: Bool = false, presence: Bool = false) {
            let i = all.firstIndex { $0.key == key } ?? all.count
            if i == all.count { all.append(Property(key: key)) }
            for e in events where !all[i].events.contains(e) { all[i].events.append(e) }
            all[i].kind = all[i].kind || kind
            all[i].presence = all[i].presence || presence
        }
        for rule in taxonomy.features + taxonomy.milestones + taxonomy.premiumAttempts {
            if let p = rule.matcher.property { add(p, [rule.matcher.event]) }
        }
        for rule in taxonomy.nps { add(rule.property, [rule.event]) }
        for rule in taxonomy.revenue { add(rule.property, [rule.event], presence: true) }
        let c = taxonomy.commerce
        let billing = c.trialStarted + c.subscriptionStarted + c.trialEnded + c.planChanged + c.subscriptionCancelled
        if !billing.isEmpty { add(c.planProperty, billing, presence: true) }
        if !c.planChanged.isEmpty { add(c.directionProperty, c.planChanged, kind: true) }
        return all
    }

    func property(_ key: String) -> String { "p\(properties.firstIndex { $0.key == key }!)" }

    func list(_ names: [String]) -> String { "(" + names.map { d.literal($0) }.joined(separator: ", ") + ")" }

    func isOneOf(_ names: [String]) -> String { names.isEmpty ? "1 = 0" : "ev IN \(list(names))" }

    /// 1 when any of the matchers matches, else 0.
    func matches(_ matchers: [Taxonomy.Matcher]) -> String {
        guard !matchers.isEmpty else { return "0" }
        let tests = matchers.map { m in
            m.property.map { "(ev = \(d.literal(m.event)) AND \(property($0)) = \(d.literal(m.value ?? "")))" }
                ?? "ev = \(d.literal(m.event))"
        }
        return "CASE WHEN " + tests.joined(separator: " OR ") + " THEN 1 ELSE 0 END"
    }

    func relations(milestones: Int) -> [(name: String, sql: String)] {
        let q = d.quoted
        let table = d.table(options.eventsTable)
        var user = "ev.\(q("user_id"))"
        if taxonomy.useAnonymousID {
            user = "CASE WHEN COALESCE(\(user), '') = '' THEN ev.\(q("anonymous_id")) ELSE \(user) END"
        }
        let name = taxonomy.normalizeEventNames ? d.normalizedName("ev.\(q("event"))") : "ev.\(q("event"))"
        let ms = d.epochMillis("ev.\(q("timestamp"))")
        var src = "SELECT "
        var from = "\(table) ev"
        if let aliases = options.aliasesTable {
            // NULLIF: an unmatched LEFT JOIN gives '' in ClickHouse, NULL elsewhere.
            src += "COALESCE(NULLIF(al.\(q("user_id")), ''), \(user)) AS uid"
            from += " LEFT JOIN \(d.table(aliases)) al ON al.\(q("alias")) = \(user)"
        } else {
            src += "\(user) AS uid"
        }
        src += ", ev.\(q("account_id")) AS acc, \(name) AS ev, \(ms) AS ms"
        // Each property is parsed only for the events that read it: most events are sessions and key
        // actions, which read none.
        for (i, property) in properties.enumerated() {
            let column = "ev.\(q("properties"))"
            let reader = "\(name) IN \(list(property.events))"
            src += ",\n    CASE WHEN \(reader) THEN \(d.jsonScalar(column, property.key)) END AS p\(i)"
            if property.kind {
                src += ", CASE WHEN \(reader) THEN \(d.jsonIsString(column, property.key)) END AS s\(i)"
            }
            if property.presence {
                src += ", CASE WHEN \(reader) THEN \(d.jsonPresent(column, property.key)) END AS x\(i)"
            }
        }
        src += "\n  FROM \(from)"

        let features = taxonomy.featureNames
        let milestoneNames = taxonomy.milestoneNames
        let c = taxonomy.commerce
        var meaning = "SELECT uid, acc, ev, ms, \(d.div("ms", "86400000")) AS day"
        meaning += ",\n    CASE WHEN \(isOneOf(taxonomy.signUps)) THEN 1 ELSE 0 END AS signup"
        meaning += ",\n    CASE WHEN \(isOneOf(taxonomy.sessions)) THEN 1 ELSE 0 END AS session"
        meaning += ",\n    CASE WHEN \(isOneOf(taxonomy.keyActions)) THEN 1 ELSE 0 END AS key_action"
        for (i, feature) in features.enumerated() {
            meaning += ",\n    \(matches(taxonomy.features.filter { $0.name == feature }.map(\.matcher))) AS f_\(i)"
        }
        for (j, milestone) in milestoneNames.enumerated() {
            meaning += ",\n    \(matches(taxonomy.milestones.filter { $0.name == milestone }.map(\.matcher))) AS m_\(j)"
        }
        // A cap reached, and a premium attempt of each feature (features no rule names cannot have one).
        meaning += ",\n    CASE WHEN \(isOneOf(taxonomy.capReached)) THEN 1 ELSE 0 END AS cap"
        for (i, feature) in features.enumerated() {
            let rules = taxonomy.premiumAttempts.filter { $0.name == feature }.map(\.matcher)
            meaning += ",\n    \(matches(rules)) AS pa_\(i)"
        }
        // NPS: the score, -1 for no answer, -2 for an answer without a valid score.
        var nps = "-1"
        var lastRule: [String: String] = [:]
        for rule in taxonomy.nps { lastRule[rule.event] = rule.property }
        if !lastRule.isEmpty {
            nps = "CASE"
            for (event, key) in lastRule.sorted(by: { $0.key < $1.key }) {
                let p = property(key)
                let valid = "\(p) IS NOT NULL AND \(p) NOT IN ('true', 'false') AND \(d.isOneOrTwoDigits(p))"
                nps +=
                    " WHEN ev = \(d.literal(event)) THEN (CASE WHEN \(valid) AND \(d.toInteger(p)) <= 10 "
                    + "THEN \(d.toInteger(p)) ELSE -2 END)"
            }
            nps += " ELSE -1 END"
        }
        meaning += ",\n    \(nps) AS nps"
        // Revenue: 1 for an amount, 0 for none (the property absent or null), -2 for a value that is not
        // an amount (a number in JSON's syntax of at most 64 characters, below 10⁹ in size).
        var revenue = "0"
        if !taxonomy.revenue.isEmpty {
            revenue = "CASE"
            for rule in taxonomy.revenue {
                let p = property(rule.property)
                let x = "x" + p.dropFirst()
                // Nested cases, so the size is computed only for numbers' text.
                revenue +=
                    " WHEN ev = \(d.literal(rule.event)) THEN (CASE WHEN NOT COALESCE(\(x), 1 = 0) THEN 0 "
                    + "WHEN \(p) IS NULL OR length(\(p)) > 64 OR NOT \(d.isJSONNumber(p)) THEN -2 "
                    + "WHEN \(d.magnitude(p)) < 1e9 THEN 1 ELSE -2 END)"
            }
            revenue += " ELSE 0 END"
        }
        meaning += ",\n    \(revenue) AS revenue"
        let kinds: [(Int, [String])] = [
            (1, c.trialStarted), (2, c.subscriptionStarted), (3, c.trialEnded), (4, c.planChanged),
            (5, c.subscriptionCancelled),
        ]
        let billing = kinds.flatMap(\.1)
        var commerce = "0"
        var plan = "-1"
        var up = "0"
        if !billing.isEmpty {
            commerce =
                "CASE" + kinds.filter { !$0.1.isEmpty }.map { " WHEN \(isOneOf($0.1)) THEN \($0.0)" }.joined()
                + " ELSE 0 END"
            let p = property(c.planProperty)
            let x = "x" + p.dropFirst()
            // -2: a plan the taxonomy does not list (the event is skipped).
            plan = "CASE WHEN NOT \(isOneOf(billing)) OR NOT COALESCE(\(x), 1 = 0) THEN -1"
            for (i, name) in taxonomy.plans.enumerated() { plan += " WHEN \(p) = \(d.literal(name)) THEN \(i)" }
            plan += " ELSE -2 END"
        }
        if !c.planChanged.isEmpty {
            let p = property(c.directionProperty)
            let s = "s" + p.dropFirst()
            up = "CASE WHEN NOT \(isOneOf(c.planChanged)) THEN 0 WHEN NOT COALESCE(\(s), 1 = 0) THEN -2"
            if !c.upValues.isEmpty { up += " WHEN \(p) IN \(list(c.upValues)) THEN 1" }
            if !c.downValues.isEmpty { up += " WHEN \(p) IN \(list(c.downValues)) THEN 0" }
            up += " ELSE -2 END"
        }
        meaning += ",\n    \(commerce) AS commerce, \(plan) AS plan, \(up) AS up"
        meaning += "\n  FROM sl_src WHERE \(isOneOf(knownNames))"
        if !taxonomy.ignored.isEmpty { meaning += " AND ev NOT IN \(list(taxonomy.ignored))" }
        meaning += " AND uid IS NOT NULL AND uid <> ''"

        // Used (or before the start, which still dates the user): no skip reason, and some meaning.
        let effect =
            ["signup", "session", "key_action"] + features.indices.map { "f_\($0)" }
            + milestoneNames.indices.map { "m_\($0)" } + ["cap"] + features.indices.map { "pa_\($0)" }
        let valid =
            "SELECT * FROM sl_meaning WHERE plan <> -2 AND up <> -2 AND nps <> -2 AND revenue <> -2 AND ("
            + effect.joined(separator: " + ") + " > 0 OR nps >= 0 OR revenue > 0 OR commerce > 0)"

        let since = options.since.map { String($0.daysSinceEpoch) }
        let asOf = options.asOf.map { String($0.daysSinceEpoch) }
        let first = since ?? "(SELECT MIN(day) FROM sl_valid" + (asOf.map { " WHERE day <= \($0)" } ?? "") + ")"
        let last = asOf ?? "(SELECT MAX(day) FROM sl_valid" + (since.map { " WHERE day >= \($0)" } ?? "") + ")"
        let bounds = "SELECT CAST(\(first) AS \(d.bigint)) AS first_day, CAST(\(last) AS \(d.bigint)) AS last_day"
        let kept = "SELECT v.* FROM sl_valid v CROSS JOIN sl_bounds b WHERE v.day <= b.last_day"

        // Users: sign-up, account, first day of each milestone; their windows start at sign-up, or
        // at the start date when they signed up before.
        var firsts = "SELECT uid, MIN(ms) AS first_ms, MIN(CASE WHEN signup = 1 THEN day END) AS signup_day"
        for j in 0..<milestones { firsts += ", MIN(CASE WHEN m_\(j) = 1 THEN day END) AS m_first_\(j)" }
        firsts += " FROM sl_kept GROUP BY uid"
        let account =
            "SELECT uid, acc FROM (SELECT uid, acc, ROW_NUMBER() OVER (PARTITION BY uid ORDER BY ms, "
            + "\(d.bytewise("acc"))) AS r FROM sl_kept WHERE acc IS NOT NULL AND acc <> '') z WHERE r = 1"
        var accountOf = "NULLIF(ua.acc, '')"
        var users =
            "SELECT g.uid AS uid, g.first_ms AS first_ms, COALESCE(g.signup_day, \(d.div("g.first_ms", "86400000"))) AS signup, "
            + "b.first_day AS first_day"
        var userFrom = "sl_user_firsts g CROSS JOIN sl_bounds b LEFT JOIN sl_user_account ua ON ua.uid = g.uid"
        if let accounts = options.accountsTable {
            var tableUser = "t.\(q("user_id"))"
            var tableFrom = "\(d.table(accounts)) t"
            if let aliases = options.aliasesTable {
                tableUser = "COALESCE(NULLIF(al.\(q("user_id")), ''), t.\(q("user_id")))"
                tableFrom += " LEFT JOIN \(d.table(aliases)) al ON al.\(q("alias")) = t.\(q("user_id"))"
            }
            userFrom +=
                " LEFT JOIN (SELECT \(tableUser) AS uid, t.\(q("account_id")) AS acc FROM \(tableFrom)) ta "
                + "ON ta.uid = g.uid"
            accountOf = "COALESCE(NULLIF(ta.acc, ''), NULLIF(ua.acc, ''))"
        }
        users += ", COALESCE(\(accountOf), g.uid) AS account"
        users += ", CASE WHEN \(accountOf) IS NULL THEN 'u:' || g.uid ELSE 'a:' || \(accountOf) END AS account_key"
        for j in 0..<milestones { users += ", g.m_first_\(j) AS m_first_\(j)" }
        users += " FROM \(userFrom)"
        var windowUsers =
            "SELECT uid, first_ms, signup, account, account_key, greatest(signup, first_day) AS start_w"
        for j in 0..<milestones { windowUsers += ", m_first_\(j)" }
        windowUsers += " FROM sl_user_rows"

        // Each user's days from the start: usage, the day's last billing event and NPS answer.
        let code =
            "CASE k.commerce WHEN 1 THEN 1 WHEN 2 THEN (CASE WHEN k.day = u.signup THEN 2 ELSE 3 END) "
            + "WHEN 3 THEN 4 WHEN 4 THEN (CASE WHEN k.up = 1 THEN 5 ELSE 6 END) WHEN 5 THEN 7 END"
        let inDay = "(k.ms - k.day * 86400000)"
        var days = "SELECT k.uid AS uid, k.day AS day, SUM(k.session) AS sessions, SUM(k.key_action) AS keys"
        for f in features.indices { days += ", MAX(k.f_\(f)) AS f_\(f)" }
        days += ", MAX(k.cap) AS cap"
        for f in features.indices { days += ", MAX(k.pa_\(f)) AS pa_\(f)" }
        days +=
            ", "
            + (features.isEmpty
                ? "0"
                : "CASE WHEN " + features.indices.map { "MAX(k.pa_\($0))" }.joined(separator: " + ")
                    + " > 0 THEN 1 ELSE 0 END")
            + " AS premium"
        days +=
            ",\n    COALESCE(\(d.mod("MAX(CASE WHEN k.commerce > 0 THEN \(inDay) * 8 + \(code) END)", "8")), 0) AS billing"
        days += ",\n    \(d.mod("MAX(CASE WHEN k.nps >= 0 THEN \(inDay) * 16 + k.nps END)", "16")) AS nps"
        days += "\n  FROM sl_kept k JOIN sl_users u ON u.uid = k.uid CROSS JOIN sl_bounds b WHERE k.day >= b.first_day"
        days += " GROUP BY k.uid, k.day"
        let plans = "SELECT uid, ms, plan FROM sl_kept WHERE plan >= 0"
        let evals: String
        if options.asOf != nil {
            evals = "SELECT last_day AS d FROM sl_bounds"
        } else {
            evals =
                d.series(from: "first_day + \(interval - 1)", to: "last_day", step: interval, as: "d")
                + " FROM sl_bounds"
        }
        return [
            ("sl_src", src), ("sl_meaning", meaning), ("sl_valid", valid), ("sl_bounds", bounds), ("sl_kept", kept),
            ("sl_user_firsts", firsts), ("sl_user_account", account), ("sl_user_rows", users),
            ("sl_users", windowUsers),
            ("sl_user_days", days), ("sl_plan_events", plans), ("sl_evals", evals),
        ]
    }
}
