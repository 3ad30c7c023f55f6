package io.tagwatch.sim;

/** A vehicle taken from where it was parked (reader index) at {@code stolenAt}, reported at {@code reportedAt} (simulated ms). */
public record Theft(int vehicle, int reader, long stolenAt, long reportedAt) {
}
