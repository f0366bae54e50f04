-- The rows of `firm_entries` (migration 014): per firm, the timeline entries naming it
-- (views/60_company_timeline.sql), from `company_links`; {cut} limits it to the firms
-- warehouse/materialized.py recomputes. Not a view: it is run, never queried.
SELECT DISTINCT fk.firm_key, l.entry_key
FROM company_links AS l
JOIN firm_keys AS fk USING (canonical_key)
WHERE l.kind = 'event' AND l.entry_key IS NOT NULL {cut}
