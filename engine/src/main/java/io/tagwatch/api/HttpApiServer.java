package io.tagwatch.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.tagwatch.alert.Alerts;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.net.NettyTransport;
import io.tagwatch.registry.ReaderLiveness;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON API (Netty). The entry point of this package; routes live in the
 * {@code *Routes} classes, one per resource. See docs/api.md.
 */
public final class HttpApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApiServer.class);
    /** Largest request body: the API takes small JSON objects; anything larger is 413 and the connection closes. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final EngineConfig config;
    private final ApiHandler handler;
    private final AlertStream alertStream = new AlertStream();
    private final java.util.function.Supplier<Map<String, Boolean>> checks;
    private final ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "api-worker");
        t.setDaemon(true);
        return t;
    });
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
    private Channel listener;

    public HttpApiServer(EngineConfig config, Registry registry, ReaderLiveness liveness, HotLists hotLists, Alerts alerts,
                         PrometheusMeterRegistry meters, BooleanSupplier ready,
                         java.util.function.Supplier<Map<String, Boolean>> checks, javax.sql.DataSource dataSource) {
        this.checks = checks;
        this.config = config;
        List<Route> routes = new ArrayList<>();
        Route.Handler readiness = req -> {
            if (!ready.getAsBoolean()) {
                throw new ApiException(503, "starting", null, "not ready yet");
            }
            Map<String, Boolean> results = this.checks.get();
            if (results.containsValue(false)) {
                return new ApiResponse(503, Map.of("status", "not ready", "checks", results), null);
            }
            return Map.of("status", "ok", "checks", results);
        };
        routes.add(Route.of("GET", "/health", readiness));
        routes.add(Route.of("GET", "/health/ready", readiness));
        routes.add(Route.of("GET", "/health/live", req -> Map.of("status", "ok")));
        routes.add(Route.of("GET", "/metrics", req ->
                ApiResponse.text(meters.scrape(), "text/plain; version=0.0.4; charset=utf-8")));
        routes.addAll(AuthRoutes.routes(registry));
        routes.addAll(UserRoutes.routes(registry));
        routes.addAll(VehicleRoutes.routes(registry));
        routes.addAll(TheftRoutes.routes(registry, hotLists, new io.tagwatch.alert.RetroHits(dataSource, registry.readers(), alerts)));
        routes.addAll(HitRoutes.routes(alerts, registry, hotLists, new HitTrack(dataSource)));
        routes.addAll(WatchlistRoutes.routes(registry, hotLists));
        routes.addAll(ReaderRoutes.routes(registry, liveness, new io.tagwatch.store.ReaderTraffic(dataSource)));
        routes.addAll(TrajectoryRoutes.routes(registry, new io.tagwatch.store.Trajectories(dataSource)));
        routes.add(Route.of("GET", "/api/alerts/stream", req -> new AlertStream.Open(req.textQuery("district")),
                Role.OFFICER, Role.ADMIN));
        routes.addAll(ConsoleRoutes.routes());
        // The document describes its own route too, so it is built once that route is in the table.
        String[] openApi = new String[1];
        routes.add(Route.of("GET", "/api/openapi.json", req -> ApiResponse.text(openApi[0], "application/json")));
        openApi[0] = new String(OpenApiDocument.json(routes), java.nio.charset.StandardCharsets.UTF_8);
        this.handler = new ApiHandler(List.copyOf(routes), registry, workers, alertStream);
    }

    /** Binds the listener; returns the bound port. A taken port is an error naming {@code --http-port}. */
    public int start() {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NettyTransport.serverSocketChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http-codec", new HttpServerCodec())
                                // before the aggregator, which holds a request back until it is whole
                                .addLast("request-timeout", new RequestTimeout(config.httpRequestTimeout()))
                                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                                .addLast("aggregator", new BodyLimit(MAX_BODY_BYTES))
                                .addLast("api", handler);
                    }
                });
        try {
            listener = b.bind(new InetSocketAddress(config.bindHost(), config.httpPort())).sync().channel();
        } catch (Exception e) {
            if (NettyTransport.isAddressInUse(e)) {
                throw new IllegalStateException("--http-port " + config.httpPort() + " is in use: " + e.getMessage(), e);
            }
            throw new IllegalStateException("cannot bind --http-port " + config.httpPort() + ": " + e, e);
        }
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        log.info("HTTP API listening on {}:{}", config.bindHost(), port);
        return port;
    }

    /** Where alerts go to the console's event streams. */
    public io.tagwatch.alert.AlertPublisher alertStream() {
        return alertStream;
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownNow();
    }
}
