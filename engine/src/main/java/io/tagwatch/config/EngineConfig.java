package io.tagwatch.config;

import io.tagwatch.journal.FsyncPolicy;
import io.tagwatch.journal.JournalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The engine's whole configuration: one immutable, validated value built at start
 * (by the command line from flags, {@code TAGWATCH_*} environment variables and an optional
 * config file) and passed into constructors. Nothing reads configuration anywhere else.
 *
 * @param bindHost           address the MQTT and HTTP listeners bind to
 * @param mqttPort           MQTT listener port (0 = any free port, for tests)
 * @param httpPort           HTTP API port (0 = any free port, for tests)
 * @param dataDir            directory for the embedded database and the journal
 * @param dbUrl              JDBC URL of an external PostgreSQL; null = embedded PostgreSQL under dataDir
 * @param dbUser             user for dbUrl
 * @param dbPassword         password for dbUrl
 * @param adminPassword      password of the {@code admin} user created at first start; null = random, printed once
 * @param maxPacketBytes     largest MQTT packet accepted
 * @param maxReadsPerBatch   most reads in one {@code tags/{id}/reads} payload
 * @param maxReadAge         a read older than this (reader clock against receive time) is dropped
 * @param maxReadFuture      a read stamped further than this in the future is dropped
 * @param dedupWindow        a (tag, reader) sighting closes after this long without a read
 * @param maxOpenSightings   bound on open (tag, reader) windows held in memory
 * @param writerBatchRows    sighting writer flushes at this many rows...
 * @param writerFlushInterval ...or after this long, whichever comes first
 * @param writerMaxPendingRows closed sightings waiting for the writer past which reads are no longer
 *                           acknowledged (the heap's bound on the writer's backlog); 0 = one row per
 *                           {@value #HEAP_BYTES_PER_PENDING_ROW} bytes of the maximum heap (about an eighth of
 *                           it: a pending sighting is ~40 bytes in columns)
 * @param maxUnmatchedReads  reads received and waiting for the match thread past which reads are no longer
 *                           acknowledged: bounds how late an alert can be when readers send faster than
 *                           the engine matches (500,000 reads is 0.25-0.5 s of matching on 2 vCPUs)
 * @param mqttThreads        Netty event loops of the MQTT listeners; 0 = one per core (Netty's own default,
 *                           twice that, cost 10 points of CPU and the alert p99 at half rate: RESULTS.md)
 * @param tokenTtl           lifetime of an API bearer token
 * @param journalFsync       when the journal forces writes to disk: GROUP, EVERY_BATCH or NONE
 * @param journalSegmentBytes size past which a journal segment file is closed
 * @param journalCapBytes    journaled bytes after the checkpoint past which reads are no longer acknowledged
 * @param journalRetainSegments checkpointed segments kept before deletion
 * @param checkpointInterval how often the journal checkpoint (dedup snapshot + sightings) is taken
 * @param connectTimeout     a TCP connection that sends no CONNECT in this time is closed
 * @param maxKeepAlive       keep-alive imposed on clients asking for none or a longer one (seconds)
 * @param maxConnections     total MQTT connections
 * @param maxConnectionsPerAddress MQTT connections from one source address
 * @param inflightWindow     QoS 1/2 reads of one connection received and not yet acknowledged (5.0 Receive Maximum)
 * @param readerPublishRate  publishes a second one reader may sustain (token bucket)...
 * @param readerPublishBurst ...and save up
 * @param tlsPort            TLS listener port, used when tlsCert and tlsKey are set
 * @param tlsCert            PEM certificate (chain) of the TLS listener, or null for no TLS
 * @param tlsKey             PEM private key (PKCS#8) of the TLS listener
 * @param sessionExpiryMax   longest a subscriber's persistent session outlives its connection
 * @param sessionQueue       alerts queued for an offline persistent session; the oldest are dropped past it
 * @param unregisteredHits   a tag no registered vehicle carries raises a low-severity "unregistered" hit
 * @param hitSuppression     the same tag at the same reader raises no new hit within this time
 * @param reminderInterval   an unacknowledged stolen or watchlist hit is published again after this long...
 * @param reminderMax        ...at most this many times, then escalated
 * @param escalationTopic    where escalated hits are published
 * @param clonedHits         the same tag at two readers too far apart for the time between raises a hit
 * @param maxSpeedEbikeKmh   implied speed above which an e-bike's tag counts as cloned
 * @param maxSpeedMotorcycleKmh the same for motorcycles (and unregistered tags)
 * @param webhookUrl         where alerts are also POSTed, or null
 * @param webhookSecret      HMAC-SHA256 key of the webhook's signature header
 * @param retentionSightings sightings of vehicles in no hit are removed this long after they started
 * @param retentionEvidence  sightings that are evidence for a hit are kept until its case closed plus this long
 * @param retentionCheckInterval how often the storage maintenance runs (day partitions ahead, retention purge)
 * @param idCardKey          HMAC-SHA256 key of owners' ID-card numbers; null = ID-card numbers are refused
 * @param ingestUrl          cluster mode: the MQTT broker (cluster) to consume reads from,
 *                           {@code mqtt://host:port} or {@code mqtts://host:port}; null = none
 * @param sharedGroup        the shared-subscription group the nodes consume {@code $share/<group>/tags/+/reads} in
 * @param ingestUser         user name at the broker (null = none)
 * @param ingestPassword     password at the broker
 * @param httpRequestTimeout longest an HTTP request may take to arrive in full (a slower one gets 408)
 */
public record EngineConfig(
        String bindHost,
        int mqttPort,
        int httpPort,
        Path dataDir,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String adminPassword,
        int maxPacketBytes,
        int maxReadsPerBatch,
        Duration maxReadAge,
        Duration maxReadFuture,
        Duration dedupWindow,
        int maxOpenSightings,
        int writerBatchRows,
        Duration writerFlushInterval,
        long writerMaxPendingRows,
        long maxUnmatchedReads,
        int mqttThreads,
        Duration tokenTtl,
        FsyncPolicy journalFsync,
        long journalSegmentBytes,
        long journalCapBytes,
        int journalRetainSegments,
        Duration checkpointInterval,
        Duration connectTimeout,
        int maxKeepAlive,
        int maxConnections,
        int maxConnectionsPerAddress,
        int inflightWindow,
        int readerPublishRate,
        int readerPublishBurst,
        int tlsPort,
        Path tlsCert,
        Path tlsKey,
        Duration sessionExpiryMax,
        int sessionQueue,
        boolean unregisteredHits,
        Duration hitSuppression,
        Duration reminderInterval,
        int reminderMax,
        String escalationTopic,
        boolean clonedHits,
        int maxSpeedEbikeKmh,
        int maxSpeedMotorcycleKmh,
        String webhookUrl,
        String webhookSecret,
        Duration retentionSightings,
        Duration retentionEvidence,
        Duration retentionCheckInterval,
        String idCardKey,
        String ingestUrl,
        String sharedGroup,
        String ingestUser,
        String ingestPassword,
        Duration httpRequestTimeout) {
    /**
     * Heap bytes per row of the default writer backlog bound: an eighth of the heap at about 40 bytes
     * a closed sighting held in columns (was 512 while each was an object of ~64 bytes).
     */
    public static final int HEAP_BYTES_PER_PENDING_ROW = 320;

    public static final int DEFAULT_MQTT_PORT = 1883;
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_MAX_PACKET_BYTES = 256 * 1024;
    public static final int DEFAULT_MAX_READS_PER_BATCH = 10_000;

    public EngineConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(dataDir, "dataDir");
        requirePort("mqttPort", mqttPort);
        requirePort("httpPort", httpPort);
        if (mqttPort != 0 && mqttPort == httpPort) {
            throw new IllegalArgumentException("mqttPort and httpPort are both " + mqttPort);
        }
        if (dbUrl != null && dbUrl.isBlank()) {
            dbUrl = null;
        }
        if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("dbUrl must start with jdbc:postgresql: but was " + dbUrl);
        }
        requirePositive("maxPacketBytes", maxPacketBytes);
        requirePositive("maxReadsPerBatch", maxReadsPerBatch);
        requirePositive("maxOpenSightings", maxOpenSightings);
        requirePositive("writerBatchRows", writerBatchRows);
        requirePositive("maxReadAge", maxReadAge);
        requirePositive("maxReadFuture", maxReadFuture);
        requirePositive("dedupWindow", dedupWindow);
        requirePositive("writerFlushInterval", writerFlushInterval);
        if (writerMaxPendingRows < 0) {
            throw new IllegalArgumentException("writerMaxPendingRows must be 0 (from the heap) or positive: " + writerMaxPendingRows);
        }
        if (maxUnmatchedReads < 1) {
            throw new IllegalArgumentException("maxUnmatchedReads must be positive: " + maxUnmatchedReads);
        }
        if (mqttThreads < 0) {
            throw new IllegalArgumentException("mqttThreads must be 0 (one per core) or positive: " + mqttThreads);
        }
        requirePositive("tokenTtl", tokenTtl);
        requirePositive("httpRequestTimeout", httpRequestTimeout);
        requirePositive("checkpointInterval", checkpointInterval);
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("maxKeepAlive", maxKeepAlive);
        requirePositive("maxConnections", maxConnections);
        requirePositive("maxConnectionsPerAddress", maxConnectionsPerAddress);
        requirePositive("readerPublishRate", readerPublishRate);
        requirePositive("readerPublishBurst", readerPublishBurst);
        if (inflightWindow < 1 || inflightWindow > 65535) {
            throw new IllegalArgumentException("inflightWindow=" + inflightWindow + " must be 1..65535");
        }
        requirePort("tlsPort", tlsPort);
        requirePositive("sessionExpiryMax", sessionExpiryMax);
        requirePositive("sessionQueue", sessionQueue);
        requirePositive("hitSuppression", hitSuppression);
        requirePositive("reminderInterval", reminderInterval);
        if (webhookUrl != null && webhookUrl.isBlank()) {
            webhookUrl = null;
        }
        if (webhookUrl != null && !(webhookUrl.startsWith("http://") || webhookUrl.startsWith("https://"))) {
            throw new IllegalArgumentException("webhookUrl=" + webhookUrl + " must be an http:// or https:// URL");
        }
        if (webhookUrl != null && (webhookSecret == null || webhookSecret.length() < 16)) {
            throw new IllegalArgumentException("webhookSecret must be at least 16 characters when webhookUrl is set");
        }
        requirePositive("maxSpeedEbikeKmh", maxSpeedEbikeKmh);
        requirePositive("maxSpeedMotorcycleKmh", maxSpeedMotorcycleKmh);
        if (reminderMax < 0) {
            throw new IllegalArgumentException("reminderMax=" + reminderMax + " must not be negative");
        }
        if (escalationTopic == null || !escalationTopic.startsWith("alerts/") || escalationTopic.length() <= 7
                || escalationTopic.indexOf('/', 7) >= 0 || escalationTopic.contains("+") || escalationTopic.contains("#")) {
            throw new IllegalArgumentException("escalationTopic=" + escalationTopic
                    + " must be alerts/<name> (officers subscribe to alerts/...)");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tlsCert and tlsKey go together: tlsCert=" + tlsCert + " tlsKey=" + tlsKey);
        }
        new JournalOptions(journalSegmentBytes, journalCapBytes, journalRetainSegments, journalFsync); // validates
        requirePositive("retentionSightings", retentionSightings);
        requirePositive("retentionEvidence", retentionEvidence);
        requirePositive("retentionCheckInterval", retentionCheckInterval);
        if (retentionSightings.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("retentionSightings=" + retentionSightings
                    + " must be at least a day (sightings are removed by whole days)");
        }
        if (idCardKey != null && idCardKey.isBlank()) {
            idCardKey = null;
        }
        if (idCardKey != null && idCardKey.length() < 16) {
            throw new IllegalArgumentException("idCardKey must be at least 16 characters");
        }
        if (ingestUrl != null && ingestUrl.isBlank()) {
            ingestUrl = null;
        }
        if (ingestUrl != null && !ingestUrl.matches("mqtts?://[^/:]+:[0-9]{1,5}/?")) {
            throw new IllegalArgumentException("ingestUrl=" + ingestUrl + " must be mqtt://host:port or mqtts://host:port");
        }
        if (sharedGroup == null || !sharedGroup.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("sharedGroup=" + sharedGroup
                    + " must be 1 to 64 letters, digits, '_', '.' or '-' (it is a topic level)");
        }
    }

    /** {@link #writerMaxPendingRows}, with 0 resolved against this JVM's maximum heap. */
    public long writerPendingCap() {
        return writerMaxPendingRows > 0 ? writerMaxPendingRows : Math.max(10_000L, Runtime.getRuntime().maxMemory() / HEAP_BYTES_PER_PENDING_ROW);
    }

    /** The journal's settings as the journal package takes them. */
    public JournalOptions journalOptions() {
        return new JournalOptions(journalSegmentBytes, journalCapBytes, journalRetainSegments, journalFsync);
    }

    /** Defaults for everything; the data directory is {@code ./data}. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.bindHost = bindHost;
        b.mqttPort = mqttPort;
        b.httpPort = httpPort;
        b.dataDir = dataDir;
        b.dbUrl = dbUrl;
        b.dbUser = dbUser;
        b.dbPassword = dbPassword;
        b.adminPassword = adminPassword;
        b.maxPacketBytes = maxPacketBytes;
        b.maxReadsPerBatch = maxReadsPerBatch;
        b.maxReadAge = maxReadAge;
        b.maxReadFuture = maxReadFuture;
        b.dedupWindow = dedupWindow;
        b.maxOpenSightings = maxOpenSightings;
        b.writerBatchRows = writerBatchRows;
        b.writerFlushInterval = writerFlushInterval;
        b.writerMaxPendingRows = writerMaxPendingRows;
        b.maxUnmatchedReads = maxUnmatchedReads;
        b.mqttThreads = mqttThreads;
        b.tokenTtl = tokenTtl;
        b.journalFsync = journalFsync;
        b.journalSegmentBytes = journalSegmentBytes;
        b.journalCapBytes = journalCapBytes;
        b.journalRetainSegments = journalRetainSegments;
        b.checkpointInterval = checkpointInterval;
        b.connectTimeout = connectTimeout;
        b.maxKeepAlive = maxKeepAlive;
        b.maxConnections = maxConnections;
        b.maxConnectionsPerAddress = maxConnectionsPerAddress;
        b.inflightWindow = inflightWindow;
        b.readerPublishRate = readerPublishRate;
        b.readerPublishBurst = readerPublishBurst;
        b.tlsPort = tlsPort;
        b.tlsCert = tlsCert;
        b.tlsKey = tlsKey;
        b.sessionExpiryMax = sessionExpiryMax;
        b.sessionQueue = sessionQueue;
        b.unregisteredHits = unregisteredHits;
        b.hitSuppression = hitSuppression;
        b.reminderInterval = reminderInterval;
        b.reminderMax = reminderMax;
        b.escalationTopic = escalationTopic;
        b.clonedHits = clonedHits;
        b.maxSpeedEbikeKmh = maxSpeedEbikeKmh;
        b.maxSpeedMotorcycleKmh = maxSpeedMotorcycleKmh;
        b.webhookUrl = webhookUrl;
        b.webhookSecret = webhookSecret;
        b.retentionSightings = retentionSightings;
        b.retentionEvidence = retentionEvidence;
        b.retentionCheckInterval = retentionCheckInterval;
        b.idCardKey = idCardKey;
        b.ingestUrl = ingestUrl;
        b.sharedGroup = sharedGroup;
        b.ingestUser = ingestUser;
        b.ingestPassword = ingestPassword;
        b.httpRequestTimeout = httpRequestTimeout;
        return b;
    }

    private static void requirePort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + "=" + port + " is not a TCP port");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + "=" + value + " must be positive");
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + "=" + value + " must be a positive duration");
        }
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String bindHost = "0.0.0.0";
        private int mqttPort = DEFAULT_MQTT_PORT;
        private int httpPort = DEFAULT_HTTP_PORT;
        private Path dataDir = Path.of("data");
        private String dbUrl;
        private String dbUser;
        private String dbPassword;
        private String adminPassword;
        private int maxPacketBytes = DEFAULT_MAX_PACKET_BYTES;
        private int maxReadsPerBatch = DEFAULT_MAX_READS_PER_BATCH;
        private Duration maxReadAge = Duration.ofDays(1);
        private Duration maxReadFuture = Duration.ofMinutes(5);
        private Duration dedupWindow = Duration.ofSeconds(30);
        private int maxOpenSightings = 1 << 19;
        private int writerBatchRows = 5_000;
        private Duration writerFlushInterval = Duration.ofMillis(500);
        private long writerMaxPendingRows = 0;
        private long maxUnmatchedReads = 500_000;
        private int mqttThreads = 0;
        private Duration tokenTtl = Duration.ofHours(12);
        private FsyncPolicy journalFsync = FsyncPolicy.GROUP;
        private long journalSegmentBytes = 64L << 20;
        private long journalCapBytes = 4L << 30;
        private int journalRetainSegments = 2;
        private Duration checkpointInterval = Duration.ofSeconds(2);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxKeepAlive = 300;
        private int maxConnections = 100_000;
        private int maxConnectionsPerAddress = 1_000;
        private int inflightWindow = 64;
        private int readerPublishRate = 50;
        private int readerPublishBurst = 200;
        private int tlsPort = 8883;
        private Path tlsCert;
        private Path tlsKey;
        private Duration sessionExpiryMax = Duration.ofDays(1);
        private int sessionQueue = 1_000;
        private boolean unregisteredHits = true;
        private Duration hitSuppression = Duration.ofMinutes(10);
        private Duration reminderInterval = Duration.ofMinutes(5);
        private int reminderMax = 3;
        private String escalationTopic = "alerts/escalation";
        private boolean clonedHits = true;
        private int maxSpeedEbikeKmh = 60;
        private int maxSpeedMotorcycleKmh = 150;
        private String webhookUrl;
        private String webhookSecret;
        private Duration retentionSightings = Duration.ofDays(30);
        private Duration retentionEvidence = Duration.ofDays(365);
        private Duration retentionCheckInterval = Duration.ofHours(1);
        private String idCardKey;
        private String ingestUrl;
        private String sharedGroup = "tagwatch";
        private String ingestUser;
        private String ingestPassword;
        private Duration httpRequestTimeout = Duration.ofSeconds(10);

        public Builder bindHost(String v) { bindHost = v; return this; }
        public Builder mqttPort(int v) { mqttPort = v; return this; }
        public Builder httpPort(int v) { httpPort = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder dbUrl(String v) { dbUrl = v; return this; }
        public Builder dbUser(String v) { dbUser = v; return this; }
        public Builder dbPassword(String v) { dbPassword = v; return this; }
        public Builder adminPassword(String v) { adminPassword = v; return this; }
        public Builder maxPacketBytes(int v) { maxPacketBytes = v; return this; }
        public Builder maxReadsPerBatch(int v) { maxReadsPerBatch = v; return this; }
        public Builder maxReadAge(Duration v) { maxReadAge = v; return this; }
        public Builder maxReadFuture(Duration v) { maxReadFuture = v; return this; }
        public Builder dedupWindow(Duration v) { dedupWindow = v; return this; }
        public Builder maxOpenSightings(int v) { maxOpenSightings = v; return this; }
        public Builder writerBatchRows(int v) { writerBatchRows = v; return this; }
        public Builder writerFlushInterval(Duration v) { writerFlushInterval = v; return this; }
        public Builder writerMaxPendingRows(long v) { writerMaxPendingRows = v; return this; }
        public Builder maxUnmatchedReads(long v) { maxUnmatchedReads = v; return this; }
        public Builder mqttThreads(int v) { mqttThreads = v; return this; }
        public Builder tokenTtl(Duration v) { tokenTtl = v; return this; }
        public Builder journalFsync(FsyncPolicy v) { journalFsync = v; return this; }
        public Builder journalSegmentBytes(long v) { journalSegmentBytes = v; return this; }
        public Builder journalCapBytes(long v) { journalCapBytes = v; return this; }
        public Builder journalRetainSegments(int v) { journalRetainSegments = v; return this; }
        public Builder checkpointInterval(Duration v) { checkpointInterval = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder maxKeepAlive(int v) { maxKeepAlive = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxConnectionsPerAddress(int v) { maxConnectionsPerAddress = v; return this; }
        public Builder inflightWindow(int v) { inflightWindow = v; return this; }
        public Builder readerPublishRate(int v) { readerPublishRate = v; return this; }
        public Builder readerPublishBurst(int v) { readerPublishBurst = v; return this; }
        public Builder tlsPort(int v) { tlsPort = v; return this; }
        public Builder tlsCert(Path v) { tlsCert = v; return this; }
        public Builder tlsKey(Path v) { tlsKey = v; return this; }
        public Builder sessionExpiryMax(Duration v) { sessionExpiryMax = v; return this; }
        public Builder sessionQueue(int v) { sessionQueue = v; return this; }
        public Builder unregisteredHits(boolean v) { unregisteredHits = v; return this; }
        public Builder hitSuppression(Duration v) { hitSuppression = v; return this; }
        public Builder reminderInterval(Duration v) { reminderInterval = v; return this; }
        public Builder reminderMax(int v) { reminderMax = v; return this; }
        public Builder escalationTopic(String v) { escalationTopic = v; return this; }
        public Builder clonedHits(boolean v) { clonedHits = v; return this; }
        public Builder maxSpeedEbikeKmh(int v) { maxSpeedEbikeKmh = v; return this; }
        public Builder maxSpeedMotorcycleKmh(int v) { maxSpeedMotorcycleKmh = v; return this; }
        public Builder webhookUrl(String v) { webhookUrl = v; return this; }
        public Builder webhookSecret(String v) { webhookSecret = v; return this; }
        public Builder retentionSightings(Duration v) { retentionSightings = v; return this; }
        public Builder retentionEvidence(Duration v) { retentionEvidence = v; return this; }
        public Builder retentionCheckInterval(Duration v) { retentionCheckInterval = v; return this; }
        public Builder idCardKey(String v) { idCardKey = v; return this; }
        public Builder ingestUrl(String v) { ingestUrl = v; return this; }
        public Builder sharedGroup(String v) { sharedGroup = v; return this; }
        public Builder ingestUser(String v) { ingestUser = v; return this; }
        public Builder ingestPassword(String v) { ingestPassword = v; return this; }
        public Builder httpRequestTimeout(Duration v) { httpRequestTimeout = v; return this; }

        public EngineConfig build() {
            return new EngineConfig(bindHost, mqttPort, httpPort, dataDir, dbUrl, dbUser, dbPassword,
                    adminPassword, maxPacketBytes, maxReadsPerBatch, maxReadAge, maxReadFuture,
                    dedupWindow, maxOpenSightings, writerBatchRows, writerFlushInterval, writerMaxPendingRows, maxUnmatchedReads,
                    mqttThreads, tokenTtl,
                    journalFsync, journalSegmentBytes, journalCapBytes, journalRetainSegments, checkpointInterval,
                    connectTimeout, maxKeepAlive, maxConnections, maxConnectionsPerAddress, inflightWindow,
                    readerPublishRate, readerPublishBurst, tlsPort, tlsCert, tlsKey, sessionExpiryMax, sessionQueue,
                    unregisteredHits, hitSuppression, reminderInterval, reminderMax, escalationTopic,
                    clonedHits, maxSpeedEbikeKmh, maxSpeedMotorcycleKmh, webhookUrl, webhookSecret,
                    retentionSightings, retentionEvidence, retentionCheckInterval, idCardKey,
                    ingestUrl, sharedGroup, ingestUser, ingestPassword,
                    httpRequestTimeout);
        }
    }
}
