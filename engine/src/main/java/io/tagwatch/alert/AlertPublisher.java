package io.tagwatch.alert;

/** Somewhere alerts go out: the MQTT server's subscribers (and later SSE, a broker cluster). */
@FunctionalInterface
public interface AlertPublisher {
    /** Publishes without blocking; a slow subscriber must not hold up the caller. */
    void publish(String topic, byte[] payload);
}
