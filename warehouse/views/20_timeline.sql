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
-- Order: event_date NULLS LAST, first_reported NULLS LAST, entry_key.
CREATE OR REPLACE VIEW timeline AS
WITH members AS (
    SELECT
        tm.entry_key,
        tm.source_key,
        em.*,
        row_number() OVER (
            PARTITION BY tm.entry_key
            ORDER BY em.published NULLS LAST, em.url, em.start_char, em.fact_key
        ) AS report_rank
    FROM timeline_entry_mentions AS tm
    JOIN event_mentions AS em ON em.fact_key = tm.fact_key AND em.run_id = tm.run_id
),
first_report AS (
    SELECT * FROM members WHERE report_rank = 1
),
first_validity AS (
    SELECT entry_key, validity, validity_duration, valid_from, valid_to
    FROM members
    WHERE validity_duration IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY entry_key ORDER BY report_rank) = 1
),
reports AS (
    SELECT
        entry_key,
        min(published) AS first_reported,
        max(published) AS last_reported,
        CASE min(CASE modality WHEN 'actual' THEN 1 WHEN 'planned' THEN 2 ELSE 3 END)
            WHEN 1 THEN 'actual' WHEN 2 THEN 'planned' ELSE 'possible'
        END AS modality,
        list(DISTINCT article_id ORDER BY article_id) AS article_ids,
        list(DISTINCT url ORDER BY url) AS urls,
        list(DISTINCT outlet ORDER BY outlet) FILTER (WHERE outlet IS NOT NULL) AS outlets,
        list(
            struct_pack(fact_key, article_id, url, outlet, published, event_date, source_key,
                        evidence)
            ORDER BY report_rank
        ) AS mentions
    FROM members
    GROUP BY entry_key
)
SELECT
    t.entry_key,
    t.event_date,
    t.date_granularity,
    iso_date_from(t.event_date) AS date_from,
    iso_date_to(t.event_date) AS date_to,
    t.date_disputed,
    t.dates_reported,
    t.type,
    f.subtype,
    r.modality,
    f.authority,
    t.authority_country,
    t.companies,
    t.commodity,
    f.commodity_detail,
    f.date_text,
    v.validity,
    v.validity_duration,
    v.valid_from,
    v.valid_to,
    t.n_articles,
    t.n_sources,
    r.first_reported,
    r.last_reported,
    f.title,
    f.outlet,
    f.published,
    f.url,
    f.evidence,
    r.article_ids,
    r.urls,
    coalesce(r.outlets, []::VARCHAR[]) AS outlets,
    r.mentions
FROM timeline_entries AS t
JOIN reports AS r USING (entry_key)
JOIN first_report AS f USING (entry_key)
LEFT JOIN first_validity AS v USING (entry_key)
ORDER BY t.event_date NULLS LAST, r.first_reported NULLS LAST, t.entry_key;
