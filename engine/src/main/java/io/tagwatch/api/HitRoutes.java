package io.tagwatch.api;

import io.tagwatch.alert.Alerts;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.RegistryException;
import io.tagwatch.registry.Role;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Hits: list with filters, one hit with its track, acknowledge, resolve. Officers and admins. */
final class HitRoutes {
    private HitRoutes() {
    }

    static List<Route> routes(Alerts alerts, Registry registry, HotLists hotLists, HitTrack track) {
        return List.of(
                Route.of("GET", "/api/hits", req -> {
                    Page page = req.page(100, 1000);
                    String status = req.oneOf("status", "new", "acknowledged", "resolved");
                    String list = req.oneOf("list", "stolen", "watchlist", "unregistered", "cloned");
                    return page.of(alerts.recentHits(page.limit(), page.offset(), status, req.textQuery("district"), list));
                }, Role.OFFICER, Role.ADMIN),
                Route.of("GET", "/api/hits/{id}", req -> {
                    Map<String, Object> hit = new java.util.LinkedHashMap<>(alerts.hit(hitId(req))
                            .orElseThrow(() -> ApiException.notFound("no hit " + req.pathParams.get(0))));
                    hit.put("track", track.before(hit));
                    return hit;
                }, Role.OFFICER, Role.ADMIN),
                Route.of("POST", "/api/hits/{id}/ack", req -> alerts.acknowledge(hitId(req), req.user),
                        Role.OFFICER, Role.ADMIN),
                Route.of("POST", "/api/hits/{id}/resolve", req -> {
                    String resolution = ApiRequest.text(req.json(), "resolution");
                    return alerts.resolve(hitId(req), req.user, resolution, vehicleId -> {
                        try {
                            registry.recover(vehicleId, req.user);
                            hotLists.requestRebuild().get(10, TimeUnit.SECONDS);
                        } catch (RegistryException e) {
                            // already recovered through another hit or the vehicle route: nothing to close
                        } catch (Exception e) {
                            throw new IllegalStateException("recovered, but the stolen list did not rebuild: " + e, e);
                        }
                    });
                }, Role.OFFICER, Role.ADMIN));
    }

    private static UUID hitId(ApiRequest req) {
        try {
            return UUID.fromString(req.pathParams.get(0));
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no hit " + req.pathParams.get(0));
        }
    }
}
