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
-- How: a scan of firm_stats (migration 014, warehouse/materialized.py), which the merge keeps
--      per firm: as of the last merge (every finished run merges), like the timeline.
CREATE OR REPLACE VIEW companies_seen AS
SELECT
    firm_key AS canonical_key,
    canonical,
    aliases,
    coalesce(tickers, []::VARCHAR[]) AS tickers,
    n_articles,
    n_events_shown AS n_events,
    first_published,
    last_published,
    first_stored AS first_seen,
    last_stored AS last_seen
FROM firm_stats
WHERE n_articles > 0 OR n_events_shown > 0;
