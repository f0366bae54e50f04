-- View: firm_keys
-- Why: several spellings of one firm ("Ningbo Yansheng", "Ningbo Yunsheng") each have their own
--      canonical_key in company_registry; the company views count them as the one firm the
--      timeline merges them into. company_firms (rewritten after every finished run by
--      warehouse/registry.py, with the rule in tradeline/identity.py) says which; a spelling
--      stored since the last finished run is a firm of its own until then.
-- Grain: one row per company_registry row.
-- Key: canonical_key
-- Columns: canonical_key, firm_key (the canonical_key of the firm's first stored spelling)
CREATE OR REPLACE VIEW firm_keys AS
SELECT
    r.canonical_key,
    coalesce(f.firm_key, r.canonical_key) AS firm_key
FROM company_registry AS r
LEFT JOIN company_firms AS f USING (canonical_key);
