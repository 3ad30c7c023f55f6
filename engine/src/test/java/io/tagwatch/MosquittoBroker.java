package io.tagwatch;

import io.tagwatch.sim.LocalMosquitto;
import java.io.IOException;

/**
 * A Mosquitto broker of the test's own ({@link LocalMosquitto}: Debian's package on a free
 * loopback port, anonymous clients), with no limit on the messages queued for an offline
 * persistent session. The calling test is skipped (failed under CI) when Mosquitto is not installed.
 */
public final class MosquittoBroker {
    private MosquittoBroker() {
    }

    public static LocalMosquitto start() throws IOException, InterruptedException {
        RequiredTools.require("mosquitto", "mosquitto");
        return new LocalMosquitto("max_queued_messages 0\n");
    }
}
