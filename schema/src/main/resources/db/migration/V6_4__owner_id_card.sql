-- Owners' ID-card numbers are never stored in the clear: a keyed hash (HMAC-SHA256 with the
-- operator's --id-card-key, hex) to find an owner by the number typed at a desk, and a masked
-- form (first 3 and last 4 characters) to show.
ALTER TABLE owners ADD COLUMN id_card_hash TEXT;
ALTER TABLE owners ADD COLUMN id_card_masked TEXT;
CREATE INDEX owners_id_card_idx ON owners (id_card_hash);
