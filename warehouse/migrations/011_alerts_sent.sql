-- Migration 011: watchlist alerts (tradeline/alerts/). One row per (watch, timeline entry,
-- destination, reason): what was sent, to whom, when and how it went, so nothing is sent twice
-- and a failed delivery is tried again by the next run. `reason` is 'new' (the entry is new
-- since the watch was added) or 'sources' (its n_sources grew to the watch's
-- n_sources_threshold). `status` 'skipped': a run that records alerts without sending them
-- (import, `tradeline run --no-alerts`) saw the entry; it is never sent. An entry whose key
-- changes (a later report names a second firm) continues the alerted entry whose reports
-- (`fact_keys`) it holds: it is not sent again.
CREATE TABLE alerts_sent (
    watch           VARCHAR NOT NULL,            -- [[watch]] name
    entry_key       VARCHAR NOT NULL,            -- timeline.entry_key
    destination_key VARCHAR NOT NULL,            -- sha256 of the notify URL (first 16 hex)
    destination     VARCHAR NOT NULL,            -- the notify URL, secrets redacted
    reason          VARCHAR NOT NULL CHECK (reason IN ('new', 'sources')),
    status          VARCHAR NOT NULL CHECK (status IN ('sent', 'failed', 'skipped')),
    n_sources       INTEGER NOT NULL,            -- the entry's n_sources when last tried
    run_id          VARCHAR,                     -- the run after which it was first tried
    attempts        INTEGER NOT NULL,            -- deliveries tried (0 when skipped)
    first_tried_at  TIMESTAMP NOT NULL,
    last_tried_at   TIMESTAMP NOT NULL,
    error           VARCHAR,                     -- why the last delivery failed
    fact_keys       VARCHAR[] NOT NULL,          -- the entry's reports (timeline_entry_mentions)
    PRIMARY KEY (watch, entry_key, destination_key, reason)
);

-- When each watch was first seen: an entry whose reports were all stored before then is not
-- news to it, so a watch added to a big warehouse does not send its whole history.
CREATE TABLE alert_watches (
    watch      VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    run_id     VARCHAR                           -- the run after which it was first seen
);
