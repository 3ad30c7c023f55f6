-- Sightings are written at tens of thousands of rows a second, and every B-tree on them costs
-- each row a descent and a page change (measured on PostgreSQL 17: each B-tree index about
-- doubles the cost of a COPY, benchmarks/RESULTS.md "Sighting writes"). So the table keeps one
-- B-tree, the one every trajectory, hit track and retro-hit needs: a vehicle over time
-- (sightings_tag_time_idx, V1). The other questions are served without a per-row B-tree:
--
-- * a reader's traffic over time: reader_traffic, one row per reader and hour (UTC) with the
--   sightings and reads that started in it, written by the sighting writer in the same
--   transaction as the sightings (so the counts are exactly the committed rows); at most
--   9,600 rows a day for 400 readers, so it is kept far longer than the sightings;
-- * the sightings around a time (which vehicles passed reader R between 14:00 and 14:10): a BRIN
--   index on first_seen. Rows arrive in time order, so each block range holds a narrow span
--   of time and a window of minutes reads only the blocks of those minutes.
DROP INDEX IF EXISTS sightings_reader_time_idx;
CREATE INDEX IF NOT EXISTS sightings_time_brin ON sightings USING brin (first_seen);

CREATE TABLE reader_traffic (
    reader_id  TEXT        NOT NULL,
    hour       TIMESTAMPTZ NOT NULL,
    sightings  INTEGER     NOT NULL,
    reads      BIGINT      NOT NULL,
    PRIMARY KEY (reader_id, hour)
);

INSERT INTO reader_traffic (reader_id, hour, sightings, reads)
SELECT reader_id, date_bin('1 hour', first_seen, TIMESTAMPTZ '2000-01-01 00:00:00+00'), count(*), sum(read_count)
  FROM sightings
 GROUP BY 1, 2;
