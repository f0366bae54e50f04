-- View: companies_seen
-- Why: one place to see which firms the news names, under which names, and how often, counting
--      only each article's latest completed run so stale extractions do not inflate counts.
--      Spellings of one firm (firm_keys) count together, under the firm's first stored one.
--      Only relevant articles count (latest_runs.relevant), and only shown events: a firm
--      named only in articles about something else is not listed.
-- Grain: one row per firm (company_registry rows grouped by firm_keys.firm_key).
-- Key: canonical_key
-- Columns: canonical_key, canonical, aliases (VARCHAR[], sorted), tickers (VARCHAR[]),
--          n_articles, n_events, first_published (DATE), last_published (DATE),
--          first_seen, last_seen (TIMESTAMP: when tradeline first / last stored it)
CREATE OR REPLACE VIEW companies_seen AS
WITH mentions AS (
    SELECT fk.firm_key AS canonical_key, cm.article_id, cm.ticker, a.published
    FROM company_mentions AS cm
    JOIN latest_runs AS lr ON lr.article_id = cm.article_id AND lr.run_id = cm.run_id
    JOIN articles AS a ON a.article_id = cm.article_id
    JOIN firm_keys AS fk ON fk.canonical_key = cm.canonical_key
    WHERE lr.relevant
),
mention_stats AS (
    SELECT
        canonical_key,
        count(DISTINCT article_id) AS n_articles,
        list(DISTINCT ticker ORDER BY ticker) FILTER (WHERE ticker IS NOT NULL) AS tickers,
        min(iso_date_from(published)) AS first_published,
        max(iso_date_from(published)) AS last_published
    FROM mentions
    GROUP BY canonical_key
),
event_stats AS (
    SELECT fk.firm_key AS canonical_key, count(DISTINCT ec.fact_key) AS n_events
    FROM event_companies AS ec
    JOIN latest_runs AS lr ON lr.article_id = ec.article_id AND lr.run_id = ec.run_id
    JOIN events AS e ON e.fact_key = ec.fact_key AND e.run_id = ec.run_id
    JOIN firm_keys AS fk ON fk.canonical_key = ec.canonical_key
    WHERE lr.relevant AND NOT coalesce(e.held_back, false)
    GROUP BY fk.firm_key
),
alias_lists AS (
    SELECT fk.firm_key AS canonical_key, list(DISTINCT ca.alias ORDER BY ca.alias) AS aliases
    FROM company_aliases AS ca
    JOIN firm_keys AS fk ON fk.canonical_key = ca.canonical_key
    GROUP BY fk.firm_key
),
firms AS (
    SELECT fk.firm_key AS canonical_key, min(r.first_seen) AS first_seen,
           max(r.last_seen) AS last_seen
    FROM firm_keys AS fk
    JOIN company_registry AS r USING (canonical_key)
    GROUP BY fk.firm_key
)
SELECT
    f.canonical_key,
    c.canonical,
    coalesce(al.aliases, []::VARCHAR[]) AS aliases,
    coalesce(ms.tickers, []::VARCHAR[]) AS tickers,
    coalesce(ms.n_articles, 0) AS n_articles,
    coalesce(es.n_events, 0) AS n_events,
    ms.first_published,
    ms.last_published,
    f.first_seen,
    f.last_seen
FROM firms AS f
JOIN company_registry AS c USING (canonical_key)
LEFT JOIN alias_lists AS al USING (canonical_key)
LEFT JOIN mention_stats AS ms USING (canonical_key)
LEFT JOIN event_stats AS es USING (canonical_key)
WHERE ms.canonical_key IS NOT NULL OR es.canonical_key IS NOT NULL;
