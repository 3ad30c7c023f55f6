package io.tagwatch.api;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Aggregates a request up to {@code maxBytes} of body; a larger one (by its Content-Length, or
 * as it streams in) is answered 413 in the API's error shape and the connection closed, so
 * nothing past the limit is buffered or read.
 */
final class BodyLimit extends HttpObjectAggregator {
    private final int maxBytes;

    BodyLimit(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.writeAndFlush(ApiHandler.error(new ApiException(413, "payload_too_large", null,
                        "the request body is larger than " + maxBytes + " bytes")))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
