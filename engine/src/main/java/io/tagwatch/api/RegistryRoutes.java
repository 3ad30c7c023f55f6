package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.hotlist.HotLists;
import io.tagwatch.read.TagIds;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.User;
import io.tagwatch.registry.Vehicle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Readers, users, vehicles and theft reports. */
final class RegistryRoutes {
    private RegistryRoutes() {
    }

    static List<Route> routes(Registry registry, HotLists hotLists, io.tagwatch.alert.RetroHits retroHits) {
        return List.of(
                Route.of("POST", "/api/readers", req -> {
                    JsonNode b = req.json();
                    String id = ApiRequest.text(b, "id");
                    String secret = registry.createReader(id, ApiRequest.text(b, "name"),
                            ApiRequest.number(b, "lat"), ApiRequest.number(b, "lon"), ApiRequest.text(b, "district"));
                    return ApiResponse.created(Map.of("id", id, "secret", secret));
                }, Role.ADMIN),
                Route.of("POST", "/api/users", req -> {
                    JsonNode b = req.json();
                    Role role = Role.parse(ApiRequest.text(b, "role"));
                    User u = registry.createUser(ApiRequest.text(b, "username"), ApiRequest.text(b, "password"), role,
                            ApiRequest.optionalText(b, "district"), ApiRequest.optionalText(b, "phone"));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("id", u.id());
                    out.put("username", u.username());
                    out.put("role", u.role().dbName());
                    out.put("district", u.district());
                    return ApiResponse.created(out);
                }, Role.ADMIN),
                Route.of("POST", "/api/vehicles", req -> {
                    JsonNode b = req.json();
                    JsonNode owner = ApiRequest.object(b, "owner");
                    long tag;
                    try {
                        tag = TagIds.parse(ApiRequest.text(b, "tag"));
                    } catch (IllegalArgumentException e) {
                        throw ApiException.badRequest("tag", e.getMessage());
                    }
                    Vehicle v = registry.registerVehicle(ApiRequest.text(b, "plate"), tag, ApiRequest.text(b, "kind"),
                            ApiRequest.optionalText(b, "brand"), ApiRequest.optionalText(b, "color"),
                            ApiRequest.text(owner, "name"), ApiRequest.text(owner, "phone"));
                    return ApiResponse.created(vehicleJson(v));
                }, Role.CLERK, Role.ADMIN),
                Route.of("GET", "/api/me/vehicles", req -> {
                    Long ownerId = req.user.ownerId();
                    return Map.of("items", ownerId == null ? List.of()
                            : registry.vehiclesOfOwner(ownerId).stream().map(RegistryRoutes::vehicleJson).toList());
                }, Role.OWNER),
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
                    io.tagwatch.registry.OpenTheft theft = hotLists.stolen(v.tag());
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

    static Map<String, Object> vehicleJson(Vehicle v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id());
        m.put("plate", v.plate());
        m.put("tag", TagIds.format(v.tag()));
        m.put("kind", v.kind());
        m.put("brand", v.brand());
        m.put("color", v.color());
        m.put("owner", Map.of("id", v.ownerId(), "name", v.ownerName(), "phone", v.ownerPhone()));
        m.put("stolen", v.stolen());
        return m;
    }
}
