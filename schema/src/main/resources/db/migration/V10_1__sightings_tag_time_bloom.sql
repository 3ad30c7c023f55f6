-- The day being written finds a vehicle through a BRIN index on (tag bloom, first_seen minmax)
-- instead of the bloom filter on tag alone (V9_1).
--
-- Why: PostgreSQL costs a BRIN scan by the correlation of the indexed column with the heap order
-- (brincostestimate), and a tag's correlation is ~0 (tags arrive at random): depending on the
-- sample ANALYZE drew, the planner judged the bloom index useless for some of today's tables and
-- read them through the first_seen BRIN alone — a 30-day query covers the whole day, so that
-- scanned every page of the table: 120 ms instead of 6 ms (PostgreSQL 17.6, a 20 M-row day split
-- 16 ways; benchmarks/RESULTS.md, "Trajectory", session 5). With first_seen in the same index the
-- planner takes the column with the best correlation (first_seen: 1), so the index is costed
-- as what it is, selective, while the filter part still does the work of finding the tag.
-- Same size as the bloom index alone (the minmax part adds 16 bytes a range); the small BRIN on
-- first_seen (V8_1) stays for the time-window queries.
--
-- Rebuilds the index on every partition (one scan each, about 4 s per 20 M rows on a 2-vCPU
-- machine): on a large database, run the upgrade in a quiet hour. Both storage paths (on
-- TimescaleDB the index applies to the hypertable's chunks).
DROP INDEX IF EXISTS sightings_tag_bloom;
CREATE INDEX sightings_tag_time_bloom ON sightings
    USING brin (tag int8_bloom_ops (false_positive_rate = 0.002, n_distinct_per_range = 500), first_seen)
    WITH (pages_per_range = 4, autosummarize = on);
