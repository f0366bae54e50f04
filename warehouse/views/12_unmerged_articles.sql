-- View: unmerged_articles (internal)
-- Why: the articles whose latest run or text may have changed since the last merge: those of
--      runs whose status or end differs from what the merge saw (merge_runs: finished,
--      reopened or new) and those load.refresh_articles rewrote (merge_pending_articles). The
--      views that read rows the merge keeps compute these articles' rows live.
-- Grain: one row per such article.
-- Key: article_id
-- Columns: article_id
CREATE OR REPLACE VIEW unmerged_articles AS
SELECT DISTINCT article_id FROM article_extractions
WHERE run_id IN (
    SELECT r.run_id FROM extraction_runs AS r LEFT JOIN merge_runs AS m USING (run_id)
    WHERE m.run_id IS NULL OR m.status <> r.status
       OR m.finished_at IS DISTINCT FROM r.finished_at)
UNION
SELECT article_id FROM merge_pending_articles;
