"""SegmentLab's default segments (docs/segments.md, "Default segments") as Polars expressions, for
one evaluation day: the last weekly evaluation of the log.

The same definitions as segments_duckdb.sql, which says in full what is reproduced: UTC days of
`timestamp`; only the taxonomy's events; sign-up on the first `signed_up` (else the first event);
day 0 on the earliest event, weekly evaluations on days 6, 13, ..., the last one compared (E);
windows from the sign-up day to E; no row for users not signed up by E; an active day is a day with
a key action.

`load` reads the CSV into memory (the load); `segments` computes every user's segment (the query).
"""

from datetime import date, timedelta

import polars as pl

# The event names scenarios/example-taxonomy.yaml gives a meaning to (its `ignore` list left out).
KNOWN_EVENTS = [
    "signed_up", "session_started", "key_action", "feature_used",
    "setup_complete", "first_item_created", "teammate_invited", "nps_submitted",
    "trial_started", "subscription_started", "trial_ended", "plan_changed", "subscription_cancelled",
]
BILLING_EVENTS = ["trial_started", "subscription_started", "trial_ended", "plan_changed", "subscription_cancelled"]
ACTIVATION = ["setup_complete", "first_item_created", "teammate_invited"]


def load(csv: str) -> pl.DataFrame:
    """The events the taxonomy knows, with their instant (UTC) and UTC day."""
    # Every column read as text; only the three used are parsed (projection pushdown).
    frame = pl.scan_csv(csv, infer_schema=False, empty_string_is_null=False)
    ts = pl.col("timestamp").str.to_datetime(time_unit="ms", time_zone="UTC")
    return (
        frame.filter((pl.col("user_id") != "") & pl.col("event").is_in(KNOWN_EVENTS))
        .select("user_id", "event", ts.alias("ts"))
        .with_columns(pl.col("ts").dt.date().alias("day"))
        .collect()
    )


def evaluation_day(events: pl.DataFrame) -> date:
    """Day 0 is the earliest event's day; evaluations fall on days 6, 13, ...; the last one on or
    before the latest event's day."""
    first, last = events.select(pl.col("day").min().alias("first"), pl.col("day").max().alias("last")).row(0)
    return first + timedelta(days=((last - first).days + 1) // 7 * 7 - 1)


def segments(events: pl.DataFrame) -> pl.DataFrame:
    """user_id, date, segment for every user signed up by the evaluation day."""
    e = evaluation_day(events)
    day = pl.col("day")
    event = pl.col("event")
    ts = pl.col("ts")

    def days_before_e(column: pl.Expr) -> pl.Expr:
        return (pl.lit(e) - column).dt.total_days()

    # One row per user and day with events: what the importer's usage table holds for that cell.
    user_days = events.lazy().group_by("user_id", "day").agg(
        (event == "session_started").sum().alias("sessions"),
        (event == "key_action").sum().alias("key_actions"),
        (event == "signed_up").any().alias("signed_up"),
        *[(event == m).any().alias(m) for m in ACTIVATION],
        # the day's last billing event is a cancellation when no other billing event comes later
        # (at the same instant `subscription_cancelled` comes last)
        ts.filter(event == "subscription_cancelled").max().alias("cancelled_at"),
        ts.filter(event.is_in(BILLING_EVENTS) & (event != "subscription_cancelled")).max().alias("other_billing_at"),
    )
    # Per user over the whole log: the sign-up day, and the first day each activation milestone was
    # seen (a milestone counts once, on the first day it appears).
    users = user_days.group_by("user_id").agg(
        day.filter(pl.col("signed_up")).min().fill_null(day.min()).alias("signup"),
        *[day.filter(pl.col(m)).min().alias(f"first_{m}") for m in ACTIVATION],
    )
    # The usage windows as of E. They only see the days from the user's sign-up day to E.
    active = pl.col("key_actions") > 0
    last_28 = day > pl.lit(e - timedelta(days=28))
    cancelled_at, other_at = pl.col("cancelled_at"), pl.col("other_billing_at")
    windows = (
        user_days.join(users.select("user_id", "signup"), on="user_id")
        .filter((day >= pl.col("signup")) & (day <= pl.lit(e)))
        .group_by("user_id")
        .agg(
            day.filter(pl.col("sessions") > 0).max().alias("last_session"),
            day.filter(active).max().alias("last_key_action"),
            # active days: days with a key action
            (active & (day > pl.lit(e - timedelta(days=7)))).sum().alias("active_days_this_week"),
            (active & (day >= pl.lit(e - timedelta(days=13))) & (day <= pl.lit(e - timedelta(days=7))))
            .sum()
            .alias("active_days_last_week"),
            (active & last_28).sum().alias("active_days_28"),
            pl.col("key_actions").filter(last_28).sum().alias("key_actions_28"),
            # `cancelled`: some day up to E ended on a cancellation
            (cancelled_at.is_not_null() & (other_at.is_null() | (cancelled_at >= other_at)))
            .any()
            .alias("cancelled"),
        )
    )
    signup = pl.col("signup")
    reached = [
        (pl.col(f"first_{m}") >= signup) & (pl.col(f"first_{m}") <= pl.lit(e)) for m in ACTIVATION
    ]
    metrics = (
        users.filter(signup <= pl.lit(e))
        .join(windows, on="user_id", how="left")
        .select(
            "user_id",
            pl.col("cancelled").fill_null(False),
            # days since the last session / key action, or since sign-up before the first
            days_before_e(pl.col("last_session").fill_null(signup)).alias("days_since_session"),
            days_before_e(pl.col("last_key_action").fill_null(signup)).alias("days_since_key_action"),
            # activated: every activation milestone reached by E, and not before the sign-up day
            pl.all_horizontal(reached).fill_null(False).alias("activated"),
            days_before_e(pl.max_horizontal([pl.col(f"first_{m}") for m in ACTIVATION])).alias(
                "days_since_activation"
            ),
            *[
                pl.col(c).fill_null(0).cast(pl.Int64)
                for c in ["active_days_this_week", "active_days_last_week", "active_days_28", "key_actions_28"]
            ],
        )
    )
    a7 = pl.col("active_days_this_week")
    a_last = pl.col("active_days_last_week")
    a28 = pl.col("active_days_28")
    # First match wins, in the order of docs/segments.md.
    segment = (
        pl.when(pl.col("cancelled") | (pl.col("days_since_session") >= 30)).then(pl.lit("churned"))
        .when(pl.col("days_since_key_action") >= 14).then(pl.lit("dormant"))
        .when(~pl.col("activated")).then(pl.lit("not_activated"))
        .when((a7 < 2) & (a_last < 2) & (a28 - a7 - a_last >= 4)).then(pl.lit("declining"))
        .when(pl.col("days_since_activation") < 14).then(pl.lit("newly_activated"))
        .when((a28 >= 16) & (pl.col("key_actions_28") >= 120)).then(pl.lit("power"))
        .when(a28 >= 8).then(pl.lit("habitual"))
        .otherwise(pl.lit("occasional"))
    )
    return (
        metrics.select("user_id", pl.lit(e.isoformat()).alias("date"), segment.alias("segment"))
        .sort("user_id")
        .collect()
    )
