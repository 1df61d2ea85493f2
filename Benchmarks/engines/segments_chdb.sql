-- SegmentLab's default segments (docs/segments.md, "Default segments") in ClickHouse SQL, run by
-- chDB (ClickHouse inside the Python process), for one evaluation day: the last weekly evaluation
-- of the log. engine_worker.py runs each statement after "@load" as the load and the one after
-- "@query" as the query, in one chDB session, with {csv} replaced by the log's path. Statements are
-- separated by a line holding only ";".
--
-- The same definitions as segments_duckdb.sql, which says in full what is reproduced: UTC days of
-- `timestamp`; only the taxonomy's events; sign-up on the first `signed_up` (else the first event);
-- day 0 on the earliest event, weekly evaluations on days 6, 13, ..., the last one compared (E);
-- windows from the sign-up day to E; no row for users not signed up by E; active day = a day with
-- a key action.
--
-- ClickHouse differences that matter here: aggregates over no rows give the type's default (0,
-- 1970-01-01) unless the -OrNull combinator is used, and a LEFT JOIN fills defaults instead of
-- NULLs unless join_use_nulls is set; both are used below so "never" stays NULL.

-- @load
SET max_threads = 2
;
SET join_use_nulls = 1
;
CREATE TABLE events ENGINE = Memory AS
SELECT
    user_id,
    toLowCardinality(event) AS event,
    parseDateTime64BestEffort(timestamp, 3, 'UTC') AS ts,
    toDate(ts, 'UTC') AS day
FROM file('{csv}', 'CSVWithNames', 'user_id String, event String, timestamp String')
WHERE user_id != ''
  AND event IN (
    'signed_up', 'session_started', 'key_action', 'feature_used',
    'setup_complete', 'first_item_created', 'teammate_invited', 'nps_submitted',
    'trial_started', 'subscription_started', 'trial_ended', 'plan_changed', 'subscription_cancelled')
SETTINGS input_format_skip_unknown_fields = 1
;

-- @query
WITH
-- Day 0 is the earliest event's day; evaluations fall on days 6, 13, ...; E is the last one on or
-- before the latest event's day.
evaluation AS (
    SELECT min(day) + toInt32(intDiv(max(day) - min(day) + 1, 7) * 7 - 1) AS e FROM events
),
-- One row per user and day with events: what the importer's usage table holds for that cell.
user_days AS (
    SELECT
        user_id,
        day,
        countIf(event = 'session_started') AS sessions,
        countIf(event = 'key_action') AS key_actions,
        max(event = 'signed_up') AS signed_up,
        max(event = 'setup_complete') AS setup_complete,
        max(event = 'first_item_created') AS first_item_created,
        max(event = 'teammate_invited') AS teammate_invited,
        -- the day's last billing event is a cancellation when no other billing event comes later
        -- (at the same instant `subscription_cancelled` comes last)
        maxIfOrNull(ts, event = 'subscription_cancelled') AS cancelled_at,
        maxIfOrNull(ts, event IN ('trial_started', 'subscription_started', 'trial_ended', 'plan_changed'))
            AS other_billing_at
    FROM events
    GROUP BY user_id, day
),
-- Per user over the whole log: the sign-up day, and the first day each activation milestone was seen
-- (a milestone counts once, on the first day it appears).
users AS (
    SELECT
        user_id,
        coalesce(minIfOrNull(day, signed_up), min(day)) AS signup,
        minIfOrNull(day, setup_complete) AS first_setup_complete,
        minIfOrNull(day, first_item_created) AS first_item_created,
        minIfOrNull(day, teammate_invited) AS first_teammate_invited
    FROM user_days
    GROUP BY user_id
),
-- The usage windows as of E. They only see the days from the user's sign-up day to E.
windows AS (
    SELECT
        d.user_id AS user_id,
        maxIfOrNull(d.day, d.sessions > 0) AS last_session,
        maxIfOrNull(d.day, d.key_actions > 0) AS last_key_action,
        -- active days: days with a key action
        toInt64(countIf(d.key_actions > 0 AND d.day > ev.e - 7)) AS active_days_this_week,
        toInt64(countIf(d.key_actions > 0 AND d.day >= ev.e - 13 AND d.day <= ev.e - 7)) AS active_days_last_week,
        toInt64(countIf(d.key_actions > 0 AND d.day > ev.e - 28)) AS active_days_28,
        toInt64(sumIf(d.key_actions, d.day > ev.e - 28)) AS key_actions_28,
        -- `cancelled`: some day up to E ended on a cancellation
        max(d.cancelled_at IS NOT NULL AND (d.other_billing_at IS NULL OR d.cancelled_at >= d.other_billing_at))
            AS cancelled
    FROM user_days AS d
    INNER JOIN users AS u ON d.user_id = u.user_id
    CROSS JOIN evaluation AS ev
    WHERE d.day >= u.signup AND d.day <= ev.e
    GROUP BY d.user_id
),
metrics AS (
    SELECT
        u.user_id AS user_id,
        coalesce(w.cancelled, 0) AS cancelled,
        -- days since the last session / key action, or since sign-up before the first
        ev.e - coalesce(w.last_session, u.signup) AS days_since_session,
        ev.e - coalesce(w.last_key_action, u.signup) AS days_since_key_action,
        -- activated: every activation milestone reached by E, and not before the sign-up day
        coalesce(
            u.first_setup_complete >= u.signup AND u.first_setup_complete <= ev.e
            AND u.first_item_created >= u.signup AND u.first_item_created <= ev.e
            AND u.first_teammate_invited >= u.signup AND u.first_teammate_invited <= ev.e, 0) AS activated,
        ev.e - greatest(u.first_setup_complete, u.first_item_created, u.first_teammate_invited)
            AS days_since_activation,
        coalesce(w.active_days_this_week, 0) AS active_days_this_week,
        coalesce(w.active_days_last_week, 0) AS active_days_last_week,
        coalesce(w.active_days_28, 0) AS active_days_28,
        coalesce(w.key_actions_28, 0) AS key_actions_28,
        ev.e AS e
    FROM users AS u
    CROSS JOIN evaluation AS ev
    LEFT JOIN windows AS w ON w.user_id = u.user_id
    WHERE u.signup <= ev.e
)
-- First match wins, in the order of docs/segments.md.
SELECT
    user_id,
    toString(e) AS date,
    multiIf(
        cancelled OR days_since_session >= 30, 'churned',
        days_since_key_action >= 14, 'dormant',
        NOT activated, 'not_activated',
        active_days_this_week < 2 AND active_days_last_week < 2
            AND active_days_28 - active_days_this_week - active_days_last_week >= 4, 'declining',
        days_since_activation < 14, 'newly_activated',
        active_days_28 >= 16 AND key_actions_28 >= 120, 'power',
        active_days_28 >= 8, 'habitual',
        'occasional') AS segment
FROM metrics
ORDER BY user_id
