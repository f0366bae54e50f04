-- Question: for one event, what did each source say — which outlet, when, which date it gave,
--           and the sentence — and which articles are copies of each other?
-- Parameters: entry_key — a timeline.entry_key (find it with SELECT entry_key, … FROM timeline)
-- Returns: one row per article-level report, first reported first; reports sharing a
--          source_key are the same source (same outlet or syndicated copies).
SELECT
    m.published,
    m.outlet,
    m.event_date AS date_reported,
    m.source_key,
    m.evidence,
    m.url
-- The entry is picked before its mentions are unnested, so the filter reaches timeline_entries.
FROM (SELECT mentions FROM timeline WHERE entry_key = getvariable('entry_key')) AS t,
     unnest(t.mentions) AS u(m)
ORDER BY m.published, m.url;
