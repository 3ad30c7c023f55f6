package io.tagwatch.mqtt;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.registry.ReaderLiveness;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection's life: CONNECT (credentials checked off the event loop), keep-alive,
 * PINGREQ, SUBSCRIBE/UNSUBSCRIBE for alert topics, DISCONNECT; PUBLISH goes to
 * {@link ReadPublishHandler}. One instance per channel.
 */
final class MqttConnectionHandler extends SimpleChannelInboundHandler<MqttMessage> {
    private static final Logger log = LoggerFactory.getLogger(MqttConnectionHandler.class);
    static final byte REASON_PACKET_TOO_LARGE = (byte) 0x95;
    static final byte REASON_MALFORMED_PACKET = (byte) 0x81;
    static final byte REASON_SESSION_TAKEN_OVER = (byte) 0x8E;
    static final int SUBACK_NOT_AUTHORIZED_5 = 0x87;
    static final int SUBACK_FAILURE_311 = 0x80;

    private final EngineConfig config;
    private final MqttAuthenticator authenticator;
    private final Executor authExecutor;
    private final ReadPublishHandler publishes;
    private final Subscriptions subscriptions;
    private final Map<String, io.netty.channel.Channel> sessionsByClientId;
    private final MqttCounters counters;
    private final ReaderLiveness liveness;
    /** Where subscribers' connections move at CONNECT, away from reader traffic. */
    private final io.netty.channel.EventLoop subscriberLoop;
    private MqttSession session;
    private boolean connecting;

