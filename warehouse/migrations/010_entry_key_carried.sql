-- Migration 010: stable timeline entry keys (warehouse/entry_keys.py). An entry re-merged from
-- re-extracted reports (a company renamed by an alias fix, an event re-dated) keeps the key of
-- the entry it continues; `key_carried` says its key is such a carried key, not its content
-- key, so later merges keep it too. Existing entries hold content keys: false.
ALTER TABLE timeline_entries ADD COLUMN key_carried BOOLEAN NOT NULL DEFAULT false;
