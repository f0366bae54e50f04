-- Migration 011: watchlist alerts (tradeline/alerts/). One row per (watch, timeline entry,
-- destination, reason): what was sent, to whom, when and how it went, so nothing is sent twice
-- and a failed delivery is tried again by the next run. `reason` is 'new' (the entry is new
-- since the watch was added) or 'sources' (its n_sources grew to the watch's
-- n_sources_threshold). `status` 'skipped': a run that records alerts without sending them
-- (import, `tradeline run --no-alerts`) saw the entry; it is never sent. An entry whose key
-- changes (a later report names a second firm) continues the alerted entry whose reports
-- (`fact_keys`) it holds: it is not sent again, and once its alert goes, a failed row of the
-- old key is 'superseded'. A delivery that failed `max_attempts` times is 'given_up'.
CREATE TABLE alerts_sent (
    watch           VARCHAR NOT NULL,            -- [[watch]] name
    entry_key       VARCHAR NOT NULL,            -- timeline.entry_key
    destination_key VARCHAR NOT NULL,            -- sha256 of the notify URL (first 16 hex)
    destination     VARCHAR NOT NULL,            -- the notify URL, secrets redacted
    reason          VARCHAR NOT NULL CHECK (reason IN ('new', 'sources')),
    status          VARCHAR NOT NULL
                    CHECK (status IN ('sent', 'failed', 'skipped', 'given_up', 'superseded')),
    n_sources       INTEGER NOT NULL,            -- the entry's n_sources when last tried
    run_id          VARCHAR,                     -- the run after which it was first tried
    attempts        INTEGER NOT NULL,            -- deliveries tried (0 when skipped)
    first_tried_at  TIMESTAMP NOT NULL,
    last_tried_at   TIMESTAMP NOT NULL,
    error           VARCHAR,                     -- why the last delivery failed (no secrets)
    fact_keys       VARCHAR[] NOT NULL,          -- the entry's reports (timeline_entry_mentions)
    PRIMARY KEY (watch, entry_key, destination_key, reason)
);

-- When each destination of each watch was first seen (by the sha256 of its notify value), with
-- the watch's current criteria: an entry whose reports were all stored before then is not news
-- to it, so a watch added to a big warehouse, a widened watch, a new destination or a rotated
-- token does not get the whole history. `considered_until`: the newest article stored when the
-- last sending alert pass ended; the next pass reads only entries with a report stored since
-- (and failed alerts), so its cost follows what is new.
CREATE TABLE alert_watches (
    watch            VARCHAR NOT NULL,            -- [[watch]] name
    destination_key  VARCHAR NOT NULL,            -- as in alerts_sent
    created_at       TIMESTAMP NOT NULL,          -- first seen (reset when criteria change)
    run_id           VARCHAR,                     -- the run after which it was first seen
    criteria         VARCHAR NOT NULL,            -- hash of what the watch matches
    considered_until TIMESTAMP,                   -- see above; NULL until a sending pass
    PRIMARY KEY (watch, destination_key)
);
