package io.tagwatch.cli;

import io.tagwatch.config.EngineConfig;
import io.tagwatch.journal.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The engine's flags ({@code serve}), with where the data is ({@link StoreOptions}, which
 * {@code import} takes alone). Each flag {@code --x-y} can also
 * be set as {@code TAGWATCH_X_Y} or as key {@code x-y} in the {@code --config} properties file;
 * the flag wins, then the environment, then the file. This is the configuration reference
 * (docs/operations.md lists the same).
 */
final class EngineOptions {
    /** Where the data is (and {@code --config}): the options {@code import} shares. */
    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--mqtt-port", defaultValue = "1883", description = "MQTT port (default ${DEFAULT-VALUE}).")
    int mqttPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP API and console port (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--admin-password",
            description = "Password of the admin user created at first start (else a random one is printed once).")
    String adminPassword;

    @Option(names = "--max-packet-bytes", defaultValue = "262144", description = "Largest MQTT packet (default ${DEFAULT-VALUE}).")
    int maxPacketBytes;

    @Option(names = "--max-reads-per-batch", defaultValue = "10000", description = "Most reads in one payload (default ${DEFAULT-VALUE}).")
    int maxReadsPerBatch;

    @Option(names = "--max-read-age", defaultValue = "24h",
            description = "Reads older than this are dropped (default ${DEFAULT-VALUE}).")
    Duration maxReadAge;

    @Option(names = "--dedup-window", defaultValue = "30s",
            description = "A (tag, reader) sighting closes after this long without a read (default ${DEFAULT-VALUE}).")
    Duration dedupWindow;

    @Option(names = "--max-open-sightings", defaultValue = "524288",
            description = "Most open (tag, reader) windows held in memory; a read that finds them all in use first closes "
                    + "the least recently read of a few early (default ${DEFAULT-VALUE}; a city's busiest hour needs a few thousand).")
    int maxOpenSightings;

    @Option(names = "--writer-max-pending-rows", defaultValue = "0",
            description = "Backlog held in the heap (closed sightings waiting for the database, plus a third of the "
                    + "journaled reads waiting to be matched) past which reads are no longer acknowledged; "
                    + "0 = one row per 320 bytes of the maximum heap, about an eighth of it (default ${DEFAULT-VALUE}).")
    long writerMaxPendingRows;

    @Option(names = "--max-unmatched-reads", defaultValue = "500000",
            description = "Reads received and waiting for the match thread past which reads are no longer acknowledged, so "
                    + "alerts stay timely when readers send faster than the engine matches (default ${DEFAULT-VALUE}).")
    long maxUnmatchedReads;

    @Option(names = "--mqtt-threads", defaultValue = "0",
            description = "Event loops serving MQTT connections; 0 = one per core (default ${DEFAULT-VALUE}).")
    int mqttThreads;

    @Option(names = "--journal-fsync", defaultValue = "GROUP",
            description = "When the journal forces writes to disk: GROUP (one fsync per group of batches), "
                    + "EVERY_BATCH or NONE (default ${DEFAULT-VALUE}; see docs/operations.md).")
    FsyncPolicy journalFsync;

    @Option(names = "--journal-cap-bytes", defaultValue = "4294967296",
            description = "Journaled bytes not yet in the database past which reads are no longer acknowledged "
                    + "(default ${DEFAULT-VALUE} = 4 GiB).")
    long journalCapBytes;

    @Option(names = "--journal-segment-bytes", defaultValue = "67108864",
            description = "Size of a journal segment file (default ${DEFAULT-VALUE} = 64 MiB).")
    long journalSegmentBytes;

    @Option(names = "--journal-retain-segments", defaultValue = "2",
            description = "Segments already in the database kept before deletion (default ${DEFAULT-VALUE}).")
    int journalRetainSegments;

    @Option(names = "--checkpoint-interval", defaultValue = "2s",
            description = "How often sightings and the journal checkpoint are committed (default ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--connect-timeout", defaultValue = "10s",
            description = "A connection that sends no CONNECT in this time is closed (default ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--max-keep-alive", defaultValue = "300",
            description = "Keep-alive (s) imposed on clients that ask for none or a longer one (default ${DEFAULT-VALUE}).")
    int maxKeepAlive;

