package io.tagwatch.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.RegistryException;
import io.tagwatch.registry.User;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one aggregated HTTP request: finds the route, checks the bearer token and role, runs
 * the handler on the API worker pool (handlers block on the database, the event loop must not)
 * and writes the JSON answer. Errors share one shape: {@code {"error", "message", "field"}}.
 * Shared by all channels.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final List<Route> routes;
    private final Registry registry;
    private final ExecutorService workers;
    private final AlertStream alertStream;

    ApiHandler(List<Route> routes, Registry registry, ExecutorService workers, AlertStream alertStream) {
        this.routes = routes;
        this.registry = registry;
        this.workers = workers;
        this.alertStream = alertStream;
    }

    @Override
    public boolean isSharable() {
        return true;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            write(ctx, keepAlive, error(ApiException.badRequest(null, "malformed HTTP request")));
            return;
        }
        String method = req.method().name();
        QueryStringDecoder qs = new QueryStringDecoder(req.uri());
        String path = qs.path();
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        byte[] body = ByteBufUtil.getBytes(req.content());
        String remote = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
        try {
            workers.execute(() -> {
                Object result = handle(method, path, qs.parameters(), auth, body, remote);
                if (result instanceof AlertStream.Open open) {
                    ctx.executor().execute(() -> alertStream.open(ctx.channel(), open.district()));
                } else {
                    ctx.executor().execute(() -> write(ctx, keepAlive, (FullHttpResponse) result));
                }
            });
        } catch (RejectedExecutionException e) {
            write(ctx, false, error(new ApiException(503, "unavailable", null, "the server is shutting down")));
        }
    }

    /** A FullHttpResponse, or an {@link AlertStream.Open} when the route starts an event stream. */
    private Object handle(String method, String path, Map<String, List<String>> query, String auth, byte[] body,
                          String remote) {
        try {
            boolean pathKnown = false;
            for (Route route : routes) {
                List<String> params = route.match(path);
                if (params == null) {
                    continue;
                }
                pathKnown = true;
                if (!route.method().equals(method)) {
                    continue;
                }
                User user = null;
                String token = null;
                if (!route.open()) {
                    token = bearer(auth);
                    user = registry.userForToken(token).orElseThrow(ApiException::unauthorized);
                    if (!route.roles().contains(user.role())) {
                        throw ApiException.forbidden();
                    }
                }
                Object result = route.handler().handle(new ApiRequest(method, path, query, params, body, user, token, remote));
                return result instanceof AlertStream.Open ? result : respond(result);
            }
            if (pathKnown) {
                throw new ApiException(405, "method_not_allowed", null, method + " is not allowed on " + path);
            }
            throw ApiException.notFound("no route " + method + " " + path);
        } catch (ApiException e) {
            return error(e);
        } catch (RegistryException e) {
            int status = switch (e.kind()) {
                case INVALID -> 400;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
            };
            String code = switch (e.kind()) {
                case INVALID -> "bad_request";
                case NOT_FOUND -> "not_found";
                case CONFLICT -> "conflict";
            };
            return error(new ApiException(status, code, e.field(), e.sentence()));
        } catch (Exception e) {
            log.error("request {} {} failed", method, path, e);
            return error(new ApiException(500, "internal", null, "internal error; see the server log"));
        }
    }

    private static String bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized();
        }
        return header.substring(7).trim();
    }

    private static FullHttpResponse respond(Object result) throws Exception {
        if (result instanceof ApiResponse r) {
            if (r.contentType() != null) {
                return response(r.status(), ((String) r.body()).getBytes(StandardCharsets.UTF_8), r.contentType());
            }
            return response(r.status(), JSON.writeValueAsBytes(r.body()), "application/json");
        }
        return response(200, JSON.writeValueAsBytes(result), "application/json");
    }

    static FullHttpResponse error(ApiException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error);
        body.put("message", e.getMessage());
        if (e.field != null) {
            body.put("field", e.field);
        }
        try {
            return response(e.status, JSON.writeValueAsBytes(body), "application/json");
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static FullHttpResponse response(int status, byte[] body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set("X-Content-Type-Options", "nosniff");
        // The console loads nothing but its own files; no other site may frame it. No CORS
        // headers are ever sent, so browsers keep other origins' pages from reading answers.
        r.headers().set("Content-Security-Policy", CSP);
        r.headers().set("X-Frame-Options", "DENY");
        r.headers().set("Referrer-Policy", "no-referrer");
        return r;
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
