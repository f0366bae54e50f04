-- Migration 003: an import (`tradeline import`) is a run of its own kind, 'import'; it was
-- recorded as 'ingest'. DuckDB cannot alter a CHECK constraint, so extraction_runs is rebuilt
-- with the new one (same columns, same order).
CREATE TABLE extraction_runs_003 (
    run_id            VARCHAR PRIMARY KEY,
    kind              VARCHAR NOT NULL
                      CHECK (kind IN ('ingest', 'import', 'reextract', 'extract')),
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
INSERT INTO extraction_runs_003 SELECT * FROM extraction_runs;
DROP TABLE extraction_runs;
ALTER TABLE extraction_runs_003 RENAME TO extraction_runs;

-- Earlier imports, recognised by what they stored: pages read from WARC files, JSONL dumps or
-- folders of saved pages (an ingest stores only fetched pages and local feed links), or errors
-- of stage 'import'. An import that stored nothing and failed nowhere stays 'ingest'.
UPDATE extraction_runs SET kind = 'import'
WHERE kind = 'ingest'
  AND (run_id IN (SELECT ae.run_id
                  FROM article_extractions AS ae
                  JOIN articles AS a USING (article_id)
                  JOIN documents AS d ON d.document_id = a.document_id
                  WHERE d.origin IN ('warc', 'jsonl', 'html-folder'))
       OR run_id IN (SELECT run_id FROM ingest_errors WHERE stage = 'import'));
