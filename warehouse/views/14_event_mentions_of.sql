-- Macros: event_mentions_of(articles)
-- Why: the event_mentions rows of the articles in the table or view named `articles` (column
--      article_id), computed from the fact tables; every table is cut to those articles
--      before it is joined, grouped or windowed, so a few articles cost little however large
--      the warehouse. The merge stores its result (materialized.py); event_mentions calls it
--      for unmerged_articles.
-- Use: SELECT * FROM event_mentions_of('unmerged_articles'): the columns of event_mentions.
CREATE OR REPLACE MACRO event_mentions_of(articles) AS TABLE
WITH scope AS (
    SELECT DISTINCT article_id FROM query_table(articles)
),
lr AS (  -- each article's latest run: the rule of latest_runs
    SELECT ae.article_id, ae.run_id, ae.relevance, r.extractor_version, r.model_name,
           r.model_version
    FROM article_extractions AS ae SEMI JOIN scope USING (article_id)
    JOIN extraction_runs AS r USING (run_id)
    WHERE r.status IN ('completed', 'completed_with_errors', 'interrupted', 'failed')
      AND ae.status <> 'failed'
    QUALIFY row_number() OVER (
        PARTITION BY ae.article_id
        ORDER BY r.status IN ('completed', 'completed_with_errors') DESC,
                 r.finished_at DESC NULLS LAST, r.started_at DESC, ae.run_id DESC
    ) = 1
),
ev_companies AS (
    SELECT ec.fact_key, ec.run_id, list(ec.company ORDER BY ec.position) AS companies
    FROM event_companies AS ec SEMI JOIN scope USING (article_id)
    GROUP BY ec.fact_key, ec.run_id
),
validity AS (
    SELECT v.event_fact_key, v.run_id, v.duration, v.valid_from, v.valid_to
    FROM validity_periods AS v SEMI JOIN scope USING (article_id)
    WHERE v.event_fact_key IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY v.event_fact_key, v.run_id ORDER BY v.start_char, v.fact_key
    ) = 1
),
merged AS (
    SELECT tm.fact_key, tm.run_id, tm.entry_key
    FROM timeline_entry_mentions AS tm SEMI JOIN scope USING (article_id)
),
arts AS (
    SELECT a.article_id, a.text, a.title, a.url, a.outlet, a.published
    FROM articles AS a SEMI JOIN scope USING (article_id)
),
evs AS (
    SELECT e.* FROM events AS e SEMI JOIN scope USING (article_id)
)
SELECT
    e.fact_key,
    e.article_id,
    e.run_id,
    e.type,
    e.subtype,
    e.modality,
    e.trigger,
    e.event_date,
    e.date_text,
    e.evidence,
    e.start_char,
    e.end_char,
    substr(a.text, e.start_char + 1, e.end_char - e.start_char) = e.evidence AS offsets_match,
    coalesce(c.companies, []::VARCHAR[]) AS companies,
    a.title,
    a.url,
    lr.extractor_version,
    lr.model_name,
    lr.model_version,
    e.date_granularity,
    iso_date_from(e.event_date) AS date_from,
    iso_date_to(e.event_date) AS date_to,
    e.authority,
    e.authority_country,
    e.commodity,
    e.commodity_detail,
    CASE
        WHEN v.duration IS NULL THEN NULL
        WHEN v.valid_from IS NULL AND v.valid_to IS NULL THEN v.duration
        ELSE v.duration || ' (' || coalesce(v.valid_from, '?') || ' to '
             || coalesce(v.valid_to, '?') || ')'
    END AS validity,
    v.duration AS validity_duration,
    iso_date_from(v.valid_from) AS valid_from,
    iso_date_to(v.valid_to) AS valid_to,
    a.outlet,
    iso_date_from(a.published) AS published,
    tm.entry_key,
    e.confidence,
    coalesce(e.held_back, false) AS held_back,
    lr.relevance
FROM evs AS e
JOIN lr ON lr.article_id = e.article_id AND lr.run_id = e.run_id
JOIN arts AS a ON a.article_id = e.article_id
LEFT JOIN ev_companies AS c ON c.fact_key = e.fact_key AND c.run_id = e.run_id
LEFT JOIN validity AS v ON v.event_fact_key = e.fact_key AND v.run_id = e.run_id
LEFT JOIN merged AS tm ON tm.fact_key = e.fact_key AND tm.run_id = e.run_id;
