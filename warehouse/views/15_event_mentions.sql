-- View: event_mentions
-- Why: every article-level event of the latest runs with its evidence, for reviewing
--      extraction and for seeing what each source said; `timeline` merges the shown ones into
--      one row per real event (entry_key says which). Held-back events (an article below the
--      relevance threshold, or a confidence below its threshold) are here too, with their
--      scores and `held_back` true, so an analyst can look at what the timeline leaves out.
-- Grain: one row per event of each article's latest completed run (see latest_runs).
-- Key: fact_key (unique here since each article has one latest run)
-- Columns: fact_key, article_id, run_id, type, subtype, modality, trigger, event_date,
--          date_text, evidence, start_char, end_char, offsets_match, companies (VARCHAR[]),
--          title, url, extractor_version, model_name, model_version, date_granularity,
--          date_from (DATE), date_to (DATE), authority, authority_country, commodity,
--          commodity_detail, validity, validity_duration, valid_from (DATE), valid_to (DATE),
--          outlet, published (DATE), entry_key, confidence, held_back, relevance
-- Dates: event_date is the ISO text at its granularity ('2025', '2025-12', '2025-12-02');
--        date_from / date_to are the first and last day it covers. A bound or a publication
--        date known only to the month or year is typed by the days it covers: valid_from and
--        published by the first, valid_to by the last (see 05_date_ranges.sql).
-- Validity: when several validity periods attach to one event, the first in the text is shown.
CREATE OR REPLACE VIEW event_mentions AS
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
FROM events AS e
JOIN latest_runs AS lr ON lr.article_id = e.article_id AND lr.run_id = e.run_id
JOIN articles AS a ON a.article_id = e.article_id
LEFT JOIN ev_companies AS c ON c.fact_key = e.fact_key AND c.run_id = e.run_id
LEFT JOIN validity AS v ON v.event_fact_key = e.fact_key AND v.run_id = e.run_id
LEFT JOIN timeline_entry_mentions AS tm ON tm.fact_key = e.fact_key AND tm.run_id = e.run_id;
