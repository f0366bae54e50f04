-- Question: which companies are affected by permits, licences or controls on a commodity
--           since a date, and by how many distinct events?
-- Parameters: commodity — commodity class as stored, e.g. 'nickel ore'
--             since — 'YYYY[-MM[-DD]]'; an event counts when any day it covers is on or after
--             the first day of `since` (an event dated '2026-01' counts for since '2026-01-15')
-- Returns: one row per company, most affected first; first_event / last_event (DATE) are the
--          first days of its earliest and latest events (undated ones by first report).
SELECT
    canonical AS company,
    count(*) AS n_events,
    list(DISTINCT type ORDER BY type) AS event_types,
    min(coalesce(date_from, first_reported)) AS first_event,
    max(coalesce(date_from, first_reported)) AS last_event
FROM company_timeline
WHERE commodity = getvariable('commodity')
  AND coalesce(date_to, first_reported) >= iso_date_from(getvariable('since'))
GROUP BY canonical
ORDER BY n_events DESC, company;
