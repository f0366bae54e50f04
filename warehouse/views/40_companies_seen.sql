-- View: companies_seen
-- Why: one place to see which firms the news names, under which names, and how often, counting
--      only each article's latest completed run so stale extractions do not inflate counts.
-- Grain: one row per company (canonical_key) in the company_registry table.
-- Key: canonical_key
-- Columns: canonical_key, canonical, aliases (VARCHAR[], sorted), tickers (VARCHAR[]),
--          n_articles, n_events, first_published, last_published, first_seen, last_seen
CREATE OR REPLACE VIEW companies_seen AS
WITH mentions AS (
    SELECT cm.canonical_key, cm.article_id, cm.ticker, a.published
    FROM company_mentions AS cm
    JOIN latest_runs AS lr ON lr.article_id = cm.article_id AND lr.run_id = cm.run_id
    JOIN articles AS a ON a.article_id = cm.article_id
),
mention_stats AS (
    SELECT
        canonical_key,
        count(DISTINCT article_id) AS n_articles,
        list(DISTINCT ticker ORDER BY ticker) FILTER (WHERE ticker IS NOT NULL) AS tickers,
        min(published) AS first_published,
        max(published) AS last_published
    FROM mentions
    GROUP BY canonical_key
),
event_stats AS (
    SELECT ec.canonical_key, count(DISTINCT ec.fact_key) AS n_events
    FROM event_companies AS ec
    JOIN latest_runs AS lr ON lr.article_id = ec.article_id AND lr.run_id = ec.run_id
    GROUP BY ec.canonical_key
),
alias_lists AS (
    SELECT canonical_key, list(alias ORDER BY alias) AS aliases
    FROM company_aliases
    GROUP BY canonical_key
)
SELECT
    c.canonical_key,
    c.canonical,
    coalesce(al.aliases, []::VARCHAR[]) AS aliases,
    coalesce(ms.tickers, []::VARCHAR[]) AS tickers,
    coalesce(ms.n_articles, 0) AS n_articles,
    coalesce(es.n_events, 0) AS n_events,
    ms.first_published,
    ms.last_published,
    c.first_seen,
    c.last_seen
FROM company_registry AS c
LEFT JOIN alias_lists AS al USING (canonical_key)
LEFT JOIN mention_stats AS ms USING (canonical_key)
LEFT JOIN event_stats AS es USING (canonical_key);
