"""The hand-made edge-case log of the SQL checks, with its alias and account tables.

    python edge_log.py DIR     writes DIR/events.csv, DIR/aliases.csv and DIR/accounts.csv

Read with edge-taxonomy.yaml (the example taxonomy and two features matched on a number and on
true). Every user below is there for a reason the importer
documents (docs/importing.md); the first used event is on 2026-03-02 (day 0), the last on
2026-03-29, so weekly evaluations fall on 03-08, 03-15, 03-22 and 03-29.

- u0000001: an ordinary active user: trial, all three milestones, habitual `reports`, an NPS answer
  given as a string ("9", a promoter), a conversion and an upgrade; one key action at
  23:59:59.9996Z, which is still that day (times are cut, not rounded, to the millisecond).
- u0000002: a duplicate identity: the sign-up and some events come under d0000002, which
  aliases.csv maps to u0000002 (and accounts.csv names by the alias).
- u0000003: never a key action: sessions and a feature only; a trial that ends unconverted.
- u0000004: events before sign-up: used on 03-04 and 03-05, signs up on 03-11. `--as-of 2026-03-08`
  cuts the sign-up off, so on that day the user counts as signed up on 03-04.
- u0000005: no account on any event (an account of their own, named by the user id, unless
  accounts.csv gives one); signs up at 22:30 on 03-08 at -03:00, which is 03-09 in UTC.
- @anna: an id a spreadsheet would run as a formula (memberships.csv writes it as '@anna); cancels.
- u0000007: the earliest line of the log (03-01) is a feature this taxonomy has no rule for, so it
  is skipped: it neither starts the log nor signs the user up (their first used event does, 03-04).
- u0000008: only such unmatched features: not a user at all.
- u0000009: active in the first week only, then gone; a detractor; empty properties fields.
- u0000010, u0000011, u0000012, u0000013: each has one feature event on 03-06 and their first
  session on 03-09, so whether that event matches a rule decides whether they are signed up on the
  03-08 evaluation: batch 1.50 (matches), batch 1.5 (does not: numbers match by their text as
  written), batch "1.50" (a string: matches), dark true (matches).
- Time zones: an event at 07:30+09:00 on 03-10 counts on 03-09; one at 23:10-04:00 on 03-15 counts
  on 03-16.
- 2026-03-15 (an evaluation day) has no event at all in UTC.
- Lines are grouped by user, not in time order; the first line arrived late (received_at after
  its timestamp).
"""

import csv
import sys
from pathlib import Path

HEADER = ["user_id", "account_id", "event", "timestamp", "received_at", "properties"]


