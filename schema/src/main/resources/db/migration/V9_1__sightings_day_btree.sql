-- The day being written carries no per-row B-tree; a day is indexed by tag once it is over.
--
-- Measured on PostgreSQL 17.6 on the development machine (benchmarks/RESULTS.md, "Sighting
-- writes", session 4): COPY of 2 M sightings in time order took 9.7-13.8 s into a table with the
-- (tag, first_seen DESC) B-tree and 2.0-3.3 s with BRIN indexes only: each row's B-tree descent is
-- most of a write. A finished day is indexed in one sort instead (CREATE INDEX on 20 M rows), by
-- the engine's storage maintenance (io.tagwatch.store.DayIndexes), which names the index
-- <partition>_tag_time_idx.
--
-- Meanwhile a vehicle's sightings of today are found through a bloom BRIN index on tag: one
-- bloom filter per 4 heap pages (~480 rows), 0.2 % false positives. A one-tag query over a full
-- day (20 M rows) reads the whole bloom index (~36 MB) and the ~90 ranges that hold the vehicle:
-- 22-30 ms at the median on the development machine, against ~0.3 ms with a B-tree; so the
-- bloom index serves only the day being written (and yesterday until maintenance indexes it).
-- autosummarize: each full range is summarized by autovacuum soon after it fills (unsummarized
-- ranges are read whole); maintenance also summarizes what autovacuum's queue dropped.
--
-- Both storage paths: on TimescaleDB (V6_2) the same statements apply to the hypertable's
-- chunks; chunks older than a day are compressed segmented by tag and answer a vehicle's
-- query from the segment index, so the B-tree only ever served the uncompressed chunks.
DO $$
DECLARE
    today CONSTANT date := (now() AT TIME ZONE 'UTC')::date;
    p record;
    child text;
    kept text[] := '{}';
    bounds text[] := '{}';
    i int;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'sightings'::regclass) = 'p'
            AND to_regclass('sightings_tag_time_idx') IS NOT NULL THEN
        -- Finished days keep their B-tree: a detached partition keeps its indexes as its own, so
        -- dropping the parent's index then drops only those of today, the days ahead and the
        -- default partition. Re-attaching checks the day's bound (one scan, no sort).
        FOR p IN SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound
                   FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
                  WHERE h.inhparent = 'sightings'::regclass AND c.relname ~ '^sightings_[0-9]{8}$'
                    AND to_date(substr(c.relname, 11), 'YYYYMMDD') < today
                  ORDER BY 1 LOOP
            SELECT ic.relname INTO child
              FROM pg_inherits h JOIN pg_class ic ON ic.oid = h.inhrelid JOIN pg_index x ON x.indexrelid = ic.oid
             WHERE h.inhparent = 'sightings_tag_time_idx'::regclass AND x.indrelid = p.relname::regclass;
            EXECUTE format('ALTER TABLE sightings DETACH PARTITION %I', p.relname);
            IF child IS NOT NULL THEN
                EXECUTE format('ALTER INDEX %I RENAME TO %I', child, p.relname || '_tag_time_idx');
            END IF;
            kept := kept || p.relname::text;
            bounds := bounds || p.bound;
        END LOOP;
        DROP INDEX sightings_tag_time_idx;
        FOR i IN 1 .. coalesce(array_length(kept, 1), 0) LOOP
            EXECUTE format('ALTER TABLE sightings ATTACH PARTITION %I %s', kept[i], bounds[i]);
        END LOOP;
        -- The default partition holds stray rows of any time (normally none): never finished, so
        -- it keeps a B-tree of its own.
        CREATE INDEX IF NOT EXISTS sightings_default_tag_time_idx ON sightings_default (tag, first_seen DESC);
    ELSE
        DROP INDEX IF EXISTS sightings_tag_time_idx;
    END IF;
END
$$;

CREATE INDEX IF NOT EXISTS sightings_tag_bloom ON sightings
    USING brin (tag int8_bloom_ops (false_positive_rate = 0.002, n_distinct_per_range = 500))
    WITH (pages_per_range = 4, autosummarize = on);
