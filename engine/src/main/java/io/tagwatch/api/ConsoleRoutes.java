package io.tagwatch.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The web console: a fixed set of files from the jar's {@code console/} resources, read once at
 * start. Only those names are served, so no path a client sends can reach another file; every
 * asset is bundled (no CDN, no map tiles), for networks with no internet.
 */
final class ConsoleRoutes {
    /** Each file the console consists of, with its content type. */
    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private ConsoleRoutes() {
    }

    static List<Route> routes() {
        Map<String, ApiResponse> files = new java.util.HashMap<>();
        FILES.forEach((name, type) -> files.put(name, ApiResponse.text(read(name), type)));
        Route.Handler index = req -> files.get("index.html");
        List<Route> routes = new ArrayList<>();
        routes.add(Route.of("GET", "/", index));
        routes.add(Route.of("GET", "/console/", index));
        routes.add(Route.of("GET", "/console/{file}", req -> {
            ApiResponse file = files.get(req.pathParams.get(0));
            if (file == null) {
                throw ApiException.notFound("no console file " + req.pathParams.get(0));
            }
            return file;
        }));
        return routes;
    }

    private static String read(String name) {
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console file missing from the jar: " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read console file " + name, e);
        }
    }
}
