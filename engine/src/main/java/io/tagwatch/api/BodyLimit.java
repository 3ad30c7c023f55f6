package io.tagwatch.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.util.concurrent.TimeUnit;

/**
 * Aggregates a request up to {@code maxBytes} of body; a larger one (by its Content-Length, or
 * as it streams in) is answered 413 in the API's error shape and the connection closed, so
 * nothing past the limit is buffered (the rest of the body is read and dropped).
 */
final class BodyLimit extends HttpObjectAggregator {
    /** How long a connection answered 413 stays open to take the rest of the body. */
    static final long CLOSE_GRACE_MS = 1_000;
    private final int maxBytes;

    BodyLimit(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    /** A request announcing too large a body with {@code Expect: 100-continue} gets the same 413 before it sends it. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (answer instanceof FullHttpResponse r && r.status().code() == 413) {
            r.release();
            return tooLarge();
        }
        return answer;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse r = tooLarge();
        // said, so a client does not put the connection back in its pool and send the next request into a closed socket
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // Not closed at once: the client is usually still sending the body, and closing a socket with
        // unread input resets it, which can destroy the 413 before the client reads it (the client sees
        // "no bytes" or a broken pipe: 36 of 400 oversized requests here). The answer goes out with a
        // FIN; the rest of the body is read and dropped (by the aggregator) until the client closes,
        // or for at most CLOSE_GRACE_MS. Written past the keep-alive handler, which would close at once.
        ChannelHandlerContext keepAlive = ctx.pipeline().context(HttpServerKeepAliveHandler.class);
        (keepAlive != null ? keepAlive : ctx).writeAndFlush(r).addListener(f -> {
            if (f.isSuccess() && ctx.channel() instanceof SocketChannel ch) {
                ch.shutdownOutput();
                ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
            } else {
                ctx.close();
            }
        });
    }

    private FullHttpResponse tooLarge() {
        return ApiHandler.error(new ApiException(413, "payload_too_large", null,
                "the request body is larger than " + maxBytes + " bytes"));
    }
}
