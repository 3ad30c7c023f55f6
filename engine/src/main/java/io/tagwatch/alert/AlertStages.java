package io.tagwatch.alert;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Where an alert's time goes, stage by stage, as {@code tagwatch_alert_stage_seconds{stage=...}}:
 * <ul>
 *   <li>{@code journal}: the batch's arrival on the event loop to the journal handing it on
 *       (waiting for the match thread to write it, and the write);</li>
 *   <li>{@code queue}: handed on to the match thread starting on the batch (the match thread's
 *       backlog, and its wake-up);</li>
 *   <li>{@code match}: the match thread starting on the batch to raising the hit;</li>
 *   <li>{@code publish}: serialising the alert and queueing it to every subscriber connection.</li>
 * </ul>
 * Recorded only for batches that raise a hit and arrived live (a replayed batch has no arrival
 * time), so it costs nothing per read.
 */
public final class AlertStages {
    private final Timer journal;
    private final Timer queue;
    private final Timer match;
    private final Timer publish;

    AlertStages(MeterRegistry meters) {
        journal = timer(meters, "journal");
        queue = timer(meters, "queue");
        match = timer(meters, "match");
        publish = timer(meters, "publish");
    }

    private static Timer timer(MeterRegistry meters, String stage) {
        return Timer.builder("tagwatch.alert.stage").tag("stage", stage)
                .description("one stage of an alert's path, from the reader's batch arriving to the alert queued to subscribers")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    /**
     * A hit raised at {@code raisedNanos} from a batch that arrived at {@code arrivalNanos}, was
     * handed on by the journal at {@code journaledNanos} and taken by the match thread at
     * {@code matchStartNanos} (all System.nanoTime()); nothing is recorded for a replayed batch.
     */
    public void raised(long arrivalNanos, long journaledNanos, long matchStartNanos, long raisedNanos) {
        if (arrivalNanos == 0 || journaledNanos == 0) {
            return;
        }
        journal.record(journaledNanos - arrivalNanos, TimeUnit.NANOSECONDS);
        queue.record(matchStartNanos - journaledNanos, TimeUnit.NANOSECONDS);
        match.record(raisedNanos - matchStartNanos, TimeUnit.NANOSECONDS);
    }

    void published(long nanos) {
        publish.record(nanos, TimeUnit.NANOSECONDS);
    }
}
