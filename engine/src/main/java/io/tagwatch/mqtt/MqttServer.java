package io.tagwatch.mqtt;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.tagwatch.alert.AlertPublisher;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.journal.Journal;
import io.tagwatch.net.NettyTransport;
import io.tagwatch.registry.ReaderLiveness;
import io.tagwatch.registry.Registry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT 3.1.1 / 5.0 endpoint readers publish to and officers subscribe to alerts on.
 * The entry point of this package; also the {@link AlertPublisher} that fans alerts out to
 * subscribers.
 *
 * <p>Pipeline per connection, in order:
 * <ol>
 *   <li>{@value #IDLE_HANDLER}: closes a connection that sends no CONNECT in time, then (replaced
 *       on CONNECT) one silent past one and a half keep-alive periods;</li>
 *   <li>{@value #ENCODER} / {@value #DECODER}: Netty's MQTT codec, packets bounded by the
 *       configured maximum size;</li>
 *   <li>{@value #CONNECTION}: the connection's state machine.</li>
 * </ol>
 * Connections are accepted on the worker loops (one per core); a subscriber's (a user's, not a
 * reader's) moves to the subscribers' loop — driven by the match thread, which raises the
 * alerts — during its CONNECT, before the CONNACK.
 */
public final class MqttServer implements AlertPublisher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttServer.class);
    static final String LIMITER = "connection-limiter";
    static final String TLS = "tls";
    static final String IDLE_HANDLER = "idle";
    static final String ENCODER = "mqtt-encoder";
    static final String DECODER = "mqtt-decoder";
    static final String CONNECTION = "mqtt-connection";

    private final EngineConfig config;
    private final MqttAuthenticator authenticator;
    private final ReadPublishHandler publishes;
    private final Subscriptions subscriptions;
    private final Map<String, Channel> sessionsByClientId = new ConcurrentHashMap<>();
    private final MqttCounters counters;
    private final ReaderLiveness liveness;
    private final ConnectionLimiter limiter;
    private final ExecutorService authExecutor;
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
    private final EventLoopGroup workers;
    /**
     * Subscribers' connections (officers, consoles) after their CONNECT: alerts are rare and must
     * not wait behind a round of reader traffic on a shared loop. The loop is the match thread's
     * ({@code ingest.MatchThreadIo}), which raises the alerts; it is not this server's to stop.
     */
    private final io.netty.channel.EventLoop subscriberEventLoop;
    private Channel listener;
    private Channel tlsListener;

    public MqttServer(EngineConfig config, Registry registry, Journal journal, ReaderLiveness liveness, MeterRegistry meters,
                      io.netty.channel.EventLoop subscriberEventLoop) {
        this.config = config;
        this.subscriberEventLoop = java.util.Objects.requireNonNull(subscriberEventLoop, "subscriberEventLoop");
        this.authenticator = new MqttAuthenticator(registry);
        this.counters = new MqttCounters(meters);
        this.subscriptions = new Subscriptions(config.sessionQueue(), counters.sessionAlertsDropped);
        meters.gauge("tagwatch.mqtt.sessions", subscriptions, Subscriptions::size);
        io.micrometer.core.instrument.Gauge.builder("tagwatch.mqtt.subscriber.connections", sessionsByClientId,
                        open -> open.values().stream().filter(c -> c.isActive() && c.eventLoop() == subscriberEventLoop).count())
                .description("subscribers' connections (officers, consoles) served on the match thread's event loop")
                .register(meters);
        io.micrometer.core.instrument.FunctionCounter.builder("tagwatch.mqtt.alerts.delivered", subscriptions,
                Subscriptions::delivered).description("alerts handed to subscriber connections").register(meters);
        this.publishes = new ReadPublishHandler(config, journal, counters, liveness, registry.readers());
        // One event loop per core: Netty's default of two per core had four loops on two vCPUs
        // waiting for each other and for the match thread (scheduler statistics, RESULTS.md).
        this.workers = new MultiThreadIoEventLoopGroup(
                config.mqttThreads() > 0 ? config.mqttThreads() : Runtime.getRuntime().availableProcessors(),
                NettyTransport.ioHandlerFactory());
        this.liveness = liveness;
        this.limiter = new ConnectionLimiter(config.maxConnections(), config.maxConnectionsPerAddress(),
                counters.refusedTotalConnections, counters.refusedPerAddress);
        meters.gauge("tagwatch.mqtt.connections", limiter, ConnectionLimiter::total);
        this.authExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "mqtt-auth");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Binds the plain listener and, when a PEM key and certificate are configured, the TLS one.
     *
     * @return the bound plain port (useful when configured as 0)
     * @throws IllegalStateException naming the flag when a port is taken or the key cannot be read
     */
    public int start() {
        Throwable noEpoll = NettyTransport.epollUnavailableCause();
        if (noEpoll != null && System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            log.warn("Netty's native epoll transport did not load ({}); sockets run on Java NIO, slower under load",
                    noEpoll.toString());
        }
        listener = bind(config.mqttPort(), null, "--mqtt-port");
        workers.next().scheduleAtFixedRate(() -> subscriptions.expire(System.currentTimeMillis()), 10, 10, TimeUnit.SECONDS);
        if (config.tlsCert() != null) {
            SslContext tls;
            try {
                tls = SslContextBuilder.forServer(config.tlsCert().toFile(), config.tlsKey().toFile()).build();
            } catch (Exception e) {
                throw new IllegalStateException("cannot use --tls-cert " + config.tlsCert() + " with --tls-key "
                        + config.tlsKey() + ": " + e.getMessage(), e);
            }
            tlsListener = bind(config.tlsPort(), tls, "--tls-port");
        }
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The bound TLS port, or -1 without TLS. */
    public int tlsPort() {
        return tlsListener == null ? -1 : ((InetSocketAddress) tlsListener.localAddress()).getPort();
    }

    private Channel bind(int port, SslContext tls, String flag) {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NettyTransport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(LIMITER, limiter);
                        if (tls != null) {
                            ch.pipeline().addLast(TLS, tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(IDLE_HANDLER, new IdleStateHandler(config.connectTimeout().toMillis(), 0, 0,
                                        TimeUnit.MILLISECONDS))
                                .addLast(ENCODER, MqttEncoder.INSTANCE)
                                .addLast(DECODER, new MqttDecoder(config.maxPacketBytes()))
                                .addLast(CONNECTION, new MqttConnectionHandler(config, authenticator, authExecutor,
                                        publishes, subscriptions, sessionsByClientId, counters, liveness,
                                        subscriberEventLoop));
                    }
                });
        Channel ch;
        try {
            ch = b.bind(new InetSocketAddress(config.bindHost(), port)).sync().channel();
        } catch (Exception e) {
            if (NettyTransport.isAddressInUse(e)) {
                throw new IllegalStateException(flag + " " + port + " is in use: " + e.getMessage(), e);
            }
            throw new IllegalStateException("cannot bind " + flag + " " + port + ": " + e, e);
        }
        log.info("MQTT{} listening on {}:{} ({})", tls != null ? " over TLS" : "", config.bindHost(),
                ((InetSocketAddress) ch.localAddress()).getPort(), NettyTransport.name());
        return ch;
    }

    @Override
    public void publish(String topic, byte[] payload) {
        subscriptions.publish(topic, payload);
    }



    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        if (tlsListener != null) {
            tlsListener.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        authExecutor.shutdownNow();
    }
}
