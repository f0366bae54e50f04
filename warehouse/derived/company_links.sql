-- The rows of `company_links` (migration 014), computed by warehouse/materialized.py for the
-- articles the merge changed ({cut}: a SEMI JOIN to them, or nothing: every article): each
-- spelling an article's latest run (as of the merge) names, as a company fact of a relevant
-- article ('mention') or as a firm of one of its events ('event', with the event's entry and
-- whether it is shown). Not a view: it is run, never queried.
WITH lr AS (SELECT article_id, run_id, relevant FROM latest_article_runs {cut}),
arts AS (SELECT article_id, iso_date_from(published) AS published FROM articles {cut})
SELECT cm.canonical_key, cm.article_id, 'mention', cm.fact_key, NULL, true, cm.ticker,
       a.published
FROM (SELECT * FROM company_mentions {cut}) AS cm
JOIN lr ON lr.article_id = cm.article_id AND lr.run_id = cm.run_id
JOIN arts AS a ON a.article_id = cm.article_id
WHERE lr.relevant
UNION ALL
SELECT ec.canonical_key, ec.article_id, 'event', ec.fact_key, tm.entry_key,
       lr.relevant AND NOT coalesce(e.held_back, false), NULL, a.published
FROM (SELECT * FROM event_companies {cut}) AS ec
JOIN lr ON lr.article_id = ec.article_id AND lr.run_id = ec.run_id
JOIN (SELECT fact_key, run_id, held_back FROM events {cut}) AS e
  ON e.fact_key = ec.fact_key AND e.run_id = ec.run_id
JOIN arts AS a ON a.article_id = ec.article_id
LEFT JOIN (SELECT fact_key, run_id, entry_key FROM timeline_entry_mentions {cut}) AS tm
  ON tm.fact_key = ec.fact_key AND tm.run_id = ec.run_id
