package io.tagwatch.api;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Times out slow requests: a connection must send its first request, and each request must
 * arrive in full, within the timeout. A request cut off gets 408 in the API's error shape; a
 * connection that never sent one is closed. Time between requests on a kept-alive connection
 * (and an open event stream) is not limited. One instance per channel; runs on its event loop.
 */
final class RequestTimeout extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private ScheduledFuture<?> timer;
    private boolean inRequest;

    RequestTimeout(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            inRequest = true;
            if (timer == null) {
                arm(ctx);
            }
        }
        if (msg instanceof LastHttpContent) {
            inRequest = false;
            cancel();
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    private void arm(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (inRequest) {
                FullHttpResponse r = ApiHandler.error(new ApiException(408, "request_timeout", null,
                        "the request did not arrive in full within " + Duration.ofNanos(timeoutNanos).toMillis() + " ms"));
                r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
