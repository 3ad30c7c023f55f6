package io.tagwatch.benchmarks;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.tagwatch.read.ReadBatch;
import io.tagwatch.read.ReadPayloadEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load generator: reader connections (Netty MQTT 3.1.1) that publish binary v1 read
 * batches at QoS 1, each keeping up to {@code window} messages unacknowledged, either as fast
 * as PUBACKs come back or at a fixed total rate. A batch of {@code readsPerMessage} reads is
 * made of passes of four reads of one tag (a burst, as a reader sees a vehicle) over 220,000
 * registered tags, stamped with the current time; a pass goes on in the connection's next
 * messages when a message holds fewer reads (scenario (a): four one-read messages a pass).
 * Counts what was acknowledged.
 *
 * <p>Each connection's state lives on its event loop; the counters are shared atomics.
 */
final class LoadPublisher implements AutoCloseable {
    static final long FIRST_TAG = 0x9F3A000000L;
    static final int FLEET = 220_000;
    /** The paced generator's tick: each connection publishes what it owes once a millisecond. */
    static final long PACE_TICK_NANOS = 1_000_000;

    private final List<Conn> conns = new ArrayList<>();
    final AtomicLong messagesAcked = new AtomicLong();
    final AtomicLong readsAcked = new AtomicLong();

    /** {@code credentials[i] = {user, password}}; the topic is {@code tags/{user}/reads}. */
    LoadPublisher(EventLoopGroup group, int port, List<String[]> credentials, int readsPerMessage, int window)
            throws InterruptedException {
        CountDownLatch connected = new CountDownLatch(credentials.size());
        for (int i = 0; i < credentials.size(); i++) {
            Conn c = new Conn(credentials.get(i)[0], credentials.get(i)[1], readsPerMessage, window, connected, i);
            c.channel = MqttClientChannel.connect(group, port, c);
            conns.add(c);
        }
        if (!connected.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every load connection got its CONNACK within 60 s");
        }
        for (Conn c : conns) {
            if (c.refused) {
                throw new IllegalStateException("CONNECT refused for " + c.user);
            }
        }
    }

    /** Publishes as fast as acknowledgements allow ({@code messagesPerSecond <= 0}) or at that total rate. */
    void start(double messagesPerSecond) {
        for (Conn c : conns) {
            c.channel.eventLoop().execute(() -> c.start(messagesPerSecond / conns.size()));
        }
    }

    /** Stops publishing and waits (up to 10 s) for the acknowledgements still in flight. */
    void stop() throws InterruptedException {
        for (Conn c : conns) {
            c.channel.eventLoop().submit(c::stop).sync();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (conns.stream().anyMatch(c -> c.inflight > 0) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        conns.forEach(c -> c.channel.close());
    }

    private final class Conn extends SimpleChannelInboundHandler<MqttMessage> {
        final String user;
        final String password;
        final String topic;
        final int readsPerMessage;
        final int window;
        final CountDownLatch connected;
        final ReadBatch batch;
        final SplittableRandom random;
        Channel channel;
        ChannelHandlerContext ctx;
        volatile boolean refused;
        volatile int inflight;
        boolean running;
        boolean paced;
        int nextId = 1;
        long sent;
        /** The vehicle of the pass in progress and its next read (0-3). */
        long passTag;
        int passRead;
        ScheduledFuture<?> pacer;

        Conn(String user, String password, int readsPerMessage, int window, CountDownLatch connected, int index) {
            this.user = user;
            this.password = password;
            this.topic = "tags/" + user + "/reads";
            this.readsPerMessage = readsPerMessage;
            this.window = window;
            this.connected = connected;
            this.batch = new ReadBatch(readsPerMessage);
            this.random = new SplittableRandom(index * 7919L + 1);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            ctx.writeAndFlush(MqttClientChannel.connectMessage(user + "-load-" + System.nanoTime(), user, password));
        }

        void start(double perSecond) {
            running = true;
            paced = perSecond > 0;
            if (paced) {
                // One tick a millisecond publishes what the rate owes since the start, within the window. A timer
                // per message cost the generator a whole core at 85,000 msgs/s (16 connections x 5,300 wake-ups
                // a second), taken from the engine under test on the same two vCPUs (session 5).
                long startNanos = System.nanoTime();
                pacer = ctx.executor().scheduleAtFixedRate(() -> {
                    long due = (long) ((System.nanoTime() - startNanos) * perSecond / 1e9);
                    sent = Math.max(sent, due - window); // a target that fell behind is not flooded afterwards
                    boolean wrote = false;
                    while (running && sent < due && inflight < window) {
                        publish();
                        sent++;
                        wrote = true;
                    }
                    if (wrote) {
                        ctx.flush();
                    }
                }, 0, PACE_TICK_NANOS, TimeUnit.NANOSECONDS);
            } else {
                while (inflight < window) {
                    publish();
                }
                ctx.flush();
            }
        }

        void stop() {
            running = false;
            if (pacer != null) {
                pacer.cancel(false);
            }
        }

        private void publish() {
            batch.clear();
            long now = System.currentTimeMillis();
            for (int i = 0; i < readsPerMessage; i++) {
                // A pass goes on across messages: with one read a message, four messages in a row
                // carry one vehicle's pass, as a reader publishing each read would send them.
                if (passRead == 0) {
                    passTag = FIRST_TAG + random.nextInt(FLEET);
                }
                int k = passRead;
                batch.add(passTag, now - 1_500 + k * 400L, -70 + (k == 1 || k == 2 ? 15 : 0), 1 + (k >> 1));
                passRead = (k + 1) & 3;
            }
            int id = nextId;
            nextId = nextId == 65_535 ? 1 : nextId + 1;
            inflight++;
            ctx.write(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).messageId(id)
                    .retained(false).payload(Unpooled.wrappedBuffer(ReadPayloadEncoder.binary(batch))).build());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
            if (m instanceof MqttConnAckMessage ack) {
                refused = ack.variableHeader().connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED;
                connected.countDown();
            } else if (m.fixedHeader().messageType() == MqttMessageType.PUBACK && m instanceof MqttPubAckMessage) {
                inflight--;
                messagesAcked.incrementAndGet();
                readsAcked.addAndGet(readsPerMessage);
                if (running && !paced) {
                    publish(); // flushed once per read burst, in channelReadComplete
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (connected.getCount() > 0) {
                refused = true;
                connected.countDown();
            }
            inflight = 0;
        }
    }
}
