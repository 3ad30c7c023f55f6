-- Day partitions made from now on are split by HASH (tag) into 16 tables
-- (io.tagwatch.store.SightingPartitions), and each table of a finished day gets its own B-tree,
-- named <table>_tag_time_idx (io.tagwatch.store.DayIndexes). Why: the day being written has no
-- B-tree (V9_1), and a vehicle's query reads its day's bloom BRIN index whole; over a full day of
-- 20 M rows in one table that took 23-60 ms at the median on the development machine, split in 16
-- (the query reads one) 7-10 ms (benchmarks/RESULTS.md, "Sighting writes", session 4).
--
-- Days made ahead and still empty are dropped here: the engine makes them again at start, split.
-- Today's partition keeps its rows and stays one table until the day is over; days made before
-- stay single tables, which DayIndexes handles alike. Plain PostgreSQL only (TimescaleDB has chunks).
DO $$
DECLARE
    today CONSTANT date := (now() AT TIME ZONE 'UTC')::date;
    p record;
    empty boolean;
BEGIN
    IF (SELECT relkind FROM pg_class WHERE oid = 'sightings'::regclass) <> 'p' THEN
        RETURN;
    END IF;
    FOR p IN SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
              WHERE h.inhparent = 'sightings'::regclass AND c.relname ~ '^sightings_[0-9]{8}$'
                AND c.relkind = 'r' AND to_date(substr(c.relname, 11), 'YYYYMMDD') > today LOOP
        EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %I)', p.relname) INTO empty;
        IF empty THEN
            EXECUTE format('DROP TABLE %I', p.relname);
        END IF;
    END LOOP;
END
$$;
