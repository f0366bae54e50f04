-- Migration 007: the run's best-event floor ([model] best_event_floor): a relevant article
-- whose events are all below confidence_threshold still shows its most confident event when
-- that reaches the floor. Recorded with the other thresholds so a run's timeline can be traced.
ALTER TABLE extraction_runs ADD COLUMN best_event_floor DOUBLE;