def events() -> list[list[str]]:
    rows: list[list[str]] = []

    def ev(user, account, event, ts, props="{}", received=None):
        if len(ts) == 16:  # 2026-03-02T09:00 -> with seconds, milliseconds and Z
            ts += ":00.000Z"
        rows.append([user, account, event, ts, received or ts, props])

    def active_day(user, account, day, hour, key_actions=1, feature=None, props="{}"):
        ev(user, account, "session_started", f"2026-03-{day:02d}T{hour:02d}:00", props)
        for k in range(key_actions):
            ev(user, account, "key_action", f"2026-03-{day:02d}T{hour:02d}:{10 + k:02d}", props)
        if feature:
            ev(user, account, "feature_used", f"2026-03-{day:02d}T{hour:02d}:30", f'{{"feature":"{feature}"}}')

    # u0000001: active, promoter by a string score, converts and upgrades.
    u, a = "u0000001", "a000001"
    ev(u, a, "signed_up", "2026-03-02T09:00")
    ev(u, a, "trial_started", "2026-03-02T09:00", '{"plan":"team"}')
    active_day(u, a, 2, 9, 1, "dashboards")
    ev(u, a, "setup_complete", "2026-03-02T09:05")
    active_day(u, a, 3, 10, 2, "reports")
    ev(u, a, "first_item_created", "2026-03-03T10:20")
    active_day(u, a, 4, 11)
    active_day(u, a, 5, 9, 2)
    ev(u, a, "teammate_invited", "2026-03-05T09:40")
    active_day(u, a, 6, 14)
    active_day(u, a, 9, 9, 3, "reports")
    active_day(u, a, 10, 15)
    ev(u, a, "nps_submitted", "2026-03-10T15:20", '{"score":"9"}')
    active_day(u, a, 11, 8)
    active_day(u, a, 12, 13)
    ev(u, a, "subscription_started", "2026-03-12T02:00", '{"plan":"team"}')
    active_day(u, a, 13, 16)
    for day in range(16, 21):
        active_day(u, a, day, 10, 2, "reports" if day < 20 else "exports")
    ev(u, a, "plan_changed", "2026-03-18T10:40", '{"plan":"business","direction":"up"}')
    ev(u, a, "session_started", "2026-03-21T20:00")
    ev(u, a, "key_action", "2026-03-21T23:59:59.9996Z")
    for day in range(23, 28):
        active_day(u, a, day, 11, 3)
    active_day(u, a, 29, 9)

    # u0000002: signs up under the second identity d0000002; both ids used afterwards.
    a = "a000001"
    ev("d0000002", a, "signed_up", "2026-03-03T08:00")
    ev("d0000002", a, "trial_started", "2026-03-03T08:00", '{"plan":"team"}')
    active_day("d0000002", a, 3, 8, 1, "dashboards")
    ev("u0000002", a, "setup_complete", "2026-03-03T08:15")
    active_day("u0000002", a, 4, 12, 2)
    ev("d0000002", a, "first_item_created", "2026-03-04T12:20")
    active_day("u0000002", a, 7, 12)
    active_day("d0000002", a, 10, 17, 1, "dashboards")
    active_day("u0000002", a, 17, 9, 1, "automations")
    ev("u0000002", a, "nps_submitted", "2026-03-17T09:50", '{"score":7}')

    # u0000003: sessions but never a key action; the trial ends unconverted.
    u, a = "u0000003", "a000002"
    ev(u, a, "signed_up", "2026-03-02T16:00")
    ev(u, a, "trial_started", "2026-03-02T16:00", '{"plan":"business"}')
    for day in (2, 3, 6, 12, 19, 26):
        ev(u, a, "session_started", f"2026-03-{day:02d}T16:00")
    ev(u, a, "feature_used", "2026-03-03T16:05", '{"feature":"dashboards"}')
    ev(u, a, "setup_complete", "2026-03-03T16:10")
    ev(u, a, "trial_ended", "2026-03-16T00:30", '{"plan":"free"}')

    # u0000004: used before signing up on 03-11.
    u, a = "u0000004", "a000002"
    active_day(u, a, 4, 18, 2)
    active_day(u, a, 5, 18, 1, "integrations")
    ev(u, a, "signed_up", "2026-03-11T18:00")
    ev(u, a, "subscription_started", "2026-03-11T18:00", '{"plan":"team"}')
    active_day(u, a, 11, 18, 2)
    ev(u, a, "setup_complete", "2026-03-11T18:05")
    ev(u, a, "first_item_created", "2026-03-11T18:06")
    ev(u, a, "teammate_invited", "2026-03-11T18:07")
    for day in (12, 13, 18, 24, 25):
        active_day(u, a, day, 18, 1)

    # u0000005: no account anywhere; signs up late in the evening at -03:00 (03-09 in UTC).
    u, a = "u0000005", ""
    ev(u, a, "signed_up", "2026-03-08T22:30:00-03:00")
    ev(u, a, "trial_started", "2026-03-08T22:30:00-03:00", '{"plan":"team"}')
    ev(u, a, "session_started", "2026-03-08T22:30:00-03:00")
    ev(u, a, "key_action", "2026-03-08T22:41:07.250-03:00")
    ev(u, a, "session_started", "2026-03-10T07:30:00+09:00")  # 03-09 22:30 UTC
    ev(u, a, "key_action", "2026-03-10T07:35:00+09:00")
    active_day(u, a, 12, 20, 1)
    ev(u, a, "session_started", "2026-03-15T23:10:00-04:00")  # 03-16 03:10 UTC
    ev(u, a, "key_action", "2026-03-15T23:12:00-04:00")
    active_day(u, a, 22, 7, 2, "dashboards")

    # @anna: an id that needs the spreadsheet escape; cancels on 03-20.
    u, a = "@anna", "a000003"
    ev(u, a, "signed_up", "2026-03-09T11:00")
    ev(u, a, "subscription_started", "2026-03-09T11:00", '{"plan":"team"}')
    for day in (9, 10, 11, 12, 13, 16, 17):
        active_day(u, a, day, 11, 4, "dashboards")
    ev(u, a, "setup_complete", "2026-03-09T11:40")
    ev(u, a, "subscription_cancelled", "2026-03-20T12:00", '{"plan":"team"}')

    # u0000007: the log's earliest line is a feature no rule matches; first used event on 03-04.
    u, a = "u0000007", "a000003"
    ev(u, a, "feature_used", "2026-03-01T10:00", '{"feature":"wizard"}')
    active_day(u, a, 4, 10, 1)
    active_day(u, a, 8, 10, 2, "reports")
    active_day(u, a, 22, 10, 1)

    # u0000008: nothing but unmatched features: no user.
    ev("u0000008", "a000004", "feature_used", "2026-03-06T10:00", '{"feature":"wizard"}')
    ev("u0000008", "a000004", "feature_used", "2026-03-13T10:00", '{"feature":"wizard"}')

    # Whether one feature event matches decides the sign-up day (03-06, else 03-09).
    for user, event, props in (("u0000010", "items_imported", '{"batch":1.50}'),
                               ("u0000011", "items_imported", '{"batch":1.5}'),
                               ("u0000012", "items_imported", '{"batch":"1.50"}'),
                               ("u0000013", "setting_changed", '{"dark":true}')):
        ev(user, "a000005", event, "2026-03-06T12:00", props)
        active_day(user, "a000005", 9, 12, 1)
        active_day(user, "a000005", 10, 12, 2)

    # Whether an order's amount is one decides the sign-up day (03-06, else 03-09): an amount in JSON's
    # number syntax below 10^9 in size makes the order a used event; anything else is skipped, and an
    # order without an amount (absent or null) means nothing.
    amounts = ('12.5', '"12.50"', '-3', '0', '1.5e2', '"12,50"', 'true', '{"x":1}', '"+5"', '"05"', '1e999',
               '2e9', '" 5"', 'null')
    for k, amount in enumerate(amounts):
        user = f"u00000{20 + k}"
        ev(user, "a000006", "order_completed", "2026-03-06T12:00", f'{{"total":{amount}}}')
        active_day(user, "a000006", 9, 12, 1)
        active_day(user, "a000006", 10, 12, 2)

    # A late arrival of u0000001, moved to the top of the file below.
    late = len(rows)
    ev("u0000001", "a000001", "key_action", "2026-03-28T23:50", received="2026-03-29T06:10:00.000Z")

    # u0000009: first week only, empty properties fields; a detractor.
    u, a = "u0000009", "a000004"
    ev(u, a, "signed_up", "2026-03-02T07:00", "")
    for day in range(2, 6):
        active_day(u, a, day, 7, 2, None, "")
    ev(u, a, "nps_submitted", "2026-03-05T07:30", '{"score":3}')
    ev(u, a, "setup_complete", "2026-03-02T07:20", "")

    rows.insert(0, rows.pop(late))
    return rows


ALIASES = [["alias", "user_id"], ["d0000002", "u0000002"]]

# Overrides the events' accounts; keyed by an alias once; a row for a user without events is ignored.
ACCOUNTS = [
    ["user_id", "account_id"],
    ["u0000003", "a000009"],
    ["d0000002", "a000005"],
    ["u0000005", "a000004"],
    ["u0000099", "a000010"],
]


def write(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in (("events.csv", [HEADER] + events()), ("aliases.csv", ALIASES), ("accounts.csv", ACCOUNTS)):
        with open(directory / name, "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(table)


if __name__ == "__main__":
    write(Path(sys.argv[1]))
