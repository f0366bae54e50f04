-- View: timeline
-- Why: the analyst's main table: one row per real event — what happened, when, to whom, by
--      which authority — however many articles reported it, with who reported it and what
--      each said. Merging is done by warehouse/merge.py (after every finished run) into
--      timeline_entries / timeline_entry_mentions; this view adds the articles' details.
-- Grain: one row per merged entry (a real event) over each article's latest completed run.
-- Key: entry_key (content-derived: type, country, commodity, companies, date; never run ids).
--      An entry re-merged from re-extracted reports keeps the key of the entry it continues,
--      so a rename (alias fix) or a re-dating keeps saved queries working: the rule is in
--      warehouse/entry_keys.py and warehouse/README.md ("Stable entry keys").
-- Columns: entry_key, event_date, date_granularity, date_from (DATE), date_to (DATE),
--          date_disputed, dates_reported (VARCHAR[]), type, subtype, modality, authority,
--          authority_country, companies (VARCHAR[]), commodity, commodity_detail, date_text,
--          validity, validity_duration, valid_from (DATE), valid_to (DATE), n_articles,
--          n_sources, first_reported (DATE), last_reported (DATE), title, outlet,
--          published (DATE), url, evidence, article_ids (VARCHAR[]), urls (VARCHAR[]),
--          outlets (VARCHAR[]), mentions (STRUCT[]: fact_key, article_id, url, outlet,
--          published DATE, event_date, source_key, evidence)
-- Dates: event_date (and dates_reported, mentions.event_date) is the ISO text at its
--        granularity ('2025', '2025-12', '2025-12-02'); date_from / date_to are the first and
--        last day it covers, so `WHERE date_to >= DATE '2026-01-01'` and date_diff work.
-- Representative fields (subtype, authority, commodity_detail, title, outlet, url, evidence,
-- published) come from the first report (earliest published, then URL, then position);
-- validity from the first report that has one; modality is the surest any report gives
-- (actual > planned > possible).
-- How: the merge computes each entry's row when it writes the entry (derived/timeline_rows.sql,
--      into timeline_rows, migration 013), so this view is a plain scan.
-- Order: event_date NULLS LAST, first_reported NULLS LAST, entry_key.
CREATE OR REPLACE VIEW timeline AS
SELECT
    entry_key, event_date, date_granularity, date_from, date_to, date_disputed, dates_reported,
    type, subtype, modality, authority, authority_country, companies, commodity,
    commodity_detail, date_text, validity, validity_duration, valid_from, valid_to,
    n_articles, n_sources, first_reported, last_reported, title, outlet, published, url,
    evidence, article_ids, urls, outlets, mentions
FROM timeline_rows
ORDER BY event_date NULLS LAST, first_reported NULLS LAST, entry_key;