    MqttConnectionHandler(EngineConfig config, MqttAuthenticator authenticator, Executor authExecutor,
                          ReadPublishHandler publishes, Subscriptions subscriptions,
                          Map<String, io.netty.channel.Channel> sessionsByClientId, MqttCounters counters,
                          ReaderLiveness liveness, io.netty.channel.EventLoop subscriberLoop) {
        this.config = config;
        this.authenticator = authenticator;
        this.authExecutor = authExecutor;
        this.publishes = publishes;
        this.subscriptions = subscriptions;
        this.sessionsByClientId = sessionsByClientId;
        this.counters = counters;
        this.liveness = liveness;
        this.subscriberLoop = java.util.Objects.requireNonNull(subscriberLoop, "subscriberLoop");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
        if (msg.decoderResult().isFailure()) {
            malformed(ctx, msg.decoderResult().cause());
            return;
        }
        MqttMessageType type = msg.fixedHeader().messageType();
        if (type == MqttMessageType.CONNECT) {
            if (session != null || connecting) {
                log.warn("second CONNECT on {} from {}: closing", principal(), ctx.channel().remoteAddress());
                ctx.close();
                return;
            }
            connect(ctx, (MqttConnectMessage) msg);
            return;
        }
        if (session == null) {
            log.warn("{} before CONNECT from {}: closing", type, ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        switch (type) {
            case PUBLISH -> publishes.handle(ctx, session, (MqttPublishMessage) msg);
            case PUBACK -> {
                if (session.patrol != null) { // acknowledgement of an alert sent at QoS 1
                    subscriptions.acknowledged(session.patrol,
                            ((io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader) msg.variableHeader()).messageId());
                }
            }
            case PUBREL -> pubRel(ctx, msg);
            case SUBSCRIBE -> subscribe(ctx, (MqttSubscribeMessage) msg);
            case UNSUBSCRIBE -> unsubscribe(ctx, (MqttUnsubscribeMessage) msg);
            case PINGREQ -> {
                if (session.reader != null) {
                    liveness.seen(session.reader.id(), System.currentTimeMillis());
                }
                ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(
                        MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            }
            case DISCONNECT -> {
                session.cleanDisconnect = true; // a clean DISCONNECT discards the will
                ctx.close();
            }
            default -> {
                log.warn("{} sent unexpected {}: closing", session.principal(), type);
                ctx.close();
            }
        }
    }

    private void connect(ChannelHandlerContext ctx, MqttConnectMessage msg) {
        connecting = true;
        boolean mqtt5 = msg.variableHeader().version() == 5;
        String username = msg.payload().userName();
        byte[] password = msg.payload().passwordInBytes();
        String clientId = msg.payload().clientIdentifier();
        int keepAlive = msg.variableHeader().keepAliveTimeSeconds();
        boolean cleanStart = msg.variableHeader().isCleanSession();
        long expirySeconds = cleanStart && !mqtt5 ? 0 : sessionExpiry(mqtt5, msg);
        String willTopic = msg.variableHeader().isWillFlag() ? msg.payload().willTopic() : null;
        byte[] will = msg.variableHeader().isWillFlag() ? msg.payload().willMessageInBytes() : null;
        if (mqtt5 && msg.variableHeader().properties()
                .getProperty(MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD.value()) != null) {
            // Enhanced authentication is not offered: username and password only.
            counters.connectRefused.increment();
            log.warn("CONNECT with an authentication method refused username={} from={}", username, ctx.channel().remoteAddress());
            ctx.writeAndFlush(MqttMessageBuilders.connAck()
                    .returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD).build())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        authExecutor.execute(() -> {
            MqttAuthenticator.Result result;
            try {
                result = authenticator.authenticate(username, password);
            } catch (RuntimeException e) {
                log.error("authentication failed for username={}", username, e);
                result = null;
            }
            MqttAuthenticator.Result r = result;
            ctx.executor().execute(() -> finishConnect(ctx, r, mqtt5, username, clientId, keepAlive, willTopic, will,
                    cleanStart, expirySeconds));
        });
    }

    private void finishConnect(ChannelHandlerContext ctx, MqttAuthenticator.Result result, boolean mqtt5,
                               String username, String clientId, int keepAlive, String willTopic, byte[] will,
                               boolean cleanStart, long expirySeconds) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (result == null || !result.accepted()) {
            counters.connectRefused.increment();
            MqttConnectReturnCode code;
            if (result == null) {
                code = mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
            } else if (result.notAuthorized()) {
                code = mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            } else {
                code = mqtt5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                        : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            }
            log.warn("CONNECT refused username={} from={} code={}", username, ctx.channel().remoteAddress(), code);
            ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).build())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String id = clientId == null || clientId.isEmpty() ? username + "-" + ctx.channel().id().asShortText() : clientId;
        session = new MqttSession(id, mqtt5, result.reader(), result.user(), config.maxReadsPerBatch(),
                new TokenBucket(config.readerPublishRate(), config.readerPublishBurst(), System.nanoTime()));
        ctx.channel().attr(MqttSession.KEY).set(session);
        if (session.user != null) { // accepted on a worker loop: never the subscribers' already
            moveToSubscriberLoop(ctx, mqtt5, id, keepAlive, willTopic, will, cleanStart, expirySeconds);
            return;
        }
        completeConnect(ctx, mqtt5, id, keepAlive, willTopic, will, cleanStart, expirySeconds);
    }

    /**
     * A subscriber's connection (an officer, a console) leaves the reader traffic's event loop for
     * the subscribers' own before its CONNACK, so an alert written to it never waits behind a round
     * of readers' reads (at 80,000 reads/s such a round held alerts up to 17 ms at p99). Reads stay
     * off meanwhile ({@link #connect} turned them off for the credentials check).
     */
    private void moveToSubscriberLoop(ChannelHandlerContext ctx, boolean mqtt5, String id, int keepAlive, String willTopic,
                                      byte[] will, boolean cleanStart, long expirySeconds) {
        io.netty.channel.Channel ch = ctx.channel();
        ch.deregister().addListener(left -> {
            if (!left.isSuccess()) {
                log.warn("{} could not leave its event loop: closing", session.principal(), left.cause());
                ch.close();
                return;
            }
            subscriberLoop.register(ch).addListener(moved -> {
                if (!moved.isSuccess()) {
                    log.warn("{} could not move to the subscribers' event loop: closing", session.principal(), moved.cause());
                    ch.close();
                    return;
                }
                completeConnect(ctx, mqtt5, id, keepAlive, willTopic, will, cleanStart, expirySeconds);
            });
        });
    }

    private void completeConnect(ChannelHandlerContext ctx, boolean mqtt5, String id, int keepAlive, String willTopic,
                                 byte[] will, boolean cleanStart, long expirySeconds) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (session.reader != null) {
            if (willTopic != null && willTopic.equals(session.statusTopic)) {
                session.will = will;
            } else if (willTopic != null) {
                log.warn("{} set a will on topic={}; only its own status topic is kept", session.principal(), willTopic);
            }
            session.livenessToken = liveness.connected(session.reader.id(), java.time.Instant.now());
        }
        io.netty.channel.Channel previous = sessionsByClientId.put(id, ctx.channel());
        if (previous != null && previous != ctx.channel()) {
            log.info("client id={} connected again: closing the older connection", id);
            previous.eventLoop().execute(() -> disconnect(previous, mqtt5, REASON_SESSION_TAKEN_OVER));
        }
        boolean sessionPresent = false;
        long grantedExpiry = 0;
        if (session.user != null) {
            grantedExpiry = Math.min(expirySeconds, config.sessionExpiryMax().toSeconds());
            Map.Entry<Subscriptions.Session, Boolean> attached =
                    subscriptions.attach(id, ctx.channel(), cleanStart, grantedExpiry * 1000);
            session.patrol = attached.getKey();
            sessionPresent = attached.getValue();
        }
        int effectiveKeepAlive = keepAlive == 0 || keepAlive > config.maxKeepAlive() ? config.maxKeepAlive() : keepAlive;
        ctx.pipeline().replace(MqttServer.IDLE_HANDLER, MqttServer.IDLE_HANDLER, keepAliveHandler(effectiveKeepAlive));
        MqttConnAckMessage ack = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(sessionPresent)
                .properties(mqtt5 ? connAckProperties(keepAlive != effectiveKeepAlive ? effectiveKeepAlive : -1, grantedExpiry)
                        : MqttProperties.NO_PROPERTIES)
                .build();
        ctx.writeAndFlush(ack);
        if (session.patrol != null && sessionPresent) {
            subscriptions.resume(session.patrol); // what it missed while away
        }
        connecting = false;
        ctx.channel().config().setAutoRead(true);
        log.debug("connected {} client={} mqtt5={} keepAlive={}s", session.principal(), id, mqtt5, keepAlive);
    }

