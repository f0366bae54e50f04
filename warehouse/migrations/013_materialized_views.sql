-- Migration 013: what the views would otherwise recompute over the whole warehouse on every
-- query, kept by the run's merge (warehouse/materialized.py) so a view reads rows in
-- proportion to its answer.

-- Each article's latest run as of the last merge (the rule of views/10_latest_runs.sql), with
-- the article_extractions columns the view shows. The view reads these rows for every article
-- no run has changed since (`merge_runs`) and computes the rest live, so it never lags.
CREATE TABLE latest_article_runs (
    article_id     VARCHAR NOT NULL,
    run_id         VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,
    skipped_reason VARCHAR,
    n_facts        INTEGER,
    extracted_at   TIMESTAMP,
    relevance      DOUBLE,
    relevant       BOOLEAN NOT NULL
);

INSERT INTO latest_article_runs
SELECT ae.article_id, ae.run_id, ae.status, ae.skipped_reason, ae.n_facts, ae.extracted_at,
       ae.relevance, coalesce(ae.relevant, true)
FROM article_extractions AS ae
JOIN extraction_runs AS r USING (run_id)
WHERE r.status IN ('completed', 'completed_with_errors', 'interrupted', 'failed')
  AND ae.status <> 'failed'
QUALIFY row_number() OVER (
    PARTITION BY ae.article_id
    ORDER BY r.status IN ('completed', 'completed_with_errors') DESC,
             r.finished_at DESC NULLS LAST, r.started_at DESC, ae.run_id DESC
) = 1;

-- The `timeline` view's rows, one per timeline entry, computed from its reports when the merge
-- writes the entry (the view is a plain scan of this table). Filled for an upgraded warehouse
-- by the writable open that applies this migration (db.connect).
CREATE TABLE timeline_rows (
    entry_key         VARCHAR NOT NULL,
    event_date        VARCHAR,
    date_granularity  VARCHAR,
    date_from         DATE,
    date_to           DATE,
    date_disputed     BOOLEAN,
    dates_reported    VARCHAR[],
    type              VARCHAR,
    subtype           VARCHAR,
    modality          VARCHAR,
    authority         VARCHAR,
    authority_country VARCHAR,
    companies         VARCHAR[],
    commodity         VARCHAR,
    commodity_detail  VARCHAR,
    date_text         VARCHAR,
    validity          VARCHAR,
    validity_duration VARCHAR,
    valid_from        DATE,
    valid_to          DATE,
    n_articles        INTEGER,
    n_sources         INTEGER,
    first_reported    DATE,
    last_reported     DATE,
    title             VARCHAR,
    outlet            VARCHAR,
    published         DATE,
    url               VARCHAR,
    evidence          VARCHAR,
    article_ids       VARCHAR[],
    urls              VARCHAR[],
    outlets           VARCHAR[],
    mentions          STRUCT(fact_key VARCHAR, article_id VARCHAR, url VARCHAR, outlet VARCHAR,
                             published DATE, event_date VARCHAR, source_key VARCHAR,
                             evidence VARCHAR)[]
);
