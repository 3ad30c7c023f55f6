package io.tagwatch.registry;

import java.time.Instant;

/**
 * An officer's watchlist entry: a vehicle of interest, why, where (a district, or null for
 * everywhere) and until when.
 */
public record WatchEntry(long id, Vehicle vehicle, String reason, String district, Instant createdAt,
                         Instant expiresAt, String createdBy) {

    /** Whether a read at a reader of {@code readerDistrict} at {@code nowMillis} falls under this entry. */
    public boolean covers(String readerDistrict, long nowMillis) {
        return nowMillis < expiresAt.toEpochMilli() && (district == null || district.equals(readerDistrict));
    }
}
