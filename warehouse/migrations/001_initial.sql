-- Migration 001: initial schema of the tradeline warehouse.
-- All timestamps are UTC, stored as naive TIMESTAMP. Dates taken from articles stay VARCHAR
-- (YYYY-MM-DD | YYYY-MM | YYYY) because news dates come at mixed granularity.
-- Fact tables are keyed by (fact_key, run_id): fact_key is derived from the fact's content, so
-- the same fact found by two extraction runs keeps its key and runs can be compared.

-- Polled feeds and import locations, with the validators for the next conditional GET.
CREATE TABLE sources (
    source_id      VARCHAR PRIMARY KEY,          -- stable_key('source', url)
    url            VARCHAR NOT NULL UNIQUE,
    name           VARCHAR,
    kind           VARCHAR NOT NULL CHECK (kind IN ('feed', 'import')),
    etag           VARCHAR,
    last_modified  VARCHAR,
    last_status    INTEGER,
    last_polled_at TIMESTAMP,
    last_error     VARCHAR,
    title          VARCHAR
);

-- The raw archive: every distinct page body, compressed, so articles can be re-extracted offline.
CREATE TABLE documents (
    document_id    VARCHAR PRIMARY KEY,          -- Document.document_id
    url            VARCHAR NOT NULL,
    final_url      VARCHAR,
    canonical_url  VARCHAR NOT NULL,
    fetched_at     TIMESTAMP,
    http_status    INTEGER,
    content_type   VARCHAR,
    content_hash   VARCHAR NOT NULL CHECK (regexp_full_match(content_hash, '[0-9a-f]{64}')),
    body_zlib      BLOB NOT NULL,
    raw_size       BIGINT NOT NULL CHECK (raw_size >= 0),
    origin         VARCHAR NOT NULL
                   CHECK (origin IN ('fetch', 'file', 'warc', 'jsonl', 'html-folder')),
    source_url     VARCHAR,
    feed_published VARCHAR,
    feed_title     VARCHAR,
    etag           VARCHAR,
    last_modified  VARCHAR,
    stored_at      TIMESTAMP NOT NULL,
    UNIQUE (canonical_url, content_hash)
);

-- One row per canonical URL: the text the extractors read.
CREATE TABLE articles (
    article_id       VARCHAR PRIMARY KEY,        -- Article.id_for(canonical_url)
    canonical_url    VARCHAR NOT NULL UNIQUE,
    url              VARCHAR NOT NULL,
    document_id      VARCHAR,
    title            VARCHAR,
    author           VARCHAR,
    published        VARCHAR CHECK (published IS NULL
                                    OR regexp_full_match(published, '\d{4}-\d{2}(-\d{2})?')),
    published_source VARCHAR,
    outlet           VARCHAR,
    language         VARCHAR,
    text             VARCHAR NOT NULL,
    text_chars       INTEGER NOT NULL,
    stored_at        TIMESTAMP NOT NULL
);

-- One row per ingest / re-extraction run, with the versions that produced its facts.
CREATE TABLE extraction_runs (
    run_id            VARCHAR PRIMARY KEY,
    kind              VARCHAR NOT NULL CHECK (kind IN ('ingest', 'reextract', 'extract')),
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL
                      CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    extractor_version VARCHAR NOT NULL,
    model_name        VARCHAR NOT NULL,
    model_version     VARCHAR NOT NULL,
    assets_hash       VARCHAR NOT NULL,
    n_articles        INTEGER,
    n_facts           INTEGER,
    notes             VARCHAR
);

-- Which article went through which run, and with what outcome.
CREATE TABLE article_extractions (
    article_id     VARCHAR NOT NULL,
    run_id         VARCHAR NOT NULL,
    status         VARCHAR NOT NULL CHECK (status IN ('done', 'skipped', 'failed')),
    skipped_reason VARCHAR,
    n_facts        INTEGER NOT NULL,
    extracted_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, run_id)
);

-- Companies across all articles, by normalised canonical name.
CREATE TABLE companies (
    canonical_key VARCHAR PRIMARY KEY,           -- stable_key('company', casefolded canonical)
    canonical     VARCHAR NOT NULL,              -- the canonical form first stored
    first_seen    TIMESTAMP NOT NULL,
    last_seen     TIMESTAMP NOT NULL
);

CREATE TABLE company_aliases (
    canonical_key VARCHAR NOT NULL,
    alias         VARCHAR NOT NULL,
    first_seen    TIMESTAMP NOT NULL,
    PRIMARY KEY (canonical_key, alias)
);

CREATE TABLE company_mentions (
    fact_key      VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    canonical     VARCHAR NOT NULL,
    canonical_key VARCHAR NOT NULL,
    aliases       VARCHAR[] NOT NULL,
    ticker        VARCHAR,
    evidence      VARCHAR,
    start_char    INTEGER,
    end_char      INTEGER,
    mentions      STRUCT(start_char INTEGER, end_char INTEGER)[] NOT NULL,
    PRIMARY KEY (fact_key, run_id)
);

CREATE TABLE events (
    fact_key          VARCHAR NOT NULL,
    article_id        VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL,
    type              VARCHAR NOT NULL,
    authority         VARCHAR,
    authority_country VARCHAR,
    commodity         VARCHAR,
    commodity_detail  VARCHAR,
    event_date        VARCHAR CHECK (event_date IS NULL
                                     OR regexp_full_match(event_date, '\d{4}(-\d{2}(-\d{2})?)?')),
    date_granularity  VARCHAR CHECK (date_granularity IN ('day', 'month', 'year')),
    date_text         VARCHAR,
    modality          VARCHAR NOT NULL CHECK (modality IN ('actual', 'planned', 'possible')),
    subtype           VARCHAR,
    trigger           VARCHAR,
    evidence          VARCHAR NOT NULL,
    start_char        INTEGER NOT NULL,
    end_char          INTEGER NOT NULL,
    PRIMARY KEY (fact_key, run_id)
);

CREATE TABLE event_companies (
    fact_key      VARCHAR NOT NULL,              -- the event's fact_key
    article_id    VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    company       VARCHAR NOT NULL,              -- canonical name as the extractor gave it
    canonical_key VARCHAR NOT NULL,
    position      INTEGER NOT NULL,              -- order in EventFact.companies
    PRIMARY KEY (fact_key, run_id, canonical_key)
);

CREATE TABLE validity_periods (
    fact_key       VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    run_id         VARCHAR NOT NULL,
    text           VARCHAR NOT NULL,
    duration       VARCHAR NOT NULL,
    valid_from     VARCHAR,
    valid_to       VARCHAR,
    applies_to     VARCHAR,
    event_fact_key VARCHAR,
    evidence       VARCHAR NOT NULL,
    start_char     INTEGER NOT NULL,
    end_char       INTEGER NOT NULL,
    PRIMARY KEY (fact_key, run_id)
);

CREATE TABLE policy_dates (
    fact_key    VARCHAR NOT NULL,
    article_id  VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    resolved    VARCHAR NOT NULL,
    granularity VARCHAR NOT NULL CHECK (granularity IN ('day', 'month', 'year')),
    evidence    VARCHAR NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    PRIMARY KEY (fact_key, run_id)
);

-- Failures contained to one item, with their reason; url is redacted by the caller.
CREATE TABLE ingest_errors (
    error_id   VARCHAR PRIMARY KEY,
    run_id     VARCHAR,
    "at"       TIMESTAMP NOT NULL,          -- quoted: AT is a keyword
    stage      VARCHAR NOT NULL,
    url        VARCHAR,
    source_url VARCHAR,
    reason     VARCHAR NOT NULL
);

