-- SegmentLab's default segments (docs/segments.md, "Default segments") in DuckDB SQL, for one
-- evaluation day: the last weekly evaluation of the log. engine_worker.py runs the part after
-- "@load" as the load, the part after "@query" as the query, with {csv} replaced by the log's path.
--
-- What is reproduced, from docs/importing.md and docs/segments.md:
--   * days are UTC calendar days of `timestamp` (never `received_at`);
--   * only events the example taxonomy knows are used (scenarios/example-taxonomy.yaml, its
--     `ignore` list left out); a user exists only through used events. The taxonomy's checks of
--     property values (feature names, NPS scores, plan names, plan-change directions) are not
--     repeated here: the driver checks that SegmentLab skipped no event, which is true of the
--     simulator's logs;
--   * the sign-up day is the day of the user's first `signed_up`, else of their first event;
--   * the replay starts on the day of the earliest event (day 0) and ends on the latest; weekly
--     evaluations fall on days 6, 13, 20, ... and the one compared is the last of them (E);
--   * the usage windows only see days from the user's sign-up day on, and a user who has not
--     signed up by E has no membership (no row);
--   * "last 7 days" of E are E-6 .. E, "last week" E-13 .. E-7, "last 28 days" E-27 .. E;
--   * an active day is a day with at least one key action.

-- @load
SET TimeZone = 'UTC';

CREATE TABLE events AS
SELECT
    user_id,
    event,
    CAST("timestamp" AS TIMESTAMPTZ) AS ts,
    CAST(CAST("timestamp" AS TIMESTAMPTZ) AS DATE) AS day
FROM read_csv('{csv}', header = true, all_varchar = true, quote = '"', escape = '"')
WHERE user_id <> ''
  AND event IN (
    'signed_up', 'session_started', 'key_action', 'feature_used',
    'setup_complete', 'first_item_created', 'teammate_invited', 'nps_submitted',
    'trial_started', 'subscription_started', 'trial_ended', 'plan_changed', 'subscription_cancelled');

-- @query
WITH
-- Day 0 is the earliest event's day; evaluations fall on days 6, 13, ...; E is the last one on or
-- before the latest event's day.
span AS (
    SELECT min(day) AS first_day, max(day) AS last_day FROM events
),
evaluation AS (
    SELECT CAST(first_day + CAST((last_day - first_day + 1) // 7 * 7 - 1 AS INTEGER) AS DATE) AS e FROM span
),
-- One row per user and day with events: what the importer's usage table holds for that cell.
user_days AS (
    SELECT
        user_id,
        day,
        count(*) FILTER (WHERE event = 'session_started') AS sessions,
        count(*) FILTER (WHERE event = 'key_action') AS key_actions,
        bool_or(event = 'signed_up') AS signed_up,
        bool_or(event = 'setup_complete') AS setup_complete,
        bool_or(event = 'first_item_created') AS first_item_created,
        bool_or(event = 'teammate_invited') AS teammate_invited,
        -- the day's last billing event is a cancellation when no other billing event comes later
        -- (at the same instant `subscription_cancelled` comes last)
        max(ts) FILTER (WHERE event = 'subscription_cancelled') AS cancelled_at,
        max(ts) FILTER (WHERE event IN ('trial_started', 'subscription_started', 'trial_ended', 'plan_changed'))
            AS other_billing_at
    FROM events
    GROUP BY user_id, day
),
-- Per user over the whole log: the sign-up day, and the first day each activation milestone was seen
-- (a milestone counts once, on the first day it appears).
users AS (
    SELECT
        user_id,
        coalesce(min(day) FILTER (WHERE signed_up), min(day)) AS signup,
        min(day) FILTER (WHERE setup_complete) AS first_setup_complete,
        min(day) FILTER (WHERE first_item_created) AS first_item_created,
        min(day) FILTER (WHERE teammate_invited) AS first_teammate_invited
    FROM user_days
    GROUP BY user_id
),
-- The usage windows as of E. They only see the days from the user's sign-up day to E.
windows AS (
    SELECT
        d.user_id,
        max(d.day) FILTER (WHERE d.sessions > 0) AS last_session,
        max(d.day) FILTER (WHERE d.key_actions > 0) AS last_key_action,
        -- active days: days with a key action
        count(*) FILTER (WHERE d.key_actions > 0 AND d.day > ev.e - 7) AS active_days_this_week,
        count(*) FILTER (WHERE d.key_actions > 0 AND d.day BETWEEN ev.e - 13 AND ev.e - 7) AS active_days_last_week,
        count(*) FILTER (WHERE d.key_actions > 0 AND d.day > ev.e - 28) AS active_days_28,
        coalesce(sum(d.key_actions) FILTER (WHERE d.day > ev.e - 28), 0) AS key_actions_28,
        -- `cancelled`: some day up to E ended on a cancellation
        bool_or(d.cancelled_at IS NOT NULL AND (d.other_billing_at IS NULL OR d.cancelled_at >= d.other_billing_at))
            AS cancelled
    FROM user_days d
    JOIN users u USING (user_id), evaluation ev
    WHERE d.day BETWEEN u.signup AND ev.e
    GROUP BY d.user_id
),
metrics AS (
    SELECT
        u.user_id,
        coalesce(w.cancelled, false) AS cancelled,
        -- days since the last session / key action, or since sign-up before the first
        ev.e - coalesce(w.last_session, u.signup) AS days_since_session,
        ev.e - coalesce(w.last_key_action, u.signup) AS days_since_key_action,
        -- activated: every activation milestone (all three of the taxonomy) reached by E, and not
        -- before the sign-up day (the windows never see those days)
        coalesce(u.first_setup_complete BETWEEN u.signup AND ev.e
            AND u.first_item_created BETWEEN u.signup AND ev.e
            AND u.first_teammate_invited BETWEEN u.signup AND ev.e, false) AS activated,
        ev.e - greatest(u.first_setup_complete, u.first_item_created, u.first_teammate_invited)
            AS days_since_activation,
        coalesce(w.active_days_this_week, 0) AS active_days_this_week,
        coalesce(w.active_days_last_week, 0) AS active_days_last_week,
        coalesce(w.active_days_28, 0) AS active_days_28,
        coalesce(w.key_actions_28, 0) AS key_actions_28,
        ev.e AS e
    FROM users u
    CROSS JOIN evaluation ev
    LEFT JOIN windows w USING (user_id)
    WHERE u.signup <= ev.e
)
-- First match wins, in the order of docs/segments.md.
SELECT
    user_id,
    strftime(e, '%Y-%m-%d') AS date,
    CASE
        WHEN cancelled OR days_since_session >= 30 THEN 'churned'
        WHEN days_since_key_action >= 14 THEN 'dormant'
        WHEN NOT activated THEN 'not_activated'
        WHEN active_days_this_week < 2 AND active_days_last_week < 2
            AND active_days_28 - active_days_this_week - active_days_last_week >= 4 THEN 'declining'
        WHEN days_since_activation < 14 THEN 'newly_activated'
        WHEN active_days_28 >= 16 AND key_actions_28 >= 120 THEN 'power'
        WHEN active_days_28 >= 8 THEN 'habitual'
        ELSE 'occasional'
    END AS segment
FROM metrics
ORDER BY user_id;
