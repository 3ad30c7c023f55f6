-- Hits from the watchlist name their entry and carry its reason; entries can be removed.
ALTER TABLE hits ADD COLUMN watchlist_id BIGINT REFERENCES watchlist (id);
ALTER TABLE hits ADD COLUMN note TEXT;
ALTER TABLE watchlist ADD COLUMN removed_at TIMESTAMPTZ;
ALTER TABLE watchlist ADD COLUMN removed_by BIGINT REFERENCES users (id);
CREATE INDEX watchlist_active_idx ON watchlist (expires_at) WHERE removed_at IS NULL;
