-- Macro: permits_active(on_date)
-- Why: "which permits were in force on 1 March?": the permits whose validity window covers a
--      date, from the merged timeline (one row per real permit, however often reported).
-- Use: SELECT * FROM permits_active(DATE '2026-03-01')  -- or a 'YYYY-MM-DD' string; text that
--      is no date ('notadate', '2026-02-30') is an error, not an empty answer.
-- Grain: one row per timeline entry of type permit_issued with a validity period.
-- Key: entry_key
-- Columns: those of `timeline`.
-- Window: starts at valid_from (else the first day of the event date), ends at valid_to; the
--   end is exclusive (a one-year licence from 2025-12-02 runs to 2026-12-02, and is no longer
--   active that day). A start known only to the month or year is its first day, so '2025-12'
--   is active from 1 December. A permit with no end is active from its start.
CREATE OR REPLACE MACRO permits_active(on_date) AS TABLE
SELECT *
FROM timeline
WHERE type = 'permit_issued'
  AND validity_duration IS NOT NULL
  AND coalesce(valid_from, date_from) IS NOT NULL
  AND coalesce(valid_from, date_from) <= CAST(on_date AS DATE)
  AND (valid_to IS NULL OR CAST(on_date AS DATE) < valid_to)
ORDER BY coalesce(valid_from, date_from), entry_key;
