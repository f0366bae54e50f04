-- Migration 004: which firm each spelling in company_registry belongs to, by the company
-- identity rule the timeline merge uses (tradeline/identity.py), so the `companies` view and
-- `timeline` agree on which names are one firm.
-- Derived by warehouse/registry.py after every finish_run and rewritten whole, in the same
-- transaction (like timeline_entries); a spelling stored since then has no row yet and counts
-- as a firm of its own (view `firm_keys`).
CREATE TABLE company_firms (
    canonical_key VARCHAR PRIMARY KEY,           -- company_registry.canonical_key
    firm_key      VARCHAR NOT NULL               -- canonical_key of the firm's first stored spelling
);
