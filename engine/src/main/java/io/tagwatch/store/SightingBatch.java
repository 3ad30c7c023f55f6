package io.tagwatch.store;

import java.util.List;

/**
 * Sightings closed since the previous checkpoint, and the journal position they bring the
 * checkpoint to: committed together or not at all.
 */
public record SightingBatch(List<Sighting> sightings, long journalPosition) {
}
