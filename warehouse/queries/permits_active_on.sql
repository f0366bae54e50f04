-- Question: which permits were in force on a given date, who holds them, and how many
--           independent sources reported each?
-- Parameters: on_date — 'YYYY-MM-DD' (SET VARIABLE on_date = '2026-03-01';)
-- Returns: one row per permit (merged timeline entry), oldest window first.
SELECT
    authority_country,
    commodity,
    companies,
    valid_from,
    valid_to,
    validity_duration,
    n_sources,
    url
FROM permits_active(getvariable('on_date'))
ORDER BY valid_from, authority_country, commodity;
