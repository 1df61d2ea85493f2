public import UsageModel

/// The part of `segmentlab sql` that knows the metrics and the rules: from a user table, a user-day
/// table and the evaluation days to every user's segment and tags at every evaluation, with
/// SegmentLab's definitions (docs/segments.md, docs/sql.md).
///
/// It reads three relations the caller defines before it (docs/sql.md gives their columns):
/// - `users`: `uid`, `account` (the account id written out), `account_key`, `start_w` (the first day
///   the user's windows hold: sign-up, or the start date when earlier), `first_ms` (the instant of
///   the user's first event, which orders users within an account), and `m_first_J`, the first day
///   milestone J was seen (before the start date included), or NULL;
/// - `user_days`: per user and day from the start date on, `uid`, `day`, `sessions`, `keys`,
///   `f_I` (0 or 1, feature I used that day), `cap` (1 on a day a usage cap was reached), `pa_I` (1 on a
///   day the user tried feature I without it on their plan), `billing` (the code of the day's last billing event,
///   0 for none) and `nps` (the score of the day's last answer, or NULL);
/// - `plan_events`: `uid`, `ms`, `plan`: every billing event naming a plan, up to the last day;
/// - `evals`: `d`, the evaluation days.
/// Days are days since 1970-01-01 (UTC).
public struct SegmentSQL {
    public let compiled: CompiledSegmentation
    public let dialect: SQLDialect
    /// Days in the evaluation interval (7 or 1): the lifecycle's interval.
    let interval: Int
    let features: Int
    let milestones: Int

    public init(_ compiled: CompiledSegmentation, dialect: SQLDialect) {
        self.compiled = compiled
        self.dialect = dialect
        interval = compiled.spec.every.days
        features = compiled.vocabulary.features.count
        milestones = compiled.vocabulary.milestones.count
    }

    /// The metrics the rules read, in catalog order.
    /// The metrics the rules read, in catalog order, each once (two names can compute the same
    /// metric: `key_actions_7` and `key_actions_this_week`).
    var usedMetrics: [Metric] {
        let ids = Set((compiled.segments + compiled.tags).flatMap(\.metrics))
        var metrics: [Metric] = []
        for i in compiled.catalog.entries.indices where ids.contains(MetricID(raw: Int32(i))) {
            if !metrics.contains(compiled.metrics[i]) { metrics.append(compiled.metrics[i]) }
        }
        return metrics
    }

    // MARK: - Window aggregates

    /// A per-user, per-evaluation aggregate over the user's days from `start_w` to the evaluation day.
    enum Aggregate: Hashable {
        case sessions(Int), keys(Int), keysLastWeek, active(Int), activeLastWeek
        case keysBefore  // key actions in the interval before the evaluation's
        case lastSession, lastKey, firstKey
        case featureDays(Int, window: Int), featureEver(Int)
        case capDays, premiumDays, featurePremiumDays(Int)
        case billing, cancelled, npsLast

        var column: String {
            switch self {
            case .sessions(let n): return "s\(n)"
            case .keys(let n): return "k\(n)"
            case .keysLastWeek: return "klw"
            case .active(let n): return "a\(n)"
            case .activeLastWeek: return "alw"
            case .keysBefore: return "kprev"
            case .lastSession: return "last_s"
            case .lastKey: return "last_k"
            case .firstKey: return "first_k"
            case .featureDays(let f, let n): return "fd\(n)_\(f)"
            case .featureEver(let f): return "fe_\(f)"
            case .capDays: return "cap28"
            case .premiumDays: return "pa28"
            case .featurePremiumDays(let f): return "pa28_\(f)"
            case .billing: return "trial_v"
            case .cancelled: return "cancelled_v"
            case .npsLast: return "nps_v"
            }
        }

