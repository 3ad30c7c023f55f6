package io.tagwatch.api;

import io.tagwatch.alert.Alerts;
import io.tagwatch.registry.Role;
import java.util.List;
import java.util.Map;

/** {@code GET /api/hits}: newest first. */
final class HitRoutes {
    private HitRoutes() {
    }

    static List<Route> routes(Alerts alerts) {
        return List.of(Route.of("GET", "/api/hits", req -> {
            int limit = req.intQuery("limit", 100, 1, 1000);
            return Map.of("items", alerts.recentHits(limit));
        }, Role.OFFICER, Role.ADMIN));
    }
}
