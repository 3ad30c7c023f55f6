package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.read.TagIds;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.WatchEntry;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The watchlist: create, list, remove. Officers and admins. */
final class WatchlistRoutes {
    private WatchlistRoutes() {
    }

    static List<Route> routes(Registry registry, HotLists hotLists) {
        return List.of(
                Route.of("POST", "/api/watchlist", req -> {
                    JsonNode b = req.json();
                    JsonNode vehicleId = b.get("vehicleId");
                    if (vehicleId == null || !vehicleId.canConvertToLong()) {
                        throw ApiException.badRequest("vehicleId", "vehicleId is required and must be an integer");
                    }
                    Instant until;
                    try {
                        until = Instant.parse(ApiRequest.text(b, "expiresAt"));
                    } catch (DateTimeParseException e) {
                        throw ApiException.badRequest("expiresAt", "expiresAt must be an ISO-8601 instant such as 2026-12-01T18:00:00Z");
                    }
                    WatchEntry w = registry.addWatch(vehicleId.asLong(), ApiRequest.text(b, "reason"),
                            ApiRequest.optionalText(b, "district"), until, req.user);
                    hotLists.requestRebuild().get(10, TimeUnit.SECONDS); // on the list when the client sees 201
                    return ApiResponse.created(json(w));
                }, Role.OFFICER, Role.ADMIN),
                Route.of("GET", "/api/watchlist", req -> req.page(Page.DEFAULT_LIMIT, Page.MAX_LIMIT)
                        .slice(registry.activeWatches().stream().map(WatchlistRoutes::json).toList()),
                        Role.OFFICER, Role.ADMIN),
                Route.of("DELETE", "/api/watchlist/{id}", req -> {
                    registry.removeWatch(req.idParam(0), req.user);
                    hotLists.requestRebuild().get(10, TimeUnit.SECONDS);
                    return Map.of("id", req.idParam(0), "removed", true);
                }, Role.OFFICER, Role.ADMIN));
    }

    private static Map<String, Object> json(WatchEntry w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("vehicleId", w.vehicle().id());
        m.put("plate", w.vehicle().plate());
        m.put("tag", TagIds.format(w.vehicle().tag()));
        m.put("reason", w.reason());
        m.put("district", w.district());
        m.put("createdBy", w.createdBy());
        m.put("createdAt", w.createdAt().toString());
        m.put("expiresAt", w.expiresAt().toString());
        return m;
    }
}
