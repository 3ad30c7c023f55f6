package io.tagwatch.ingest;

/** A consistent-enough view of the pipeline's counters, for progress lines and metrics. */
public record IngestStats(long batches, long reads, long sightingsOpened,
                          long sightingsClosed, long hits, int openWindows, long windowOverflows,
                          long queuedBatches) {
}
