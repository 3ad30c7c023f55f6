package io.tagwatch.store;

/**
 * Sightings closed since the previous checkpoint, and the journal position they bring the
 * checkpoint to: committed together or not at all.
 */
public record SightingBatch(SightingRows sightings, long journalPosition) {
}
