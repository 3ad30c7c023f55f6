package io.tagwatch.ingest;

import io.netty.channel.IoEventLoop;
import io.netty.channel.ManualIoEventLoop;
import io.tagwatch.net.NettyTransport;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscribers' MQTT connections (officers, consoles) served on the match thread itself: a
 * Netty event loop ({@link ManualIoEventLoop}) the thread drives between batches. An alert
 * raised while matching is written to the officer's socket there and then, with no hand-off to
 * another thread: waking a loop of the subscribers' own cost an alert 4.1 ms at p99 at half
 * rate on two busy vCPUs (benchmarks/RESULTS.md, session 8). The thread waits for work in the
 * loop's select, so a batch appended to the journal, an officer's packet and a task
 * queued by another thread (a reminder's alert, a connection moving in) all wake it.
 */
final class MatchThreadIo {
    private static final Logger log = LoggerFactory.getLogger(MatchThreadIo.class);
    /** While matching goes on without a pause, the connections are served at least this often. */
    static final long SERVE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ManualIoEventLoop loop = new ManualIoEventLoop(null, NettyTransport.ioHandlerFactory());
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final Runnable clearSignal = () -> signalled.set(false);
    private long lastServed;

    /** The event loop subscribers' connections move to. */
    IoEventLoop eventLoop() {
        return loop;
    }

    /** Once, before the match thread starts. */
    void ownedBy(Thread matchThread) {
        loop.setOwningThread(matchThread);
    }

    /**
     * Any thread: there is work for the match thread. A queued task, not a bare wake-up of the
     * selector, so a signal given just before the thread blocks is not lost; one at a time.
     */
    void signal() {
        if (signalled.compareAndSet(false, true)) {
            loop.execute(clearSignal);
        }
    }

    /** Match thread, nothing to match: serves the connections, waiting up to {@code nanos} for I/O, a task or a signal. */
    void idle(long nanos) {
        serve(nanos);
        lastServed = System.nanoTime();
    }

    /** Match thread, between turns of matching: serves what is ready, when it was last served a while ago. */
    void serveIfDue() {
        long now = System.nanoTime();
        if (now - lastServed >= SERVE_EVERY_NANOS) {
            serve(0);
            lastServed = now;
        }
    }

    /** One round of the loop; whatever it throws stays here: officers' connections never stop the matching. */
    private void serve(long waitNanos) {
        try {
            if (waitNanos > 0) {
                loop.run(waitNanos);
            } else {
                loop.runNow();
            }
        } catch (RuntimeException e) {
            log.warn("subscribers' connections: a round of their event loop failed, matching goes on", e);
            LockSupport.parkNanos(Math.min(Math.max(waitNanos, SERVE_EVERY_NANOS), TimeUnit.MILLISECONDS.toNanos(10)));
        }
    }

    /** Match thread, last of all: closes the connections still open and stops the loop (at most ~2 s). */
    void shutDown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!loop.isTerminated() && System.nanoTime() - until < 0) {
            serve(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
