package io.tagwatch.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.tagwatch.alert.AlertPublisher;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber that exists only to compile the alert's way to a subscriber's socket before the
 * first hit: alerts published here go through a private {@link Subscriptions} (its own session,
 * subscribed to {@code alerts/#} at QoS 1 and acknowledging each alert at once, as an officer's does),
 * the MQTT encoder and a real loopback connection of the node's transport, whose other end reads
 * and drops them. Hits are rare, so that code otherwise ran interpreted (benchmarks/RESULTS.md,
 * session 19). Nothing here reaches the node's subscribers, its sessions or its metrics.
 *
 * <p>Not thread-safe: opened, used and closed by one thread, which drives the connection's event
 * loop itself (as the match thread drives the subscribers' loop).
 */
public final class AlertDeliveryWarmUp implements AlertPublisher, AutoCloseable {
    private static final String CLIENT_ID = "alert-delivery-warm-up";
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final ManualIoEventLoop loop;
    private final Channel server;
    private final Channel client;
    private final Subscriptions subscriptions;
    private final Subscriptions.Session session;
    private final long[] received;
    private long published;

    private AlertDeliveryWarmUp(ManualIoEventLoop loop, Channel server, Channel client, long[] received) {
        this.loop = loop;
        this.received = received;
        this.server = server;
        this.client = client;
        Counter dropped = Counter.builder("warm-up.dropped").register(new SimpleMeterRegistry());
        this.subscriptions = new Subscriptions(Subscriptions.MAX_INFLIGHT, dropped);
        this.session = subscriptions.attach(CLIENT_ID, client, true, 0).getKey();
        subscriptions.subscribe(session, "alerts/#", MqttQoS.AT_LEAST_ONCE); // as an officer's console does
    }

    /** Opens the loopback connection on the calling thread, which then owns it. */
    public static AlertDeliveryWarmUp open() {
        ManualIoEventLoop loop = new ManualIoEventLoop(Thread.currentThread(), io.tagwatch.net.NettyTransport.ioHandlerFactory());
        long[] received = new long[1];
        try {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            ChannelFuture bound = new ServerBootstrap()
                    .group(loop)
                    .channel(io.tagwatch.net.NettyTransport.serverSocketChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            received[0] += ((ByteBuf) msg).readableBytes();
                            ReferenceCountUtil.release(msg);
                        }
                    })
                    .bind(new InetSocketAddress(loopback, 0));
            await(loop, bound);
            Channel server = bound.channel();
            // The officer's connection as the MQTT server sets it up, for what an outgoing alert meets.
            ChannelFuture connected = new Bootstrap()
                    .group(loop)
                    .channel(io.tagwatch.net.NettyTransport.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(MqttServer.IDLE_HANDLER, new IdleStateHandler(90_000, 0, 0, TimeUnit.MILLISECONDS))
                                    .addLast(MqttServer.ENCODER, MqttEncoder.INSTANCE);
                        }
                    })
                    .connect(server.localAddress());
            await(loop, connected);
            return new AlertDeliveryWarmUp(loop, server, connected.channel(), received);
        } catch (RuntimeException e) {
            loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            while (!loop.isTerminated()) {
                loop.runNow();
            }
            throw e;
        }
    }

    private static void await(ManualIoEventLoop loop, ChannelFuture f) {
        long until = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
        while (!f.isDone()) {
            if (System.nanoTime() - until > 0) {
                throw new IllegalStateException("alert delivery warm-up: loopback connection not made in 5 s");
            }
            loop.run(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (!f.isSuccess()) {
            throw new IllegalStateException("alert delivery warm-up: loopback connection failed: " + f.cause(), f.cause());
        }
    }

    /** Sends the alert to the private subscriber, which acknowledges it; the other end reads it. */
    @Override
    public void publish(String topic, byte[] payload) {
        subscriptions.publish(topic, payload);
        subscriptions.acknowledged(session, (int) (published++ % 0xFFFF) + 1);
        loop.runNow();
    }

    /** Alerts written to the loopback connection so far. */
    public long delivered() {
        return subscriptions.delivered();
    }

    /** Bytes the other end has read so far: the alerts as MQTT PUBLISH packets. */
    public long bytesReceived() {
        return received[0];
    }

    @Override
    public void close() {
        client.close();
        server.close();
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        long until = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
        while (!loop.isTerminated() && System.nanoTime() - until < 0) {
            loop.run(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
