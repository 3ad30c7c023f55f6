-- Reminders of unacknowledged hits: how many were sent and when the last one went out.
ALTER TABLE hits ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hits ADD COLUMN last_reminded_at TIMESTAMPTZ;
CREATE INDEX hits_new_idx ON hits (received_at) WHERE status = 'new';
