package io.tagwatch.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.tagwatch.alert.AlertPublisher;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Alerts as Server-Sent Events ({@code GET /api/alerts/stream?district=}): each hit is an
 * {@code event: hit} with the alert JSON as data; a comment line every 15 s keeps proxies from
 * closing an idle stream and finds dead clients. A slow client whose socket is not writable
 * skips alerts rather than buffering them (they are in {@code GET /api/hits}).
 *
 * <p>Thread-safe.
 */
final class AlertStream implements AlertPublisher {
    /** Returned by the route: the handler turns the request into a stream. */
    record Open(String district) {
    }

    private final Map<Channel, String> streams = new ConcurrentHashMap<>(); // channel -> district or ""

    /** On the channel's event loop: answer with the stream headers and start sending. */
    void open(Channel ch, String district) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        r.headers().set("X-Accel-Buffering", "no");
        ch.write(r);
        ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(": alerts" + (district == null ? "" : " of " + district)
                + "\n\n", StandardCharsets.UTF_8)));
        streams.put(ch, district == null ? "" : district);
        ch.closeFuture().addListener(f -> streams.remove(ch));
        ch.eventLoop().scheduleAtFixedRate(() -> {
            if (ch.isActive()) {
                ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(": keep-alive\n\n", StandardCharsets.UTF_8)))
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }, 15, 15, TimeUnit.SECONDS);
    }

    @Override
    public void publish(String topic, byte[] payload) {
        String district = topic.substring(topic.indexOf('/') + 1);
        byte[] event = ("event: hit\ndata: " + new String(payload, StandardCharsets.UTF_8) + "\n\n")
                .getBytes(StandardCharsets.UTF_8);
        streams.forEach((ch, filter) -> {
            if ((filter.isEmpty() || filter.equals(district)) && ch.isWritable()) {
                ch.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(event)))
                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        });
    }

    int size() {
        return streams.size();
    }
}
