package io.tagwatch.alert;

import java.util.UUID;

/**
 * A listed vehicle seen by a reader, with the evidence: which list (and its version), which
 * rule, the reader, the reader's time and the receive time, the rssi. {@code watchlistId} and
 * {@code note} (the entry's reason) are set for watchlist hits; ids are 0 when not applicable.
 */
public record Hit(
        UUID id,
        String listKind,
        long listVersion,
        String rule,
        long tag,
        long vehicleId,
        long theftReportId,
        String plate,
        String vehicleKind,
        String brand,
        String color,
        String readerId,
        String readerName,
        double lat,
        double lon,
        String district,
        long readerTime,
        long receivedAt,
        int rssi,
        long watchlistId,
        String note) {
}
