-- View: company_timeline
-- Why: "what happened to this company": the merged timeline entries naming a firm, one row
--      per firm and entry, under the firm's canonical name (any spelling an article used:
--      spellings of one firm are grouped by firm_keys).
-- Grain: one row per (company, timeline entry).
-- Key: (canonical_key, entry_key)
-- Columns: canonical_key, canonical, event_date, date_granularity, date_from (DATE),
--          date_to (DATE), date_disputed, type, modality, authority, authority_country,
--          commodity, companies (VARCHAR[], every firm of the entry), validity,
--          valid_from (DATE), valid_to (DATE), n_articles, n_sources, first_reported (DATE),
--          last_reported (DATE), url, evidence, entry_key
-- Dates: as in `timeline` (event_date the ISO text at its granularity, date_from / date_to
--        the days it covers).
-- Order: canonical, event_date NULLS LAST, first_reported, entry_key.
-- How: each firm's entries come from firm_entries (migration 014), kept by the merge, joined
--      to timeline_rows (the rows `timeline` scans).
CREATE OR REPLACE VIEW company_timeline AS
WITH links AS (
    SELECT firm_key AS canonical_key, entry_key FROM firm_entries
)
SELECT
    l.canonical_key,
    c.canonical,
    t.event_date,
    t.date_granularity,
    t.date_from,
    t.date_to,
    t.date_disputed,
    t.type,
    t.modality,
    t.authority,
    t.authority_country,
    t.commodity,
    t.companies,
    t.validity,
    t.valid_from,
    t.valid_to,
    t.n_articles,
    t.n_sources,
    t.first_reported,
    t.last_reported,
    t.url,
    t.evidence,
    t.entry_key
FROM links AS l
JOIN company_registry AS c USING (canonical_key)
JOIN timeline_rows AS t USING (entry_key)
ORDER BY c.canonical, t.event_date NULLS LAST, t.first_reported, t.entry_key;
