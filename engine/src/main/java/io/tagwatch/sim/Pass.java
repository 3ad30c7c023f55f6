package io.tagwatch.sim;

/**
 * A vehicle passing a reader: {@code time} is the simulated moment (ms) it is nearest the
 * pole. {@code listed} is true when the vehicle is on the stolen list at that moment, so the
 * engine must raise a hit for this pass; {@code thief} when a thief is riding it.
 */
public record Pass(int vehicle, int reader, long time, boolean thief, boolean listed) {
}
