package io.tagwatch.sim;

/**
 * Maps simulated time onto the wall clock: {@code speed} simulated seconds pass in one real
 * second ({@code speed 60} = an hour a minute). Readers stamp their reads with wall-clock
 * time, so a pass at simulated time {@code s} is stamped {@link #wallAt(long) wallAt(s)}.
 */
public record SimClock(long wallStartMs, long simStartMs, double speed) {
    public SimClock {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed=" + speed + " (must be > 0)");
        }
    }

    public long simAt(long wallMs) {
        return simStartMs + Math.round((wallMs - wallStartMs) * speed);
    }

    public long wallAt(long simMs) {
        return wallStartMs + Math.round((simMs - simStartMs) / speed);
    }
}
