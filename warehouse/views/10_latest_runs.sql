-- View: latest_runs
-- Why: an article can be extracted by several runs (ingest, later re-extractions); analysts
--      should see the facts of its newest *completed* run only ('completed', or
--      'completed_with_errors': a run that finished though some pages failed; its stored
--      articles are whole). A run still 'running', or one that 'failed'/'was interrupted',
--      never hides the previous good one. But an article first stored by an ingest run that
--      was killed or failed later is not lost: each stored batch is whole (facts and
--      article_extractions in one transaction), and the next run skips articles already
--      stored, so such a run's rows count when no completed run has the article.
--      Runs still 'running' never count.
-- Grain: one row per article that has a non-failed extraction in a finished run.
-- Key: article_id
-- Columns: article_id, run_id, status (done|skipped), skipped_reason, n_facts, extracted_at,
--          run_kind, run_finished_at, extractor_version, model_name, model_version,
--          relevance, relevant (the article counts in the timeline views only when relevant)
-- How: the merge keeps each article's latest run in latest_article_runs (migration 013,
--      warehouse/materialized.py); articles of a run that finished, was reopened or is new
--      since then (its status or end differs from merge_runs) are computed here live, so the
--      view reads the stored rows plus the few a run changed, never lagging.
CREATE OR REPLACE VIEW latest_runs AS
WITH changed_runs AS (
    SELECT r.run_id
    FROM extraction_runs AS r
    LEFT JOIN merge_runs AS m USING (run_id)
    WHERE m.run_id IS NULL OR m.status <> r.status
       OR m.finished_at IS DISTINCT FROM r.finished_at
),
changed AS (
    SELECT DISTINCT article_id FROM article_extractions
    WHERE run_id IN (SELECT run_id FROM changed_runs)
),
stored AS (
    SELECT s.article_id, s.run_id, s.status, s.skipped_reason, s.n_facts, s.extracted_at,
           s.relevance, s.relevant
    FROM latest_article_runs AS s
    ANTI JOIN changed AS c USING (article_id)
),
live AS (
    SELECT ae.article_id, ae.run_id, ae.status, ae.skipped_reason, ae.n_facts,
           ae.extracted_at, ae.relevance, coalesce(ae.relevant, true) AS relevant
    FROM article_extractions AS ae
    JOIN extraction_runs AS r USING (run_id)
    WHERE r.status IN ('completed', 'completed_with_errors', 'interrupted', 'failed')
      AND ae.status <> 'failed'
      AND ae.article_id IN (SELECT article_id FROM changed)
    QUALIFY row_number() OVER (
        PARTITION BY ae.article_id
        ORDER BY r.status IN ('completed', 'completed_with_errors') DESC,
                 r.finished_at DESC NULLS LAST, r.started_at DESC, ae.run_id DESC
    ) = 1
)
SELECT
    l.article_id,
    l.run_id,
    l.status,
    l.skipped_reason,
    l.n_facts,
    l.extracted_at,
    r.kind AS run_kind,
    r.finished_at AS run_finished_at,
    r.extractor_version,
    r.model_name,
    r.model_version,
    l.relevance,
    l.relevant
FROM (SELECT * FROM stored UNION ALL SELECT * FROM live) AS l
JOIN extraction_runs AS r USING (run_id);
