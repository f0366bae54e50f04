-- View: companies
-- Why: the analyst's company list: each firm once, the names it goes by, when the news first
--      and last named it, and how many real events (merged timeline entries) involve it.
--      Spellings of one firm count together (firm_keys: the rule `timeline` merges by).
-- Grain: one row per firm (see companies_seen).
-- Key: canonical_key
-- Columns: canonical_key, canonical, aliases (VARCHAR[]), tickers (VARCHAR[]), n_articles,
--          n_events, n_event_mentions, first_seen (DATE), last_seen (DATE), first_stored,
--          last_stored (TIMESTAMP)
-- first_seen / last_seen: earliest / latest `published` of the articles naming it (company
-- facts or event companies of the latest runs); first_stored / last_stored: when tradeline
-- first / last stored it.
CREATE OR REPLACE VIEW companies AS
WITH event_links AS (
    SELECT fk.firm_key AS canonical_key, tm.entry_key, ec.fact_key, ec.article_id
    FROM event_companies AS ec
    JOIN timeline_entry_mentions AS tm ON tm.fact_key = ec.fact_key AND tm.run_id = ec.run_id
    JOIN firm_keys AS fk ON fk.canonical_key = ec.canonical_key
),
event_stats AS (
    SELECT canonical_key,
           count(DISTINCT entry_key) AS n_events,
           count(DISTINCT fact_key) AS n_event_mentions
    FROM event_links
    GROUP BY canonical_key
),
seen AS (
    SELECT canonical_key, article_id FROM event_links
    UNION
    SELECT fk.firm_key, cm.article_id
    FROM company_mentions AS cm
    JOIN latest_runs AS lr ON lr.article_id = cm.article_id AND lr.run_id = cm.run_id
    JOIN firm_keys AS fk ON fk.canonical_key = cm.canonical_key
    WHERE lr.relevant
),
seen_stats AS (
    SELECT s.canonical_key, min(iso_date_from(a.published)) AS first_seen,
           max(iso_date_from(a.published)) AS last_seen
    FROM seen AS s JOIN articles AS a USING (article_id)
    GROUP BY s.canonical_key
)
SELECT
    c.canonical_key,
    c.canonical,
    c.aliases,
    c.tickers,
    c.n_articles,
    coalesce(es.n_events, 0) AS n_events,
    coalesce(es.n_event_mentions, 0) AS n_event_mentions,
    ss.first_seen,
    ss.last_seen,
    c.first_seen AS first_stored,
    c.last_seen AS last_stored
FROM companies_seen AS c
LEFT JOIN event_stats AS es USING (canonical_key)
LEFT JOIN seen_stats AS ss USING (canonical_key)
ORDER BY c.canonical;
