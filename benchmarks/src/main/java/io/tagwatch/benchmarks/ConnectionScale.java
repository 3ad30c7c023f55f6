package io.tagwatch.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.tagwatch.net.NettyTransport;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadEncoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds many concurrent reader connections against an engine in its own JVM and reports the
 * engine's heap per idle connection. The engine runs {@code tagwatch serve} on an embedded
 * PostgreSQL (the class path of this jar); the connections are Netty MQTT clients from
 * several loopback source addresses (127.0.0.2, .3, ...) so ephemeral ports never run short.
 * All connections authenticate as one provisioned reader with distinct client ids (the
 * verified secret is cached, so connecting measures the server, not PBKDF2) and each
 * publishes a small QoS 1 batch now and then, with a 60 s keep-alive.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.tagwatch.benchmarks.ConnectionScale 10000 [50000]}.
 * Heap is read from the engine's {@code /metrics} after {@code jcmd <pid> GC.run}.
 */
public final class ConnectionScale {
    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NettyTransport.ioHandlerFactory());
        try (EngineUnderTest engine = new EngineUnderTest("2g", "--max-connections-per-address", "100000",
                "--max-connections", "200000")) {
            engine.loginAdmin();
            String secret = engine.createReader("SCALE");
            double baseline = heapAfterGc(engine);
            System.out.printf("engine pid %d up; heap after GC with no connections: %.1f MiB%n", engine.pid(),
                    baseline / 1048576.0);
            List<Channel> open = new ArrayList<>();
            for (String a : args.length == 0 ? new String[] {"10000"} : args) {
                int target = Integer.parseInt(a);
                long t0 = System.nanoTime();
                int failed = openUpTo(group, engine.mqttPort, secret, open, target);
                double secs = (System.nanoTime() - t0) / 1e9;
                Thread.sleep(3_000);
                int alive = (int) open.stream().filter(Channel::isActive).count();
                double heap = heapAfterGc(engine);
                System.out.printf("connections %,d open (%,d refused or failed) in %.1f s; engine heap after GC %.1f MiB; "
                                + "%.1f KiB per connection over the empty engine%n",
                        alive, failed, secs, heap / 1048576.0, (heap - baseline) / Math.max(1, alive) / 1024.0);
            }
            open.forEach(Channel::close);
        } finally {
            group.shutdownGracefully();
        }
    }

    private static int openUpTo(EventLoopGroup group, int port, String secret, List<Channel> open, int target)
            throws InterruptedException {
        AtomicInteger failed = new AtomicInteger();
        while (open.size() < target) {
            int batch = Math.min(500, target - open.size());
            CountDownLatch done = new CountDownLatch(batch);
            for (int i = 0; i < batch; i++) {
                int n = open.size();
                String source = "127.0." + (n / 20_000) + "." + (2 + (n / 250) % 250);
                Channel ch = connect(group, port, source, "scale-" + n, secret, done, failed);
                open.add(ch);
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("CONNACKs did not come within 60 s at " + open.size());
            }
        }
        return failed.get();
    }

    private static Channel connect(EventLoopGroup group, int port, String source, String clientId, String secret,
                                   CountDownLatch done, AtomicInteger failed) {
        Bootstrap b = new Bootstrap().group(group).channel(NettyTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(MqttEncoder.INSTANCE, new MqttDecoder(), new SimpleChannelInboundHandler<MqttMessage>() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1)
                                        .clientId(clientId).cleanSession(true).keepAlive(60).username("SCALE")
                                        .password(secret.getBytes(StandardCharsets.UTF_8)).build());
                            }

                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
                                if (m instanceof MqttConnAckMessage ack) {
                                    if (ack.variableHeader().connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                                        failed.incrementAndGet();
                                    }
                                    done.countDown();
                                    schedulePublish(ctx);
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                if (done.getCount() > 0) {
                                    failed.incrementAndGet();
                                    done.countDown();
                                }
                            }
                        });
                    }
                });
        return b.connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(source, 0)).channel();
    }

    /** Now and then: a small QoS 1 batch, and a PINGREQ-free keep-alive thanks to it. */
    private static void schedulePublish(ChannelHandlerContext ctx) {
        long delay = 20 + (long) (Math.random() * 20);
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            ReadBatch b = new ReadBatch(1);
            b.add((long) (Math.random() * 220_000) + 0x9F3A000000L, System.currentTimeMillis(), -60, 1);
            ctx.writeAndFlush(MqttMessageBuilders.publish().topicName("tags/SCALE/reads").qos(MqttQoS.AT_LEAST_ONCE)
                    .messageId(1).retained(false).payload(Unpooled.wrappedBuffer(ReadPayloadEncoder.binary(b))).build());
            schedulePublish(ctx);
        }, delay, TimeUnit.SECONDS);
    }

    private static double heapAfterGc(EngineUnderTest engine) throws Exception {
        for (int i = 0; i < 2; i++) {
            new ProcessBuilder("jcmd", String.valueOf(engine.pid()), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        Thread.sleep(500);
        return engine.scrape().sum("jvm_memory_used_bytes", "area=\"heap\"");
    }
}