    @Option(names = "--max-connections", defaultValue = "100000", description = "Total MQTT connections (default ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-connections-per-address", defaultValue = "1000",
            description = "MQTT connections from one source address (default ${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Option(names = "--inflight-window", defaultValue = "64",
            description = "QoS 1/2 batches of one connection not yet acknowledged before the server stops reading it; "
                    + "the 5.0 Receive Maximum (default ${DEFAULT-VALUE}).")
    int inflightWindow;

    @Option(names = "--reader-publish-rate", defaultValue = "50",
            description = "Publishes a second one reader may sustain before its socket is paused (default ${DEFAULT-VALUE}).")
    int readerPublishRate;

    @Option(names = "--reader-publish-burst", defaultValue = "200",
            description = "Publishes a reader may send at once above its rate (default ${DEFAULT-VALUE}).")
    int readerPublishBurst;

    @Option(names = "--tls-port", defaultValue = "8883", description = "TLS listener port (default ${DEFAULT-VALUE}).")
    int tlsPort;

    @Option(names = "--tls-cert", description = "PEM certificate chain: enables the TLS listener (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM private key (PKCS#8) of the TLS certificate.")
    Path tlsKey;

    @Option(names = "--session-expiry-max", defaultValue = "24h",
            description = "Longest a subscriber's persistent session outlives its connection (default ${DEFAULT-VALUE}).")
    Duration sessionExpiryMax;

    @Option(names = "--session-queue", defaultValue = "1000",
            description = "Alerts kept for an offline persistent session; older ones are dropped (default ${DEFAULT-VALUE}).")
    int sessionQueue;

    @Option(names = "--unregistered-hits", defaultValue = "true", arity = "1",
            description = "A tag no registered vehicle carries raises a low-severity hit (default ${DEFAULT-VALUE}).")
    boolean unregisteredHits;

    @Option(names = "--hit-suppression", defaultValue = "10m",
            description = "The same tag at the same reader raises no new hit within this time (default ${DEFAULT-VALUE}).")
    Duration hitSuppression;

    @Option(names = "--reminder-interval", defaultValue = "5m",
            description = "An unacknowledged stolen or watchlist hit is published again after this long (default ${DEFAULT-VALUE}).")
    Duration reminderInterval;

    @Option(names = "--reminder-max", defaultValue = "3",
            description = "Reminders before an unacknowledged hit escalates (default ${DEFAULT-VALUE}).")
    int reminderMax;

    @Option(names = "--escalation-topic", defaultValue = "alerts/escalation",
            description = "Where escalated hits are published (default ${DEFAULT-VALUE}).")
    String escalationTopic;

    @Option(names = "--cloned-hits", defaultValue = "true", arity = "1",
            description = "A tag at two readers too far apart for the time between raises a hit (default ${DEFAULT-VALUE}).")
    boolean clonedHits;

    @Option(names = "--max-speed-ebike", defaultValue = "60",
            description = "Implied speed (km/h) above which an e-bike's tag counts as cloned (default ${DEFAULT-VALUE}).")
    int maxSpeedEbike;

    @Option(names = "--max-speed-motorcycle", defaultValue = "150",
            description = "The same for motorcycles and unregistered tags (default ${DEFAULT-VALUE}).")
    int maxSpeedMotorcycle;

    @Option(names = "--webhook-url", description = "Also POST every alert as JSON to this URL (HMAC-signed).")
    String webhookUrl;

    @Option(names = "--webhook-secret", description = "Key of the webhook's X-TagWatch-Signature (at least 16 characters).")
    String webhookSecret;

    @Option(names = "--retention-sightings", defaultValue = "30d",
            description = "Sightings of vehicles never in a hit are removed after this long (default ${DEFAULT-VALUE}; "
                    + "see docs/operations.md, Retention).")
    Duration retentionSightings;

    @Option(names = "--retention-evidence", defaultValue = "365d",
            description = "Sightings that are evidence for a hit are kept until its case is closed plus this long "
                    + "(default ${DEFAULT-VALUE}).")
    Duration retentionEvidence;

    @Option(names = "--retention-check-interval", defaultValue = "1h",
            description = "How often day partitions are created ahead and the retention purge runs (default ${DEFAULT-VALUE}).")
    Duration retentionCheckInterval;

