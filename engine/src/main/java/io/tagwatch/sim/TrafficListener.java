package io.tagwatch.sim;

/** Receives the city's events from {@link TrafficModel#advance}, in simulated-time order, on the caller's thread. */
public interface TrafficListener {
    /** A vehicle passed a reader. */
    void pass(Pass pass);

    /** The owner reported the theft: from now on each pass of the vehicle must raise a hit. */
    void theftReported(Theft theft);
}
