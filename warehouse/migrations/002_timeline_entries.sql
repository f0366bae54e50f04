-- Migration 002: merged timeline entries (one per real event) and near-duplicate signatures.
-- The `companies` name goes to the analysts' view (views/50_companies.sql); the table that
-- load.py upserts becomes `company_registry` (same columns, same primary key).
ALTER TABLE companies RENAME TO company_registry;

-- MinHash signature of each article's text, computed once (warehouse/dedupe.py), so finding
-- syndicated copies does not re-hash every article on every rebuild.
CREATE TABLE article_signatures (
    article_id VARCHAR PRIMARY KEY,
    text_hash  VARCHAR NOT NULL,                 -- sha256 of the text the signature was made from
    minhash    UBIGINT[] NOT NULL                -- datasketch MinHash hash values
);

-- Derived by warehouse/merge.py after every finish_run; rebuilt whole, in the same transaction.
-- entry_key hashes content (type, country, commodity, companies, date), never run ids.
CREATE TABLE timeline_entries (
    entry_key         VARCHAR PRIMARY KEY,
    type              VARCHAR NOT NULL,
    authority_country VARCHAR,
    commodity         VARCHAR,
    event_date        VARCHAR,                   -- representative date (finest reported)
    date_granularity  VARCHAR,
    date_disputed     BOOLEAN NOT NULL,          -- sources give different dates
    dates_reported    VARCHAR[] NOT NULL,        -- every distinct date reported, sorted
    companies         VARCHAR[] NOT NULL,        -- one spelling per company, in first-seen order
    n_articles        INTEGER NOT NULL,
    n_sources         INTEGER NOT NULL           -- outlets, syndicated copies counted once
);

-- Which article-level event (events.fact_key of the article's latest completed run) went into
-- which entry, and the source it counts as.
CREATE TABLE timeline_entry_mentions (
    fact_key   VARCHAR PRIMARY KEY,
    entry_key  VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,
    run_id     VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL                  -- same value = same source within the entry
);
