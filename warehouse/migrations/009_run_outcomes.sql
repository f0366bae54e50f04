-- Migration 009: a run that finished while some feed or page failed ends
-- 'completed_with_errors' (exit status 1), one where nothing could be fetched 'failed' (exit
-- status 3): see flows/outcome.py. DuckDB cannot alter a CHECK constraint, so extraction_runs
-- is rebuilt with the new one (same columns, same order: 003's, then 006's and 007's).
CREATE TABLE extraction_runs_009 (
    run_id               VARCHAR PRIMARY KEY,
    kind                 VARCHAR NOT NULL
                         CHECK (kind IN ('ingest', 'import', 'reextract', 'extract')),
    started_at           TIMESTAMP NOT NULL,
    finished_at          TIMESTAMP,
    status               VARCHAR NOT NULL
                         CHECK (status IN ('running', 'completed', 'completed_with_errors',
                                           'failed', 'interrupted')),
    extractor_version    VARCHAR NOT NULL,
    model_name           VARCHAR NOT NULL,
    model_version        VARCHAR NOT NULL,
    assets_hash          VARCHAR NOT NULL,
    n_articles           INTEGER,
    n_facts              INTEGER,
    notes                VARCHAR,
    trained_hash         VARCHAR,
    relevance_threshold  DOUBLE,
    confidence_threshold DOUBLE,
    best_event_floor     DOUBLE
);
INSERT INTO extraction_runs_009 SELECT * FROM extraction_runs;
DROP TABLE extraction_runs;
ALTER TABLE extraction_runs_009 RENAME TO extraction_runs;