        /// The SQL over `x` (a `user_days` row of the window) and `s.d`, the evaluation day.
        func sql(_ dialect: SQLDialect, interval: Int) -> String {
            func sum(_ value: String, _ since: Int) -> String {
                "SUM(CASE WHEN x.day > s.d - \(since) THEN \(value) ELSE 0 END)"
            }
            switch self {
            case .sessions(let n): return sum("x.sessions", n)
            case .keys(let n): return sum("x.keys", n)
            case .keysLastWeek: return "SUM(CASE WHEN x.day BETWEEN s.d - 13 AND s.d - 7 THEN x.keys ELSE 0 END)"
            case .active(let n): return sum("CASE WHEN x.keys > 0 THEN 1 ELSE 0 END", n)
            case .activeLastWeek:
                return "SUM(CASE WHEN x.day BETWEEN s.d - 13 AND s.d - 7 AND x.keys > 0 THEN 1 ELSE 0 END)"
            case .keysBefore:
                return
                    "SUM(CASE WHEN x.day BETWEEN s.d - \(2 * interval - 1) AND s.d - \(interval) THEN x.keys ELSE 0 END)"
            case .lastSession: return "MAX(CASE WHEN x.sessions > 0 THEN x.day END)"
            case .lastKey: return "MAX(CASE WHEN x.keys > 0 THEN x.day END)"
            case .firstKey: return "MIN(CASE WHEN x.keys > 0 THEN x.day END)"
            case .featureDays(let f, let n): return sum("x.f_\(f)", n)
            case .featureEver(let f): return "COALESCE(MAX(x.f_\(f)), 0)"
            case .capDays: return sum("x.cap", 28)
            // A day with an attempt of any feature.
            case .premiumDays: return sum("x.premium", 28)
            case .featurePremiumDays(let f): return sum("x.pa_\(f)", 28)
            // The latest day whose last billing event starts or ends a trial, with that event's code.
            case .billing: return "MAX(CASE WHEN x.billing BETWEEN 1 AND 4 THEN x.day * 8 + x.billing END)"
            case .cancelled: return "MAX(CASE WHEN x.billing = 7 THEN 1 ELSE 0 END)"
            case .npsLast: return "MAX(CASE WHEN x.nps IS NOT NULL THEN x.day * 16 + x.nps END)"
            }
        }
    }

    /// What a metric's SQL reads: window aggregates, and whether it needs the plan.
    func aggregates(of metric: Metric) -> [Aggregate] {
        switch metric {
        case .daysSinceSession: return [.lastSession]
        case .daysSinceKeyAction: return [.lastKey]
        case .sessions1: return [.sessions(1)]
        case .sessions7: return [.sessions(7)]
        case .sessions28: return [.sessions(28)]
        case .keyActions1: return [.keys(1)]
        case .keyActions7: return [.keys(7)]
        case .keyActions28: return [.keys(28)]
        case .keyActionsLastWeek: return [.keysLastWeek]
        case .activeDays7: return [.active(7)]
        case .activeDays28: return [.active(28)]
        case .activeDaysLastWeek: return [.activeLastWeek]
        case .trendRatio, .trendChange: return [.keys(7), .keysLastWeek]
        case .engagementScore: return engagementAggregates
        case .stickiness, .usageRate: return [.active(28)]
        case .tenureDays, .plan, .activated, .daysSinceActivation, .milestone, .milestoneDaysSince: return []
        case .trial: return [.billing]
        case .cancelled: return [.cancelled]
        case .lifecycle: return [.keys(interval), .keysBefore, .firstKey]
        case .nps, .npsScore: return [.npsLast]
        case .featureAdoption(let f): return [.featureDays(f, window: 28), .featureEver(f)]
        case .featureDays7(let f): return [.featureDays(f, window: 7)]
        case .featureDays28(let f): return [.featureDays(f, window: 28)]
        case .capReachedDays28: return [.capDays]
        case .premiumAttempts28: return [.premiumDays]
        case .featurePremiumAttempts28(let f): return [.featurePremiumDays(f)]
        case .accountSeats: return []
        case .accountActiveSeats, .accountActiveSeatShare: return [.active(7)]
        case .accountEngagementScore: return engagementAggregates
        case .accountKeyActions28: return [.keys(28)]
        case .accountMRR: return [.billing, .cancelled]
        case .accountFeatureAdoptionShare(let f): return [.featureEver(f)]
        }
    }

