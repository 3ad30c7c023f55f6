-- Privacy-tiered retention (docs/operations.md, "Retention").
-- Sightings older than retention.sightings are removed unless they are evidence for a hit: the
-- purge moves those rows here first and then drops the day's partition (plain PostgreSQL) or
-- chunk (TimescaleDB). Rows leave this table when their case has been closed for longer than
-- retention.evidence. Same columns as sightings; trajectories read both.
CREATE TABLE sighting_evidence (LIKE sightings INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
CREATE INDEX sighting_evidence_tag_time_idx ON sighting_evidence (tag, first_seen DESC);

-- The purge asks "which tags are in a hit whose case is open or recently closed".
CREATE INDEX hits_tag_idx ON hits (tag);
