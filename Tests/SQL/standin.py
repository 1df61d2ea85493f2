"""A stand-in for `segmentlab sql`, for checking the harness itself (`check.py --stand-in`).

It answers one segments file only, standin-segments.yaml (everyone `occasional`, no tags), for
scenarios/example-taxonomy.yaml and edge-taxonomy.yaml, so its query has to get right everything but the segment rules:
which events are used, aliases, sign-up days, accounts (the accounts table, else the earliest event
naming one, else the user's own id), UTC days, the evaluation days of each mode, `--since` and
`--as-of`. Agreement with `segmentlab segment` on every case shows that the loading, the time
zones and the comparison are sound; it says nothing about segment rules.
"""

# What scenarios/example-taxonomy.yaml makes of events (docs/importing.md); edge-taxonomy.yaml adds
# two features, matched on a property's text as written.
SIGN_UPS = ["signed_up"]
PLAIN = ["signed_up", "session_started", "key_action", "setup_complete", "first_item_created", "teammate_invited"]
FEATURES = ["dashboards", "reports", "automations", "integrations", "exports"]
PLANS = ["free", "team", "business"]
BILLING = ["trial_started", "subscription_started", "trial_ended", "subscription_cancelled"]


def names(values: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Dialect:
    """The few spellings that differ between the three engines."""

    def __init__(self, name: str):
        self.name = name

    def prop(self, key: str) -> str:
        """A property as the importer compares it: a string's value, or the JSON text of a number, true
        or false as written; NULL when absent. PostgreSQL's json keeps that text; DuckDB's and
        ClickHouse's JSON functions print numbers anew (1.50 as 1.5), so there the text is cut out of
        the properties with a pattern (enough for the compact JSON of these logs)."""
        raw = f'"{key}" *: *(-?[0-9][0-9.eE+-]*|true|false)'
        if self.name == "postgres":
            return f"(properties ->> '{key}')"
        if self.name == "duckdb":
            return (f"CASE WHEN json_type(properties, '$.{key}') = 'VARCHAR' "
                    f"THEN json_extract_string(properties, '$.{key}') "
                    f"ELSE nullif(regexp_extract(CAST(properties AS VARCHAR), '{raw}', 1), '') END")
        return (f"multiIf(JSONType(properties, '{key}') = 'String', JSONExtractString(properties, '{key}'), "
                f"JSONHas(properties, '{key}'), nullIf(extract(properties, '{raw}'), ''), NULL)")

    def matches(self, text: str, pattern: str) -> str:
        if self.name == "postgres":
            return f"({text} ~ '^{pattern}$')"
        if self.name == "duckdb":
            return f"regexp_full_match({text}, '{pattern}')"
        return f"match({text}, '^{pattern}$')"

    def integer(self, text: str) -> str:
        return f"CAST({text} AS {'Int32' if self.name == 'clickhouse' else 'INTEGER'})"

    def day(self, column: str) -> str:
        return f"toDate({column})" if self.name == "clickhouse" else f"CAST({column} AS DATE)"

    def date(self, text: str) -> str:
        return f"toDate('{text}')" if self.name == "clickhouse" else f"DATE '{text}'"

    def text(self, expression: str) -> str:
        return f"toString({expression})" if self.name == "clickhouse" else f"CAST({expression} AS VARCHAR)"

    def days_between(self, first: str, last: str) -> str:
        return f"dateDiff('day', {first}, {last})" if self.name == "clickhouse" else f"({last} - {first})"

    def day_numbers(self) -> str:
        """A relation of the integers i = 0 ... 3660 (an import spans at most 3 660 days), as INTEGER."""
        if self.name == "clickhouse":
            return "(SELECT toInt32(number) AS i FROM numbers(3661))"
        if self.name == "duckdb":
            return "(SELECT CAST(range AS INTEGER) AS i FROM range(3661))"
        return "(SELECT generate_series(0, 3660) AS i)"

    def nonempty(self, column: str) -> str:
        """A LEFT JOIN found a row. ClickHouse fills a missing row with defaults (join_use_nulls is 0
        by default), the others with NULL."""
        return f"{column} != ''" if self.name == "clickhouse" else f"{column} IS NOT NULL"


def query(dialect: str, *, as_of: str | None, since: str | None, every: int, events: str, aliases: str | None,
          accounts: str | None) -> str:
    d = Dialect(dialect)
    user = "e.user_id"
    alias_join = ""
    if aliases:
        alias_join = f"LEFT JOIN {aliases} al ON al.alias = e.user_id"
        user = f"CASE WHEN {d.nonempty('al.alias')} THEN al.user_id ELSE e.user_id END"
    score = d.prop("score")
    plan = d.prop("plan")
    plan_ok = f"({plan} IS NULL OR {plan} IN ({names(PLANS)}))"
    used = f"""(event IN ({names(PLAIN)})
      OR (event = 'feature_used' AND {d.prop('feature')} IN ({names(FEATURES)}))
      OR (event = 'items_imported' AND {d.prop('batch')} = '1.50')
      OR (event = 'setting_changed' AND {d.prop('dark')} = 'true')
      OR (event = 'nps_submitted' AND {d.matches(score, '[0-9]{1,2}')} AND {d.integer(score)} <= 10)
      OR (event IN ({names(BILLING)}) AND {plan_ok})
      OR (event = 'plan_changed' AND {plan_ok} AND {d.prop('direction')} IN ('up', 'down')))"""
    if as_of:
        used += f"\n      AND day <= {d.date(as_of)}"
    first = d.date(since) if since else "min(day)"
    last = d.date(as_of) if as_of else "max(day)"
    if as_of:
        dates = "SELECT last_day AS date FROM bounds"
    else:
        dates = f"""SELECT first_day + i AS date
  FROM bounds CROSS JOIN {d.day_numbers()} AS n
  WHERE i <= {d.days_between('first_day', 'last_day')} AND (i + 1) % {every} = 0"""
    account_ctes = ""
    account = f"CASE WHEN {d.nonempty('ea.user_id')} THEN ea.account_id ELSE u.user_id END"
    account_joins = "LEFT JOIN event_accounts ea ON ea.user_id = u.user_id"
    if accounts:
        table_user = "t.user_id"
        table_join = ""
        if aliases:
            table_join = f"LEFT JOIN {aliases} al ON al.alias = t.user_id"
            table_user = f"CASE WHEN {d.nonempty('al.alias')} THEN al.user_id ELSE t.user_id END"
        account_ctes = f""",
table_accounts AS (
  SELECT {table_user} AS user_id, t.account_id AS account_id FROM {accounts} t {table_join}
)"""
        account = f"CASE WHEN {d.nonempty('ta.user_id')} THEN ta.account_id ELSE {account} END"
        account_joins += "\nLEFT JOIN table_accounts ta ON ta.user_id = u.user_id"
    return f"""-- stand-in for segmentlab sql ({dialect}): everyone occasional, no tags
WITH ev AS (
  SELECT {user} AS user_id, e.account_id AS account_id, e.event AS event, e.timestamp AS ts,
         {d.day('e.timestamp')} AS day, e.properties AS properties
  FROM {events} e {alias_join}
),
used AS (
  SELECT user_id, account_id, event, ts, day FROM ev
  WHERE {used}
),
bounds AS (
  SELECT {first} AS first_day, {last} AS last_day FROM used
),
users AS (
  SELECT user_id, coalesce(min(CASE WHEN event IN ({names(SIGN_UPS)}) THEN day END), min(day)) AS signup
  FROM used GROUP BY user_id
),
event_accounts AS (
  SELECT user_id, account_id FROM (
    SELECT user_id, account_id, row_number() OVER (PARTITION BY user_id ORDER BY ts, account_id) AS n
    FROM used WHERE account_id IS NOT NULL AND account_id != ''
  ) AS ranked WHERE n = 1
),
dates AS (
  {dates}
){account_ctes}
SELECT u.user_id AS user_id, {account} AS account_id, {d.text('dt.date')} AS date,
       'occasional' AS segment, '' AS tags
FROM users u CROSS JOIN dates dt
{account_joins}
WHERE u.signup <= dt.date
"""
