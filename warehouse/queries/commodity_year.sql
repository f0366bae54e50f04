-- Question: what happened to licensing and controls of one commodity in one year (e.g. rare
--           earths in 2025), in date order, with how well each event is sourced?
-- Parameters: commodity — commodity class as stored, e.g. 'rare earths'
--             year — 'YYYY'
-- Returns: one row per real event dated in that year (undated ones by first report).
SELECT
    coalesce(event_date, first_reported) AS "date",
    type,
    authority_country,
    companies,
    validity,
    n_articles,
    n_sources,
    date_disputed,
    evidence
FROM timeline
WHERE commodity = getvariable('commodity')
  AND left(coalesce(event_date, first_reported), 4) = getvariable('year')
ORDER BY "date", type, entry_key;
