package io.tagwatch.api;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Aggregates a request up to {@code maxBytes} of body; a larger one (by its Content-Length, or
 * as it streams in) is answered 413 in the API's error shape and the connection closed, so
 * nothing past the limit is buffered.
 */
final class BodyLimit extends HttpObjectAggregator {
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
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private FullHttpResponse tooLarge() {
        return ApiHandler.error(new ApiException(413, "payload_too_large", null,
                "the request body is larger than " + maxBytes + " bytes"));
    }
}
