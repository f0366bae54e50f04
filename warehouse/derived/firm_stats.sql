-- The rows of `firm_stats` (migration 014): per firm, the names, counts and dates of
-- views/40_companies_seen.sql and views/50_companies.sql, from `company_links`, the
-- registry and its aliases; {cut} limits
-- it to the firms warehouse/materialized.py recomputes. Not a view: it is run, never queried.
WITH l AS (
    SELECT fk.firm_key, l.kind, l.article_id, l.fact_key, l.entry_key, l.shown, l.ticker,
           l.published
    FROM company_links AS l
    JOIN firm_keys AS fk USING (canonical_key)
    WHERE true {cut}
),
-- each count over rows made distinct first: cheaper than count(DISTINCT) per group
mentioned AS (
    SELECT firm_key, count(*) AS n_articles, min(published) AS first_published,
           max(published) AS last_published
    FROM (SELECT DISTINCT firm_key, article_id, published FROM l WHERE kind = 'mention')
    GROUP BY firm_key
),
ticker_lists AS (
    SELECT firm_key, list(ticker ORDER BY ticker) AS tickers
    FROM (SELECT DISTINCT firm_key, ticker FROM l
          WHERE kind = 'mention' AND ticker IS NOT NULL)
    GROUP BY firm_key
),
shown AS (
    SELECT firm_key, count(*) AS n_events_shown
    FROM (SELECT DISTINCT firm_key, fact_key FROM l WHERE kind = 'event' AND shown)
    GROUP BY firm_key
),
merged AS (
    SELECT firm_key, count(*) AS n_event_mentions
    FROM (SELECT DISTINCT firm_key, fact_key FROM l
          WHERE kind = 'event' AND entry_key IS NOT NULL)
    GROUP BY firm_key
),
entries AS (
    SELECT firm_key, count(*) AS n_events
    FROM (SELECT DISTINCT firm_key, entry_key FROM l
          WHERE kind = 'event' AND entry_key IS NOT NULL)
    GROUP BY firm_key
),
seen AS (
    SELECT firm_key, min(published) FILTER (WHERE kind = 'mention' OR entry_key IS NOT NULL)
               AS first_seen,
           max(published) FILTER (WHERE kind = 'mention' OR entry_key IS NOT NULL) AS last_seen
    FROM l
    GROUP BY firm_key
),
stats AS (
    SELECT seen.firm_key, coalesce(m.n_articles, 0) AS n_articles, t.tickers,
           m.first_published, m.last_published,
           coalesce(sh.n_events_shown, 0) AS n_events_shown,
           coalesce(en.n_events, 0) AS n_events,
           coalesce(me.n_event_mentions, 0) AS n_event_mentions,
           seen.first_seen, seen.last_seen
    FROM seen
    LEFT JOIN mentioned AS m USING (firm_key)
    LEFT JOIN ticker_lists AS t USING (firm_key)
    LEFT JOIN shown AS sh USING (firm_key)
    LEFT JOIN entries AS en USING (firm_key)
    LEFT JOIN merged AS me USING (firm_key)
),
stored AS (
    SELECT fk.firm_key, min(r.first_seen) AS first_stored, max(r.last_seen) AS last_stored
    FROM firm_keys AS fk
    JOIN company_registry AS r USING (canonical_key)
    WHERE true {cut}
    GROUP BY fk.firm_key
),
alias_lists AS (
    SELECT fk.firm_key, list(DISTINCT ca.alias ORDER BY ca.alias) AS aliases
    FROM company_aliases AS ca
    JOIN firm_keys AS fk USING (canonical_key)
    WHERE true {cut}
    GROUP BY fk.firm_key
)
SELECT s.firm_key, c.canonical, coalesce(al.aliases, []::VARCHAR[]), st.first_stored,
       st.last_stored, s.n_articles, s.tickers, s.first_published, s.last_published,
       s.n_events_shown, s.n_events, s.n_event_mentions, s.first_seen, s.last_seen
FROM stats AS s
JOIN stored AS st USING (firm_key)
JOIN company_registry AS c ON c.canonical_key = s.firm_key
LEFT JOIN alias_lists AS al USING (firm_key)
