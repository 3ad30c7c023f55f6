-- The TimescaleDB storage path, all of its DDL in this one migration (its runtime side is
-- io.tagwatch.store.TimescaleStorage). It does nothing unless the timescaledb extension is
-- installed and preloaded (shared_preload_libraries), so plain PostgreSQL keeps the daily
-- partitions of V1. Written from TimescaleDB's documentation (create_hypertable,
-- ALTER TABLE ... SET (timescaledb.compress ...), add_compression_policy); it cannot run on the
-- development machines, which have no TimescaleDB: see docs/operations.md, "Storage paths".
--
-- Chunk interval 1 day: a city writes ~20 million sightings a day, about 2.5 GB with indexes
-- (measured bytes per row, benchmarks/RESULTS.md); TimescaleDB advises that the newest chunk
-- and its indexes fit in a quarter of memory, so one day per chunk suits a 16 GB server, and
-- retention then drops whole days.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
            OR coalesce(current_setting('shared_preload_libraries', true), '') NOT LIKE '%timescaledb%' THEN
        RAISE NOTICE 'TimescaleDB not available: sightings stay in daily partitions';
        RETURN;
    END IF;
    CREATE EXTENSION IF NOT EXISTS timescaledb;

    -- A hypertable cannot be made from a partitioned table: build it anew and move the rows.
    CREATE TABLE sightings_hyper (LIKE sightings INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
    PERFORM create_hypertable('sightings_hyper', 'first_seen', chunk_time_interval => INTERVAL '1 day');
    INSERT INTO sightings_hyper SELECT tag, reader_id, first_seen, last_seen, read_count, best_rssi FROM sightings;
    DROP TABLE sightings;
    ALTER TABLE sightings_hyper RENAME TO sightings;
    CREATE INDEX sightings_tag_time_idx ON sightings (tag, first_seen DESC);
    CREATE INDEX sightings_reader_time_idx ON sightings (reader_id, first_seen DESC);

    -- Compressed after a day, segmented by tag: a vehicle's trajectory reads one segment per chunk.
    ALTER TABLE sightings SET (timescaledb.compress,
        timescaledb.compress_segmentby = 'tag',
        timescaledb.compress_orderby = 'first_seen DESC');
    PERFORM add_compression_policy('sightings', compress_after => INTERVAL '1 day');
    -- No add_retention_policy: it would drop evidence with the rest. Retention is the engine's
    -- scheduled purge (TimescaleStorage.purgeBefore), which keeps evidence and then drop_chunks.
END
$$;