    var engagementAggregates: [Aggregate] {
        [.active(28), .keys(28), .lastKey] + (0..<features).map { .featureDays($0, window: 28) }
    }

    /// Whether the aggregate is a count, 0 for a user without a day in the window (the others are NULL).
    func isCount(_ a: Aggregate) -> Bool {
        switch a {
        case .lastSession, .lastKey, .firstKey, .billing, .npsLast: return false
        default: return true
        }
    }

    // MARK: - Metrics

    /// A literal double, written so that every engine reads back the same value.
    func number(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? dialect.infinity : "(-\(dialect.infinity))" }
        return dialect.toDouble(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)")
    }

    /// `today - day` as a double: days since `day`, an integer column.
    func since(_ day: String) -> String { dialect.toDouble("w.d - \(day)") }

    /// Days since a day that may be NULL (never): infinite then.
    func sinceOrNever(_ day: String) -> String {
        "CASE WHEN \(day) IS NULL THEN \(dialect.infinity) ELSE \(since(day)) END"
    }

    /// The engagement score of the row `w`, a double, computed in the order SegmentLab computes it.
    var engagementSQL: String {
        let e = compiled.settings.engagement
        let active = dialect.toDouble("w.a28")
        let frequency = "least(\(number(1)), \(active) / \(number(e.targetActiveDays)))"
        let depth = "least(\(number(1)), \(dialect.toDouble("w.k28")) / \(number(e.targetKeyActions)))"
        let habitual =
            features == 0
            ? "0"
            : (0..<features).map {
                "CASE WHEN w.fd28_\($0) >= \(compiled.settings.habitualFeatureDays) THEN 1 ELSE 0 END"
            }.joined(separator: " + ")
        let breadth = features == 0 ? number(0) : "\(dialect.toDouble(habitual)) / \(number(Double(features)))"
        let recency =
            "CASE WHEN w.last_k IS NULL THEN \(number(0)) ELSE greatest(\(number(0)), \(number(1)) - "
            + "\(since("w.last_k")) / \(number(Double(UsageWindows.span)))) END"
        let total = e.frequency + e.depth + e.breadth + e.recency
        guard total > 0 else { return number(0) }
        return "\(number(100)) * (\(number(e.frequency)) * \(frequency) + \(number(e.depth)) * \(depth) + "
            + "\(number(e.breadth)) * \(breadth) + \(number(e.recency)) * \(recency)) / \(number(total))"
    }

    /// The column a metric takes in the `metrics` relation: a double (NULL for NaN), a boolean, or a
    /// choice's code.
    func metricSQL(_ metric: Metric) -> String {
        let d = dialect
        switch metric {
        case .daysSinceSession: return since("COALESCE(w.last_s, w.start_w)")
        case .daysSinceKeyAction: return since("COALESCE(w.last_k, w.start_w)")
        case .sessions1: return d.toDouble("w.s1")
        case .sessions7: return d.toDouble("w.s7")
        case .sessions28: return d.toDouble("w.s28")
        case .keyActions1: return d.toDouble("w.k1")
        case .keyActions7: return d.toDouble("w.k7")
        case .keyActions28: return d.toDouble("w.k28")
        case .keyActionsLastWeek: return d.toDouble("w.klw")
        case .activeDays7: return d.toDouble("w.a7")
        case .activeDays28: return d.toDouble("w.a28")
        case .activeDaysLastWeek: return d.toDouble("w.alw")
        case .trendRatio: return "CASE WHEN w.klw = 0 THEN NULL ELSE \(d.toDouble("w.k7")) / \(d.toDouble("w.klw")) END"
        case .trendChange: return "\(d.toDouble("w.k7")) - \(d.toDouble("w.klw"))"
        case .engagementScore: return engagementSQL
        case .stickiness: return "\(d.toDouble("w.a28")) / \(number(Double(UsageWindows.span)))"
        case .usageRate:
            let s = compiled.settings
            return "CASE WHEN w.a28 >= \(s.heavyDays) THEN 3 WHEN w.a28 >= \(s.moderateDays) THEN 2 "
                + "WHEN w.a28 > 0 THEN 1 ELSE 0 END"
        case .tenureDays: return since("w.start_w")
        case .plan: return "COALESCE(w.plan, 0)"
        case .trial: return "(COALESCE(\(d.mod("w.trial_v", "8")), 0) = 1)"
        case .cancelled: return "(w.cancelled_v = 1)"
        case .lifecycle:
            let active = "w.k\(interval) > 0"
            let before = "w.kprev > 0"
            let isNew = "(w.first_k IS NOT NULL AND w.first_k > w.d - \(interval))"
            return "CASE WHEN \(active) THEN (CASE WHEN \(isNew) THEN 1 WHEN \(before) THEN 2 ELSE 3 END) "
                + "WHEN \(before) THEN 4 ELSE 0 END"
        case .nps:
            let score = d.mod("w.nps_v", "16")
            return "CASE WHEN w.nps_v IS NULL THEN 0 WHEN \(score) <= 6 THEN 1 WHEN \(score) <= 8 THEN 2 ELSE 3 END"
        case .npsScore: return "CASE WHEN w.nps_v IS NULL THEN NULL ELSE \(d.toDouble(d.mod("w.nps_v", "16"))) END"
        case .activated: return "(\(activationDay) <= w.d)"
        case .daysSinceActivation:
            return "CASE WHEN \(activationDay) <= w.d THEN \(since(activationDay)) ELSE \(d.infinity) END"
        case .featureAdoption(let f):
            return "CASE WHEN w.fd28_\(f) >= \(compiled.settings.habitualFeatureDays) THEN 2 "
                + "WHEN w.fe_\(f) > 0 THEN 1 ELSE 0 END"
        case .featureDays7(let f): return d.toDouble("w.fd7_\(f)")
        case .featureDays28(let f): return d.toDouble("w.fd28_\(f)")
        case .capReachedDays28: return d.toDouble("w.cap28")
        case .premiumAttempts28: return d.toDouble("w.pa28")
        case .featurePremiumAttempts28(let f): return d.toDouble("w.pa28_\(f)")
        case .milestone(let m): return "(\(milestoneDay(m)) <= w.d)"
        case .milestoneDaysSince(let m):
            return "CASE WHEN \(milestoneDay(m)) <= w.d THEN \(since(milestoneDay(m))) ELSE \(d.infinity) END"
        case .accountSeats: return d.toDouble("t.seats")
        case .accountActiveSeats: return d.toDouble("t.active_seats")
        case .accountActiveSeatShare: return "\(d.toDouble("t.active_seats")) / \(d.toDouble("t.seats"))"
        case .accountEngagementScore: return "t.engagement_sum / \(d.toDouble("t.seats"))"
        case .accountKeyActions28: return d.toDouble("t.k28")
        case .accountMRR: return "\(d.toDouble("t.mrr_c")) / \(number(100))"
        case .accountFeatureAdoptionShare(let f): return "\(d.toDouble("t.adopters_\(f)")) / \(d.toDouble("t.seats"))"
        }
    }

    /// The day milestone `m` counts on: the first day it was seen, or the first day of the user's
    /// windows when it was seen before (docs/importing.md); NULL when never seen.
    func milestoneDay(_ m: Int) -> String {
        "(CASE WHEN w.m_first_\(m) IS NULL THEN NULL ELSE greatest(w.m_first_\(m), w.start_w) END)"
    }

    /// The day the user became activated (all activation milestones reached), or the first day of the
    /// windows with no activation milestones; NULL when not (yet) activated.
    var activationDay: String {
        let activation = compiled.settings.activationMilestones
        guard !activation.isEmpty else { return "w.start_w" }
        let days = activation.map { milestoneDay($0) }
        guard days.count > 1 else { return days[0] }
        // GREATEST skips NULLs in PostgreSQL and DuckDB: a milestone not reached must leave it NULL.
        let missing = activation.map { "w.m_first_\($0) IS NULL" }.joined(separator: " OR ")
        return "(CASE WHEN \(missing) THEN NULL ELSE greatest(\(days.joined(separator: ", "))) END)"
    }

    /// The column name of a metric in the `metrics` relation.
    func column(_ metric: Metric) -> String {
        let index = compiled.metrics.firstIndex(of: metric)!
        return "m\(index)"
    }

    // MARK: - The query

    /// The relations from `users`, `user_days`, `plan_events` and `evals` to the memberships, and the
    /// final `SELECT` of `user_id, account_id, date, segment, tags`.
    ///
    /// - Throws: ``RuleError`` (with the rule's place) for a rule this dialect cannot express.
    public func relations() throws -> (ctes: [(name: String, sql: String)], select: String) {
        let metrics = usedMetrics
        var needed: [Aggregate] = []
        for metric in metrics {
            for a in aggregates(of: metric) where !needed.contains(a) { needed.append(a) }
        }
        let needsPlan = metrics.contains(.plan) || metrics.contains(.accountMRR)
        let needsAccounts = metrics.contains { $0.isAccountLevel }
        let milestoneColumns = (0..<milestones).map { "u.m_first_\($0)" }
        let userColumns = ["u.uid", "u.account", "u.account_key", "u.start_w", "u.first_ms"] + milestoneColumns
        var ctes: [(name: String, sql: String)] = []

        // The windows of every signed-up user at every evaluation: the spans, the sums over the days in
        // each (only users with such days have a row), and both together. Joins compare keys only, and
        // ranges go to WHERE, as ClickHouse wants.
        ctes.append(
            (
                "sl_spans",
                "SELECT \(userColumns.map { "\($0) AS \($0.dropFirst(2))" }.joined(separator: ", ")), e.d AS d "
                    + "FROM sl_users u CROSS JOIN sl_evals e WHERE u.start_w <= e.d"
            ))
        var sums = "SELECT s.uid AS uid, s.d AS d"
        for a in needed { sums += ",\n    \(a.sql(dialect, interval: interval)) AS \(a.column)" }
        sums += "\n  FROM sl_spans s JOIN sl_user_days x ON x.uid = s.uid WHERE x.day >= s.start_w AND x.day <= s.d"
        sums += " GROUP BY s.uid, s.d"
        ctes.append(("sl_sums", sums))
        var windows = "SELECT s.*"
        for a in needed {
            windows += ", " + (isCount(a) ? "COALESCE(a.\(a.column), 0)" : "a.\(a.column)") + " AS \(a.column)"
        }
        windows += "\n  FROM sl_spans s LEFT JOIN sl_sums a ON a.uid = s.uid AND a.d = s.d"
        ctes.append(("sl_windows", windows))
        var base = "sl_windows"
        if needsPlan {
            ctes.append(
                (
                    "sl_plans",
                    "SELECT w.uid AS uid, w.d AS d, MAX(p.ms * 64 + p.plan + 1) AS plan_v FROM sl_windows w "
                        + "JOIN sl_plan_events p ON p.uid = w.uid WHERE p.ms < (w.d + 1) * 86400000 GROUP BY w.uid, w.d"
                ))
            ctes.append(
                (
                    "sl_windows_plan",
                    "SELECT w.*, CASE WHEN COALESCE(p.plan_v, 0) = 0 THEN NULL ELSE \(dialect.mod("p.plan_v", "64")) - 1 END AS plan "
                        + "FROM sl_windows w "
                        + "LEFT JOIN sl_plans p ON p.uid = w.uid AND p.d = w.d"
                ))
            base = "sl_windows_plan"
        }

        // The metrics of each user-evaluation, and the accounts' when a rule reads them.
        let userMetrics = metrics.filter { !$0.isAccountLevel }
        var select =
            "SELECT w.uid AS uid, w.account AS account, w.account_key AS account_key, w.first_ms AS first_ms, w.d AS d"
        for metric in userMetrics { select += ",\n    \(metricValue(metric)) AS \(column(metric))" }
        let accountMetrics = metrics.filter(\.isAccountLevel)
        let accountEngagement = accountMetrics.contains(.accountEngagementScore)
        let activeSeats =
            accountMetrics.contains(.accountActiveSeats) || accountMetrics.contains(.accountActiveSeatShare)
        let accountKeys = accountMetrics.contains(.accountKeyActions28)
        let accountMRR = accountMetrics.contains(.accountMRR)
        let adoption = (0..<features).filter { accountMetrics.contains(.accountFeatureAdoptionShare($0)) }
        // Never NaN: its divisors are constants.
        if accountEngagement { select += ",\n    \(engagementSQL) AS engagement" }
        if activeSeats { select += ", w.a7 AS a7" }
        if accountKeys { select += ", w.k28 AS k28" }
        if accountMRR { select += ",\n    \(payingCents) AS mrr_c" }
        for f in adoption { select += ", w.fe_\(f) AS fe_\(f)" }
        ctes.append(("sl_user_metrics", select + "\n  FROM \(base) w"))
        var rows = "sl_user_metrics"
        if needsAccounts {
            var account = "SELECT account_key, d, COUNT(*) AS seats"
            if activeSeats { account += ", SUM(CASE WHEN a7 > 0 THEN 1 ELSE 0 END) AS active_seats" }
            // SegmentLab adds the seats' scores in user order: within an account, by first event, then id.
            if accountEngagement {
                account +=
                    ", \(dialect.orderedSum("engagement", by: ["first_ms", dialect.bytewise("uid")])) AS engagement_sum"
            }
            if accountKeys { account += ", SUM(k28) AS k28" }
            if accountMRR { account += ", SUM(mrr_c) AS mrr_c" }
            for f in adoption { account += ", SUM(fe_\(f)) AS adopters_\(f)" }
            ctes.append(("sl_accounts", account + " FROM sl_user_metrics GROUP BY account_key, d"))
            var joined = "SELECT w.*"
            for metric in accountMetrics { joined += ",\n    \(metricValue(metric)) AS \(column(metric))" }
            joined += "\n  FROM sl_user_metrics w JOIN sl_accounts t ON t.account_key = w.account_key AND t.d = w.d"
            ctes.append(("sl_all_metrics", joined))
            rows = "sl_all_metrics"
        }

        var segment = "CASE"
        for (rule, definition) in zip(compiled.segments, compiled.spec.segments) {
            segment += "\n    WHEN \(try condition(rule.source)) THEN \(dialect.literal(definition.name))"
        }
        segment += "\n    ELSE 'unmatched' END"
        var tags = "''"
        if !compiled.tags.isEmpty {
            var parts: [String] = []
            for (rule, definition) in zip(compiled.tags, compiled.spec.tags) {
                parts.append(
                    "CASE WHEN \(try condition(rule.source)) THEN \(dialect.literal(";" + definition.name)) ELSE '' END"
                )
            }
            tags = "substr(" + parts.joined(separator: "\n    || ") + ", 2)"
        }
        let final =
            "SELECT w.uid AS user_id, w.account AS account_id, \(dialect.dateText("w.d")) AS date,\n  \(segment) AS segment,\n  "
            + "\(tags) AS tags\nFROM \(rows) w"
        return (ctes, final)
    }

    /// What the row's user pays a month, in cents (an integer): their plan's price, or 0 in a trial or
    /// after cancelling.
    var payingCents: String {
        let prices = compiled.vocabulary.planPriceCents ?? []
        var price = "CASE COALESCE(w.plan, 0)"
        for (code, cents) in prices.enumerated() { price += " WHEN \(code) THEN \(cents)" }
        price += " ELSE 0 END"
        return "CASE WHEN \(metricSQL(.trial)) OR \(metricSQL(.cancelled)) THEN 0 ELSE \(price) END"
    }

    /// A metric's value as its column holds it: doubles with NaN as NULL.
    func metricValue(_ metric: Metric) -> String {
        let sql = metricSQL(metric)
        switch compiled.catalog[MetricID(raw: Int32(compiled.metrics.firstIndex(of: metric)!))].kind {
        case .number: return nanAsNull(sql)
        case .flag, .choice: return sql
        }
    }

    func nanAsNull(_ sql: String) -> String { dialect.nanAsNull("(\(sql))") }

    // MARK: - Rules

    /// A rule as an SQL condition that is never NULL, true exactly when SegmentLab's rule is.
    func condition(_ source: String) throws(RuleError) -> String {
        let characters = Array(source)
        let syntax = try RuleParser.parse(try RuleLexer.tokens(of: characters))
        return try RuleSQL(sql: self).condition(syntax)
    }
}

