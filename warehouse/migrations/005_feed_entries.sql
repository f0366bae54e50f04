-- Migration 005: every feed entry is owed until its article is stored.
-- A poll records the entries it saw in the same transaction as the feed's validators, so a 304
-- on the next run can no longer hide an entry that was never fetched. An entry moves
-- seen → fetched (its page archived in `documents`) → stored (its article stored), or to
-- failed (tried again after next_try_at) and, after the last attempt or a failure no retry
-- can change, given_up. Every ingest retries the owed entries of the feeds it polls.
-- No column holds a secret: a link with credentials or a token is kept redacted, and such an
-- entry is fetched again only from its feed (polled without validators while it is owed).
CREATE TABLE feed_entries (
    article_id    VARCHAR PRIMARY KEY,           -- Article.id_for(canonical URL): the article it owes
    url           VARCHAR NOT NULL,              -- the link as the feed gave it, redacted
    url_redacted  BOOLEAN NOT NULL,              -- the link held a secret: only the feed can give it back
    source_url    VARCHAR NOT NULL,              -- the feed that listed it first (sources.url, redacted)
    title         VARCHAR,                       -- the feed's title for it
    published     VARCHAR,                       -- the feed's date for it (YYYY-MM-DD)
    state         VARCHAR NOT NULL
                  CHECK (state IN ('seen', 'fetched', 'stored', 'failed', 'given_up')),
    attempts      INTEGER NOT NULL,              -- failed attempts so far
    next_try_at   TIMESTAMP,                     -- failed: not tried again before this
    last_error    VARCHAR,                       -- failed / given_up: the last reason (redacted)
    document_id   VARCHAR,                       -- fetched: the archived page to go on from
    first_seen_at TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
