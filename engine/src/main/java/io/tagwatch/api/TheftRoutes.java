package io.tagwatch.api;

import io.tagwatch.alert.RetroHits;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.registry.OpenTheft;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.Vehicle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Theft reports: report (owner of the vehicle, officer, admin) and recovered (officer, admin). */
final class TheftRoutes {
    private TheftRoutes() {
    }

    static List<Route> routes(Registry registry, HotLists hotLists, RetroHits retroHits) {
        return List.of(
                Route.of("POST", "/api/vehicles/{id}/theft", req -> {
                    long vehicleId = req.idParam(0);
                    long reportId = registry.reportTheft(vehicleId, req.user);
                    // "On the stolen list at once": answer only when the new snapshot is in place.
                    long version = hotLists.requestRebuild().get(10, TimeUnit.SECONDS);
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("vehicleId", vehicleId);
                    out.put("theftReportId", reportId);
                    out.put("status", "open");
                    out.put("stolenListVersion", version);
                    // The retro-hit: where it was last seen, published to that district's patrols now.
                    Vehicle v = registry.vehicle(vehicleId).orElseThrow();
                    OpenTheft theft = hotLists.stolen(v.tag());
                    out.put("lastSeen", theft == null ? null : retroHits.lastSeen(theft, version).orElse(null));
                    return ApiResponse.created(out);
                }, Role.OFFICER, Role.ADMIN, Role.OWNER),
                Route.of("POST", "/api/vehicles/{id}/recovered", req -> {
                    long vehicleId = req.idParam(0);
                    registry.recover(vehicleId, req.user);
                    long version = hotLists.requestRebuild().get(10, TimeUnit.SECONDS);
                    return Map.of("vehicleId", vehicleId, "status", "recovered", "stolenListVersion", version);
                }, Role.OFFICER, Role.ADMIN));
    }
}
