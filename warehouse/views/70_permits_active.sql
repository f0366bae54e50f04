-- Macro: permits_active(on_date)
-- Why: "which permits were in force on 1 March?": the permits whose validity window covers a
--      date, from the merged timeline (one row per real permit, however often reported).
-- Use: SELECT * FROM permits_active(DATE '2026-03-01')  -- or a 'YYYY-MM-DD' string
-- Grain: one row per timeline entry of type permit_issued with a validity period.
-- Key: entry_key
-- Columns: those of `timeline`.
-- Window: starts at valid_from (else the event date), ends at valid_to; the end is exclusive
--   (a one-year licence from 2025-12-02 runs to 2026-12-02, and is no longer active that day).
--   Bounds known only to the month or year are compared at their own granularity, inclusively
--   ('2026-12' covers every day of December 2026). A permit with no end is active from its start.
CREATE OR REPLACE MACRO permits_active(on_date) AS TABLE
SELECT *
FROM timeline
WHERE type = 'permit_issued'
  AND validity_duration IS NOT NULL
  AND coalesce(valid_from, event_date) IS NOT NULL
  AND coalesce(valid_from, event_date)
      <= left(on_date::VARCHAR, length(coalesce(valid_from, event_date)))
  AND (
      valid_to IS NULL
      OR (length(valid_to) = 10 AND on_date::VARCHAR < valid_to)
      OR (length(valid_to) < 10 AND left(on_date::VARCHAR, length(valid_to)) <= valid_to)
  )
ORDER BY coalesce(valid_from, event_date), entry_key;
