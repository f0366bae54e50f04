-- Question: what happened to licensing and controls of one commodity in one year (e.g. rare
--           earths in 2025), in date order, with how well each event is sourced?
-- Parameters: commodity — commodity class as stored, e.g. 'rare earths'
--             year — 'YYYY'
-- Returns: one row per real event dated in that year (undated ones by first report); "date" is
--          the ISO text at its granularity, date_from / date_to the days it covers (DATE).
SELECT
    coalesce(event_date, strftime(first_reported, '%Y-%m-%d')) AS "date",
    coalesce(date_from, first_reported) AS date_from,
    coalesce(date_to, first_reported) AS date_to,
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
  AND year(coalesce(date_from, first_reported)) = CAST(getvariable('year') AS INTEGER)
ORDER BY "date", type, entry_key;