/// A parsed rule (already checked by ``RuleCompiler``) written as SQL over the `metrics` columns.
struct RuleSQL {
    let sql: SegmentSQL

    enum Value {
        /// A double expression, NULL standing for NaN.
        case number(String)
        /// A boolean expression, never NULL.
        case condition(String)
        /// A choice's code and its options.
        case choice(String, [String])
    }

    func condition(_ node: RuleSyntax) throws(RuleError) -> String {
        guard case .condition(let text) = try value(node) else {
            throw RuleError(column: node.column, message: "a condition must be true or false")
        }
        return text
    }

    func number(_ node: RuleSyntax) throws(RuleError) -> String {
        guard case .number(let text) = try value(node) else {
            throw RuleError(column: node.column, message: "a number is needed here")
        }
        return text
    }

    func value(_ node: RuleSyntax) throws(RuleError) -> Value {
        switch node.kind {
        case .number(let x): return .number(sql.number(x))
        case .boolean(let b): return .condition(b ? "(1 = 1)" : "(1 = 0)")
        case .name(let name):
            guard let id = sql.compiled.catalog.lookup(name) else {
                throw RuleError(column: node.column, message: "unknown name '\(name)'")
            }
            let column = "w.\(sql.column(sql.compiled.metrics[Int(id.raw)]))"
            switch sql.compiled.catalog[id].kind {
            case .number: return .number(column)
            case .flag: return .condition("COALESCE(\(column), 1 = 0)")
            case .choice(let options): return .choice(column, options)
            }
        case .negate(let operand): return .number("(-\(try number(operand)))")
        case .not(let operand): return .condition("(NOT \(try condition(operand)))")
        case .logic(let op, let operands):
            var parts: [String] = []
            for operand in operands { parts.append(try condition(operand)) }
            return .condition("(" + parts.joined(separator: op == .and ? " AND " : " OR ") + ")")
        case .arithmetic(let first, let rest):
            var text = try number(first)
            for (op, operand) in rest {
                let right = try number(operand)
                switch op {
                case .add: text = sql.nanAsNull("\(text) + \(right)")
                case .subtract: text = sql.nanAsNull("\(text) - \(right)")
                case .multiply: text = sql.nanAsNull("\(text) * \(right)")
                // A zero divisor gives NaN in SegmentLab's rules.
                case .divide:
                    text = "(CASE WHEN \(right) = 0 THEN NULL ELSE \(sql.nanAsNull("\(text) / \(right)")) END)"
                }
            }
            return .number(text)
        case .comparison(let op, let left, let right):
            let l = try value(left)
            if case .choice(let code, let options) = l, case .name(let option) = right.kind,
                let index = options.firstIndex(of: option)
            {
                return .condition("(\(code) \(op == .equal ? "=" : "<>") \(index))")
            }
            let r = try value(right)
            let symbol: String =
                switch op {
                case .less: "<"
                case .lessEqual: "<="
                case .greater: ">"
                case .greaterEqual: ">="
                case .equal: "="
                case .notEqual: "<>"
                }
            switch (l, r) {
            case (.number(let a), .number(let b)):
                // Any comparison with NaN (NULL here) is false, != included.
                return .condition("COALESCE(\(a) \(symbol) \(b), 1 = 0)")
            case (.condition(let a), .condition(let b)):
                return .condition("(\(a) \(symbol) \(b))")
            default:
                throw RuleError(column: node.column, message: "'\(op.rawValue)' compares two numbers or two conditions")
            }
        case .membership(let left, let options):
            guard case .choice(let code, let names) = try value(left) else {
                throw RuleError(column: left.column, message: "'in' needs a choice on its left")
            }
            let codes = options.compactMap { names.firstIndex(of: $0.name) }.map(String.init)
            return .condition("(\(code) IN (\(codes.joined(separator: ", "))))")
        }
    }
}
