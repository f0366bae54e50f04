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
-- How: the merge keeps these rows in event_mention_rows (migration 014, warehouse/
--      materialized.py) for the articles it merged; the rows of articles a run or an article
--      refresh changed since (unmerged_articles) are computed here live by
--      event_mentions_of(), so the view never lags. Edits made by hand to the fact tables show
--      after `tradeline rebuild-timeline`, as in `timeline`.
CREATE OR REPLACE VIEW event_mentions AS
SELECT * FROM event_mention_rows ANTI JOIN unmerged_articles USING (article_id)
UNION ALL
SELECT * FROM event_mentions_of('unmerged_articles');
