package io.tagwatch.mqtt;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.tagwatch.alert.AlertPublisher;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.journal.Journal;
import io.tagwatch.registry.Registry;
import java.net.BindException;
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
 */
public final class MqttServer implements AlertPublisher, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttServer.class);
    static final String IDLE_HANDLER = "idle";
    static final String ENCODER = "mqtt-encoder";
    static final String DECODER = "mqtt-decoder";
    static final String CONNECTION = "mqtt-connection";
    static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final EngineConfig config;
    private final MqttAuthenticator authenticator;
    private final ReadPublishHandler publishes;
    private final Subscriptions subscriptions = new Subscriptions();
    private final Map<String, Channel> sessionsByClientId = new ConcurrentHashMap<>();
    private final MqttCounters counters;
    private final ExecutorService authExecutor;
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private Channel listener;

    public MqttServer(EngineConfig config, Registry registry, Journal journal, MeterRegistry meters) {
        this.config = config;
        this.authenticator = new MqttAuthenticator(registry);
        this.counters = new MqttCounters(meters);
        this.publishes = new ReadPublishHandler(config, journal, counters);
        this.authExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "mqtt-auth");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Binds the listener.
     *
     * @return the bound port (useful when configured as 0)
     * @throws IllegalStateException naming {@code --mqtt-port} when the port is taken
     */
    public int start() {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(IDLE_HANDLER, new IdleStateHandler(CONNECT_TIMEOUT_SECONDS, 0, 0))
                                .addLast(ENCODER, MqttEncoder.INSTANCE)
                                .addLast(DECODER, new MqttDecoder(config.maxPacketBytes()))
                                .addLast(CONNECTION, new MqttConnectionHandler(config, authenticator, authExecutor,
                                        publishes, subscriptions, sessionsByClientId, counters));
                    }
                });
        try {
            listener = b.bind(new InetSocketAddress(config.bindHost(), config.mqttPort())).sync().channel();
        } catch (Exception e) {
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new IllegalStateException("--mqtt-port " + config.mqttPort() + " is in use: " + e.getMessage(), e);
            }
            throw new IllegalStateException("cannot bind --mqtt-port " + config.mqttPort() + ": " + e, e);
        }
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        log.info("MQTT listening on {}:{}", config.bindHost(), port);
        return port;
    }

    @Override
    public void publish(String topic, byte[] payload) {
        subscriptions.publish(topic, payload);
    }

    /** Alerts handed to subscriber connections so far. */
    public long alertsDelivered() {
        return subscriptions.delivered();
    }

    public int connections() {
        return counters.connections.get();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        authExecutor.shutdownNow();
    }
}