    @Option(names = "--ingest",
            description = "Cluster mode: also consume reads from this MQTT broker (cluster), mqtt://host:port or "
                    + "mqtts://host:port, in the shared subscription of --shared-group; alerts are published there too.")
    String ingest;

    @Option(names = "--shared-group", defaultValue = "tagwatch",
            description = "Shared-subscription group of the nodes consuming --ingest: $share/<group>/tags/+/reads "
                    + "(default ${DEFAULT-VALUE}).")
    String sharedGroup;

    @Option(names = "--ingest-user", description = "User name at the --ingest broker.")
    String ingestUser;

    @Option(names = "--ingest-password", description = "Password at the --ingest broker.")
    String ingestPassword;

    @Option(names = "--http-request-timeout", defaultValue = "10s",
            description = "An HTTP request not received in full in this time gets 408 and is closed (default ${DEFAULT-VALUE}).")
    Duration httpRequestTimeout;

    EngineConfig toConfig() {
        try {
            return config();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(inFlagTerms(e.getMessage()), e);
        }
    }

    /**
     * A refusal of the configuration in the terms an operator typed: the configuration's own names
     * ({@code retentionSightings=PT1H must be ...}) as the flags ({@code --retention-sightings=PT1H});
     * a name no flag has stays as it is.
     */
    static String inFlagTerms(String message) {
        java.util.Set<String> flags = new java.util.HashSet<>();
        for (Class<?> c : new Class<?>[] {EngineOptions.class, StoreOptions.class}) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                Option o = f.getAnnotation(Option.class);
                if (o != null) {
                    flags.addAll(java.util.List.of(o.names()));
                }
            }
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b[a-z]+(?:[A-Z][a-z0-9]*)+\\b").matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String flag = "--" + m.group().replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(flags.contains(flag) ? flag : m.group()));
        }
        return m.appendTail(out).toString();
    }

    private EngineConfig config() {
        return store.apply(EngineConfig.builder())
                .bindHost(bind)
                .mqttPort(mqttPort)
                .httpPort(httpPort)
                .adminPassword(adminPassword)
                .maxPacketBytes(maxPacketBytes)
                .maxReadsPerBatch(maxReadsPerBatch)
                .maxReadAge(maxReadAge)
                .dedupWindow(dedupWindow)
                .maxOpenSightings(maxOpenSightings)
                .writerMaxPendingRows(writerMaxPendingRows)
                .maxUnmatchedReads(maxUnmatchedReads)
                .mqttThreads(mqttThreads)
                .journalFsync(journalFsync)
                .journalCapBytes(journalCapBytes)
                .journalSegmentBytes(journalSegmentBytes)
                .journalRetainSegments(journalRetainSegments)
                .checkpointInterval(checkpointInterval)
                .connectTimeout(connectTimeout)
                .maxKeepAlive(maxKeepAlive)
                .maxConnections(maxConnections)
                .maxConnectionsPerAddress(maxConnectionsPerAddress)
                .inflightWindow(inflightWindow)
                .readerPublishRate(readerPublishRate)
                .readerPublishBurst(readerPublishBurst)
                .tlsPort(tlsPort)
                .tlsCert(tlsCert)
                .tlsKey(tlsKey)
                .sessionExpiryMax(sessionExpiryMax)
                .sessionQueue(sessionQueue)
                .unregisteredHits(unregisteredHits)
                .hitSuppression(hitSuppression)
                .reminderInterval(reminderInterval)
                .reminderMax(reminderMax)
                .escalationTopic(escalationTopic)
                .clonedHits(clonedHits)
                .maxSpeedEbikeKmh(maxSpeedEbike)
                .maxSpeedMotorcycleKmh(maxSpeedMotorcycle)
                .webhookUrl(webhookUrl)
                .webhookSecret(webhookSecret)
                .retentionSightings(retentionSightings)
                .retentionEvidence(retentionEvidence)
                .retentionCheckInterval(retentionCheckInterval)
                .ingestUrl(ingest)
                .sharedGroup(sharedGroup)
                .ingestUser(ingestUser)
                .ingestPassword(ingestPassword)
                .httpRequestTimeout(httpRequestTimeout)
                .build();
    }
}
