-- View: event_mentions
-- Why: for reviewing extraction quality: every event of the latest runs with its trigger,
--      evidence sentence and offsets, and whether the offsets really point at the evidence.
-- Grain: one row per event of each article's latest completed run.
-- Key: (fact_key, run_id)
-- Columns: fact_key, article_id, run_id, type, subtype, modality, trigger, event_date,
--          date_text, evidence, start_char, end_char, offsets_match, companies (VARCHAR[]),
--          title, url, extractor_version, model_name, model_version
CREATE OR REPLACE VIEW event_mentions AS
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
    coalesce(
        (SELECT list(ec.company ORDER BY ec.position)
         FROM event_companies AS ec
         WHERE ec.fact_key = e.fact_key AND ec.run_id = e.run_id),
        []::VARCHAR[]
    ) AS companies,
    a.title,
    a.url,
    lr.extractor_version,
    lr.model_name,
    lr.model_version
FROM events AS e
JOIN latest_runs AS lr ON lr.article_id = e.article_id AND lr.run_id = e.run_id
JOIN articles AS a ON a.article_id = e.article_id;
