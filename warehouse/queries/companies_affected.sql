-- Question: which companies are affected by permits, licences or controls on a commodity
--           since a date, and by how many distinct events?
-- Parameters: commodity — commodity class as stored, e.g. 'nickel ore'
--             since — 'YYYY[-MM[-DD]]'; events are compared at their own date granularity
-- Returns: one row per company, most affected first.
SELECT
    canonical AS company,
    count(*) AS n_events,
    list(DISTINCT type ORDER BY type) AS event_types,
    min(coalesce(event_date, first_reported)) AS first_event,
    max(coalesce(event_date, first_reported)) AS last_event
FROM company_timeline
WHERE commodity = getvariable('commodity')
  AND coalesce(event_date, first_reported)
      >= left(getvariable('since'), length(coalesce(event_date, first_reported)))
GROUP BY canonical
ORDER BY n_events DESC, company;
