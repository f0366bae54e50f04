-- Migration 006: what the trained parts decided, kept with the facts (issue: relevance before
-- extraction, a confidence per event).
-- article_extractions.relevance: P(the article reports trade permits/controls); relevant: at
--   or above the run's relevance_threshold. An article below it yields nothing in the timeline
--   views, but its facts stay stored (views `event_mentions`, `companies_seen` show them).
-- events.confidence: P(a real action of this type); held_back: not shown in the timeline (the
--   article is not relevant, or the confidence is below the run's confidence_threshold).
-- extraction_runs: the trained parts' training-data hash and the thresholds the run used.
ALTER TABLE article_extractions ADD COLUMN relevance DOUBLE;
ALTER TABLE article_extractions ADD COLUMN relevant BOOLEAN DEFAULT true;
ALTER TABLE events ADD COLUMN confidence DOUBLE;
ALTER TABLE events ADD COLUMN held_back BOOLEAN DEFAULT false;
ALTER TABLE extraction_runs ADD COLUMN trained_hash VARCHAR;
ALTER TABLE extraction_runs ADD COLUMN relevance_threshold DOUBLE;
ALTER TABLE extraction_runs ADD COLUMN confidence_threshold DOUBLE;
