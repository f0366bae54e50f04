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
-- How: a scan of firm_stats (migration 014), as of the last merge.
CREATE OR REPLACE VIEW companies AS
SELECT
    firm_key AS canonical_key,
    canonical,
    aliases,
    coalesce(tickers, []::VARCHAR[]) AS tickers,
    n_articles,
    n_events,
    n_event_mentions,
    first_seen,
    last_seen,
    first_stored,
    last_stored
FROM firm_stats
WHERE n_articles > 0 OR n_events_shown > 0
ORDER BY canonical;
