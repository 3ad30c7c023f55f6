-- The journal position up to which a node's sightings are committed. The sighting writer
-- updates it in the same transaction as the COPY of the sightings it covers, so after a
-- crash the engine replays its journal from exactly here (docs/architecture.md).
CREATE TABLE journal_checkpoint (
    node        TEXT PRIMARY KEY,
    position    BIGINT      NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
