-- Question: which events need checking — sources disagree on the date, or only one source
--           reported them?
-- Parameters: none
-- Returns: one row per such event, with why it needs checking.
SELECT
    event_date,
    type,
    authority_country,
    commodity,
    companies,
    dates_reported,
    n_sources,
    CASE WHEN date_disputed THEN 'dates disagree' ELSE 'single source' END AS reason
FROM timeline
WHERE date_disputed OR n_sources = 1
ORDER BY event_date NULLS LAST, entry_key;
