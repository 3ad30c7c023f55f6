-- Audited trajectories: the audit row of a sightings query also records the period asked for.
ALTER TABLE audit_log ADD COLUMN range_from TIMESTAMPTZ;
ALTER TABLE audit_log ADD COLUMN range_to TIMESTAMPTZ;
