package io.tagwatch.registry;

import java.time.Instant;

/** An open theft report and the stolen vehicle. */
public record OpenTheft(long theftReportId, Instant reportedAt, Vehicle vehicle) {
}
