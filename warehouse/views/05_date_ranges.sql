-- Macros: iso_date_from(d), iso_date_to(d)
-- Why: news gives dates at mixed granularity ('2025', '2025-12', '2025-12-02'); the tables keep
--      that text, and the views add the DATE range it covers so date arithmetic, comparisons
--      with DATE literals, Parquet and the DuckDB CLI see real dates.
-- Use: iso_date_from('2025-12') = DATE '2025-12-01'; iso_date_to('2025-12') = DATE '2025-12-31';
--      iso_date_from('2025') = DATE '2025-01-01'; iso_date_to('2025') = DATE '2025-12-31';
--      a day (text or DATE) is its own range. NULL gives NULL; text that is no date, or an
--      impossible one ('2025-13', '2026-02-30'), is an error, so a bad recipe parameter fails
--      instead of matching nothing.
CREATE OR REPLACE MACRO iso_date_from(d) AS
    CASE length(d::VARCHAR)
        WHEN 4 THEN CAST(d::VARCHAR || '-01-01' AS DATE)
        WHEN 7 THEN CAST(d::VARCHAR || '-01' AS DATE)
        ELSE CAST(d::VARCHAR AS DATE)
    END;

CREATE OR REPLACE MACRO iso_date_to(d) AS
    CASE length(d::VARCHAR)
        WHEN 4 THEN CAST(d::VARCHAR || '-12-31' AS DATE)
        WHEN 7 THEN last_day(CAST(d::VARCHAR || '-01' AS DATE))
        ELSE CAST(d::VARCHAR AS DATE)
    END;
