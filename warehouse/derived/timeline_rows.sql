-- The rows of the `timeline` view (views/20_timeline.sql), computed from each entry's reports
-- by warehouse/materialized.py into `timeline_rows` when the merge writes the entry; {where}
-- restricts it to the entries written. Not a view: it is run, never queried.
--
-- One pass: entries joined to their reports, then grouped by every timeline_entries column.
-- The reports are sorted once per entry (earliest report first); the representative fields are
-- taken from that list. Representative fields (subtype, authority, commodity_detail, title,
-- outlet, url, evidence, published) come from the first report (earliest published, then URL,
-- then position); validity from the first report that has one; modality is the surest any
-- report gives (actual > planned > possible).
WITH grouped AS (
    -- One pass: entries joined to their reports, then grouped by every timeline_entries column,
    -- so a filter on those (type, commodity, country, dates) is pushed down to the
    -- timeline_entries scan and only the matching entries' reports are read and sorted. The
    -- reports are sorted once per entry (earliest report first); the representative fields are
    -- taken from that list.
    SELECT
        t.entry_key, t.event_date, t.date_granularity, t.date_disputed, t.dates_reported,
        t.type, t.authority_country, t.companies, t.commodity, t.n_articles, t.n_sources,
        min(em.published) AS first_reported,
        max(em.published) AS last_reported,
        min(CASE em.modality WHEN 'actual' THEN 1 WHEN 'planned' THEN 2 ELSE 3 END)
            AS modality_rank,
        list(DISTINCT em.article_id ORDER BY em.article_id) AS article_ids,
        list(DISTINCT em.url ORDER BY em.url) AS urls,
        list(DISTINCT em.outlet ORDER BY em.outlet) FILTER (WHERE em.outlet IS NOT NULL)
            AS outlets,
        list(
            struct_pack(em.fact_key, em.article_id, em.url, em.outlet, em.published,
                        em.event_date, tm.source_key, em.evidence, em.subtype, em.authority,
                        em.commodity_detail, em.date_text, em.title, em.validity,
                        em.validity_duration, em.valid_from, em.valid_to)
            ORDER BY em.published NULLS LAST, em.url, em.start_char, em.fact_key
        ) AS reports
    FROM timeline_entries AS t
    JOIN timeline_entry_mentions AS tm USING (entry_key)
    JOIN event_mentions AS em ON em.fact_key = tm.fact_key AND em.run_id = tm.run_id
    {where}
    GROUP BY t.entry_key, t.event_date, t.date_granularity, t.date_disputed, t.dates_reported,
             t.type, t.authority_country, t.companies, t.commodity, t.n_articles, t.n_sources
),
picked AS (
    SELECT
        *,
        reports[1] AS f,
        list_filter(reports, lambda m: m.validity_duration IS NOT NULL)[1] AS v
    FROM grouped
)
SELECT
    entry_key,
    event_date,
    date_granularity,
    iso_date_from(event_date) AS date_from,
    iso_date_to(event_date) AS date_to,
    date_disputed,
    dates_reported,
    type,
    f.subtype,
    CASE modality_rank WHEN 1 THEN 'actual' WHEN 2 THEN 'planned' ELSE 'possible' END
        AS modality,
    f.authority,
    authority_country,
    companies,
    commodity,
    f.commodity_detail,
    f.date_text,
    v.validity,
    v.validity_duration,
    v.valid_from,
    v.valid_to,
    n_articles,
    n_sources,
    first_reported,
    last_reported,
    f.title,
    f.outlet,
    f.published,
    f.url,
    f.evidence,
    article_ids,
    urls,
    coalesce(outlets, []::VARCHAR[]) AS outlets,
    list_transform(reports, lambda m: struct_pack(
        fact_key := m.fact_key, article_id := m.article_id, url := m.url, outlet := m.outlet,
        published := m.published, event_date := m.event_date, source_key := m.source_key,
        evidence := m.evidence)) AS mentions
FROM picked