    private IdleStateHandler keepAliveHandler(int keepAliveSeconds) {
        // The spec allows one and a half keep-alive periods of silence; 0 turns the timeout off.
        long ms = keepAliveSeconds == 0 ? 0 : keepAliveSeconds * 1500L;
        return new IdleStateHandler(ms, 0, 0, TimeUnit.MILLISECONDS);
    }

    /** What a 5.0 client must know of this server's limits; {@code serverKeepAlive} -1 = the client's own. */
    private MqttProperties connAckProperties(int serverKeepAlive, long sessionExpirySeconds) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), config.inflightWindow()));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value(),
                config.maxPacketBytes()));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), 0));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RETAIN_AVAILABLE.value(), 0));
        p.add(new MqttProperties.IntegerProperty(
                MqttProperties.MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value(), 0));
        p.add(new MqttProperties.IntegerProperty(
                MqttProperties.MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE.value(), 1));
        // Readers' sessions are not kept (their data is in the journal); subscribers' may be.
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(),
                (int) Math.min(sessionExpirySeconds, Integer.MAX_VALUE)));
        if (serverKeepAlive >= 0) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE.value(), serverKeepAlive));
        }
        return p;
    }

    /**
     * How long the client wants its session kept after the connection ends, in seconds: the 5.0
     * Session Expiry Interval property (absent = 0); for 3.1.1, clean session false means "as
     * long as the server keeps sessions".
     */
    private long sessionExpiry(boolean mqtt5, MqttConnectMessage msg) {
        if (!mqtt5) {
            return Long.MAX_VALUE;
        }
        MqttProperties.MqttProperty<?> p = msg.variableHeader().properties()
                .getProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value());
        return p == null ? 0 : Integer.toUnsignedLong((Integer) p.value());
    }

    /** QoS 2, second half: the client releases the packet id; answer PUBCOMP. */
    private void pubRel(ChannelHandlerContext ctx, MqttMessage msg) {
        int id = ((io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
        boolean known = session.qos2Received.remove(id);
        byte reason = known || !session.mqtt5 ? 0 : (byte) 0x92; // 5.0: packet identifier not found
        ctx.writeAndFlush(ReadPublishHandler.reply(MqttMessageType.PUBCOMP, id, reason));
    }

    private void subscribe(ChannelHandlerContext ctx, MqttSubscribeMessage msg) {
        List<MqttTopicSubscription> requested = msg.payload().topicSubscriptions();
        int[] codes = new int[requested.size()];
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription sub = requested.get(i);
            String filter = sub.topicFilter();
            if (session.user == null || !alertFilter(filter)) {
                counters.notAuthorized.increment();
                log.warn("{} may not subscribe to filter={}", session.principal(), filter);
                codes[i] = session.mqtt5 ? SUBACK_NOT_AUTHORIZED_5 : SUBACK_FAILURE_311;
                continue;
            }
            MqttQoS granted = sub.qualityOfService() == MqttQoS.AT_MOST_ONCE ? MqttQoS.AT_MOST_ONCE : MqttQoS.AT_LEAST_ONCE;
            subscriptions.subscribe(session.patrol, filter, granted);
            codes[i] = granted.value();
        }
        ctx.writeAndFlush(new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(msg.variableHeader().messageId(), MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes)));
    }

    /** Officers subscribe to {@code alerts/#}, {@code alerts/+} or {@code alerts/<district>}. */
    static boolean alertFilter(String filter) {
        return filter.startsWith("alerts/") && TopicFilter.valid(filter) && filter.indexOf('/', 7) < 0
                && filter.length() > 7;
    }

    private void unsubscribe(ChannelHandlerContext ctx, MqttUnsubscribeMessage msg) {
        for (String filter : msg.payload().topics()) {
            if (session.patrol != null) {
                subscriptions.unsubscribe(session.patrol, filter);
            }
        }
        ctx.writeAndFlush(new MqttUnsubAckMessage(
                new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(msg.variableHeader().messageId(), MqttProperties.NO_PROPERTIES),
                null));
    }

    private void malformed(ChannelHandlerContext ctx, Throwable cause) {
        counters.malformedPacket.increment();
        boolean tooLarge = cause instanceof TooLongFrameException
                || (cause instanceof DecoderException && cause.getMessage() != null && cause.getMessage().contains("too large"));
        log.warn("malformed packet from {} ({}): {}; closing", principal(), ctx.channel().remoteAddress(), cause.toString());
        disconnect(ctx, session, tooLarge ? REASON_PACKET_TOO_LARGE : REASON_MALFORMED_PACKET);
    }

    /** Closes the connection, first telling a 5.0 client why with a DISCONNECT reason code. */
    static void disconnect(ChannelHandlerContext ctx, MqttSession session, byte reason) {
        disconnect(ctx.channel(), session != null && session.mqtt5, reason);
    }

    static void disconnect(io.netty.channel.Channel ch, boolean mqtt5, byte reason) {
        if (mqtt5) {
            ch.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(reason).build())
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            counters.keepAliveTimeouts.increment();
            log.info("{} silent past its keep-alive (or sent no CONNECT): closing", principal());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            sessionsByClientId.remove(session.clientId, ctx.channel());
            if (session.patrol != null) {
                subscriptions.detach(session.patrol, ctx.channel());
            }
            if (session.reader != null) {
                String will = session.cleanDisconnect || session.will == null ? null
                        : new String(session.will, java.nio.charset.StandardCharsets.UTF_8);
                liveness.disconnected(session.reader.id(), session.livenessToken, java.time.Instant.now(), will);
            }
            log.debug("disconnected {} clean={}", session.principal(), session.cleanDisconnect);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A socket error ("Connection reset by peer": a reader's link dropped) by its message alone; anything else with its class
        String why = cause instanceof java.io.IOException && cause.getMessage() != null ? cause.getMessage() : cause.toString();
        log.warn("connection {} from {} failed: {}", principal(), ctx.channel().remoteAddress(), why);
        ctx.close();
    }

    private String principal() {
        return session == null ? "(not connected)" : session.principal();
    }
}
