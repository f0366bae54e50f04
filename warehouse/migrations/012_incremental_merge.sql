-- Migration 012: what the incremental timeline merge (warehouse/merge.py, merge_scope.py) needs
-- to know which articles changed since it last ran, so a run re-merges only what it touched.

-- Each run as the merge last saw it: a run whose status or end differs now (it finished, was
-- reopened, or is new) may have changed the latest run of its articles.
CREATE TABLE merge_runs (
    run_id      VARCHAR PRIMARY KEY,
    status      VARCHAR NOT NULL,
    finished_at TIMESTAMP
);

-- Articles whose text or metadata `load.refresh_articles` replaced since the last merge (their
-- source counting and undated window may change although their run did not), with the
-- publication date the last merge saw (an undated event's window is its publication year).
CREATE TABLE merge_pending_articles (
    article_id    VARCHAR PRIMARY KEY,
    old_published VARCHAR
);

-- The merge rules the derived tables were built with (one row): when the code's rules differ,
-- the next merge rebuilds the whole timeline instead of updating it.
CREATE TABLE merge_state (
    rules_version INTEGER NOT NULL
);
