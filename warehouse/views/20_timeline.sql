-- View: timeline
-- Why: the analyst's main table: what happened, when, to whom, by which authority, with the
--      sentence that says so and a link to the article.
-- Grain: one row per event of each article's latest completed run (see latest_runs).
-- Key: (fact_key, run_id); fact_key alone is unique here since each article has one latest run.
-- Columns: event_date, date_granularity, type, subtype, modality, authority, authority_country,
--          companies (VARCHAR[]), commodity, commodity_detail, date_text, validity,
--          validity_duration, valid_from, valid_to, title, outlet, published, url, evidence, start_char, end_char,
--          article_id, run_id, fact_key
-- Order: event_date NULLS LAST, then published NULLS LAST, article_id, start_char.
-- Validity: when several validity periods attach to one event, the first in the text is shown.
CREATE OR REPLACE VIEW timeline AS
WITH ev_companies AS (
    SELECT fact_key, run_id, list(company ORDER BY position) AS companies
    FROM event_companies
    GROUP BY fact_key, run_id
),
validity AS (
    SELECT event_fact_key, run_id, duration, valid_from, valid_to
    FROM validity_periods
    WHERE event_fact_key IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY event_fact_key, run_id ORDER BY start_char, fact_key
    ) = 1
)
SELECT
    e.event_date,
    e.date_granularity,
    e.type,
    e.subtype,
    e.modality,
    e.authority,
    e.authority_country,
    coalesce(c.companies, []::VARCHAR[]) AS companies,
    e.commodity,
    e.commodity_detail,
    e.date_text,
    CASE
        WHEN v.duration IS NULL THEN NULL
        WHEN v.valid_from IS NULL AND v.valid_to IS NULL THEN v.duration
        ELSE v.duration || ' (' || coalesce(v.valid_from, '?') || ' to '
             || coalesce(v.valid_to, '?') || ')'
    END AS validity,
    v.duration AS validity_duration,
    v.valid_from,
    v.valid_to,
    a.title,
    a.outlet,
    a.published,
    a.url,
    e.evidence,
    e.start_char,
    e.end_char,
    e.article_id,
    e.run_id,
    e.fact_key
FROM events AS e
JOIN latest_runs AS lr ON lr.article_id = e.article_id AND lr.run_id = e.run_id
JOIN articles AS a ON a.article_id = e.article_id
LEFT JOIN ev_companies AS c ON c.fact_key = e.fact_key AND c.run_id = e.run_id
LEFT JOIN validity AS v ON v.event_fact_key = e.fact_key AND v.run_id = e.run_id
ORDER BY e.event_date NULLS LAST, a.published NULLS LAST, e.article_id, e.start_char;
