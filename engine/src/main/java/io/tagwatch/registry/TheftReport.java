package io.tagwatch.registry;

import java.time.Instant;

/** A theft report as its owner sees it: {@code status} open, recovered or closed; {@code closedAt} null while open. */
public record TheftReport(long id, String status, Instant reportedAt, Instant closedAt) {
}
