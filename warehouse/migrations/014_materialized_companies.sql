-- Migration 014: more of what the views would otherwise recompute over the whole warehouse on
-- every query, kept by the run's merge (warehouse/materialized.py) like timeline_rows: each
-- event mention's row, each firm's counts and dates, each firm's timeline entries. Filled for
-- an upgraded warehouse by the writable open that applies this migration (db.connect): the
-- rows are computed by the views' own SQL.

-- The `event_mentions` view's rows as of the last merge (views/15_event_mentions.sql): one per
-- event of each article's latest run. The view reads these for every article no run or
-- article refresh has changed since (`unmerged_articles`) and computes the rest live.
CREATE TABLE event_mention_rows (
    fact_key          VARCHAR NOT NULL,
    article_id        VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL,
    type              VARCHAR,
    subtype           VARCHAR,
    modality          VARCHAR,
    trigger           VARCHAR,
    event_date        VARCHAR,
    date_text         VARCHAR,
    evidence          VARCHAR,
    start_char        INTEGER,
    end_char          INTEGER,
    offsets_match     BOOLEAN,
    companies         VARCHAR[],
    title             VARCHAR,
    url               VARCHAR,
    extractor_version VARCHAR,
    model_name        VARCHAR,
    model_version     VARCHAR,
    date_granularity  VARCHAR,
    date_from         DATE,
    date_to           DATE,
    authority         VARCHAR,
    authority_country VARCHAR,
    commodity         VARCHAR,
    commodity_detail  VARCHAR,
    validity          VARCHAR,
    validity_duration VARCHAR,
    valid_from        DATE,
    valid_to          DATE,
    outlet            VARCHAR,
    published         DATE,
    entry_key         VARCHAR,
    confidence        DOUBLE,
    held_back         BOOLEAN,
    relevance         DOUBLE
);

-- Each company named by an article's latest run as of the last merge, one row per spelling
-- (canonical_key) and fact: a company fact of a relevant article ('mention'), or a firm of an
-- event ('event': with its entry if merged, and whether the event is shown: relevant article,
-- not held back). The per-firm tables below are computed from these rows.
CREATE TABLE company_links (
    canonical_key VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,   -- 'mention' | 'event'
    fact_key      VARCHAR NOT NULL,
    entry_key     VARCHAR,
    shown         BOOLEAN NOT NULL,
    ticker        VARCHAR,
    published     DATE
);

-- Per firm (firm_keys.firm_key) named by a latest run: what `companies_seen` and `companies`
-- show.
CREATE TABLE firm_stats (
    firm_key          VARCHAR NOT NULL,
    canonical         VARCHAR NOT NULL,  -- the firm's first stored spelling
    aliases           VARCHAR[] NOT NULL,
    first_stored      TIMESTAMP,         -- company_registry's first_seen / last_seen
    last_stored       TIMESTAMP,
    n_articles        BIGINT NOT NULL,   -- relevant articles with a company fact of the firm
    tickers           VARCHAR[],
    first_published   DATE,
    last_published    DATE,
    n_events_shown    BIGINT NOT NULL,   -- shown events naming it (companies_seen.n_events)
    n_events          BIGINT NOT NULL,   -- timeline entries naming it (companies.n_events)
    n_event_mentions  BIGINT NOT NULL,   -- merged events naming it
    first_seen        DATE,              -- earliest / latest published of the articles
    last_seen         DATE               -- naming it (companies.first_seen / last_seen)
);

-- Per firm, the timeline entries naming it (`company_timeline`).
CREATE TABLE firm_entries (
    firm_key  VARCHAR NOT NULL,
    entry_key VARCHAR NOT NULL
);

-- The firm of each spelling, and when it was last stored, as the per-firm tables were last
-- computed: a firm whose spellings changed since (registry.update_firms), or one of whose
-- spellings a run stored again (new aliases, last_seen), is recomputed.
CREATE TABLE firm_members (
    canonical_key VARCHAR NOT NULL,
    firm_key      VARCHAR NOT NULL,
    last_seen     TIMESTAMP
);
