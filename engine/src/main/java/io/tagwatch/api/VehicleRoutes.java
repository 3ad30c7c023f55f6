package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.read.TagIds;
import io.tagwatch.registry.Owner;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.TheftReport;
import io.tagwatch.registry.Vehicle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Owners and vehicles: a clerk registers, binds tags and searches; an owner sees only their
 * own vehicles and their theft reports (another owner's vehicle answers 404, as a missing one).
 */
final class VehicleRoutes {
    private VehicleRoutes() {
    }

    static List<Route> routes(Registry registry) {
        return List.of(
                Route.of("POST", "/api/owners", req -> {
                    JsonNode b = req.json();
                    Owner o = registry.registerOwner(ApiRequest.text(b, "name"), ApiRequest.text(b, "phone"));
                    return ApiResponse.created(Map.of("id", o.id(), "name", o.name(), "phone", o.phone()));
                }, Role.CLERK, Role.ADMIN),
                Route.of("POST", "/api/vehicles", req -> {
                    JsonNode b = req.json();
                    JsonNode owner = ApiRequest.object(b, "owner");
                    Vehicle v = registry.registerVehicle(ApiRequest.text(b, "plate"), tag(ApiRequest.text(b, "tag")),
                            ApiRequest.text(b, "kind"), ApiRequest.optionalText(b, "brand"),
                            ApiRequest.optionalText(b, "color"), ApiRequest.text(owner, "name"),
                            ApiRequest.text(owner, "phone"));
                    return ApiResponse.created(json(v));
                }, Role.CLERK, Role.ADMIN),
                Route.of("GET", "/api/vehicles", req -> {
                    String plate = req.textQuery("plate");
                    String tag = req.textQuery("tag");
                    String phone = req.textQuery("phone");
                    if (plate == null && tag == null && phone == null) {
                        throw ApiException.badRequest("plate", "give at least one of plate, tag, phone");
                    }
                    Page page = req.page(Page.DEFAULT_LIMIT, Page.MAX_LIMIT);
                    return page.of(registry.searchVehicles(plate, tag == null ? null : tag(tag), phone,
                            page.limit(), page.offset()).stream().map(VehicleRoutes::json).toList());
                }, Role.CLERK, Role.OFFICER, Role.ADMIN),
                Route.of("GET", "/api/vehicles/{id}", req -> json(registry.vehicle(req.idParam(0))
                        .orElseThrow(() -> ApiException.notFound("no vehicle " + req.pathParams.get(0)))),
                        Role.CLERK, Role.OFFICER, Role.ADMIN),
                Route.of("PUT", "/api/vehicles/{id}/tag", req ->
                        json(registry.bindTag(req.idParam(0), tag(ApiRequest.text(req.json(), "tag")), req.user)),
                        Role.CLERK, Role.ADMIN),
                Route.of("GET", "/api/me/vehicles", req -> {
                    Page page = req.page(Page.DEFAULT_LIMIT, Page.MAX_LIMIT);
                    Long ownerId = req.user.ownerId();
                    return page.slice(ownerId == null ? List.of()
                            : registry.vehiclesOfOwner(ownerId).stream().map(VehicleRoutes::json).toList());
                }, Role.OWNER),
                Route.of("GET", "/api/me/vehicles/{id}/theft", req -> {
                    Vehicle v = ownVehicle(registry, req);
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("vehicleId", v.id());
                    out.put("plate", v.plate());
                    out.put("stolen", v.stolen());
                    out.put("reports", registry.theftReports(v.id()).stream().map(VehicleRoutes::json).toList());
                    return out;
                }, Role.OWNER));
    }

    /** The caller's own vehicle, or 404 (the same answer whether it is someone else's or missing). */
    private static Vehicle ownVehicle(Registry registry, ApiRequest req) {
        return registry.vehicle(req.idParam(0))
                .filter(v -> req.user.ownerId() != null && v.ownerId() == req.user.ownerId())
                .orElseThrow(() -> ApiException.notFound("no vehicle " + req.pathParams.get(0)));
    }

    private static long tag(String text) {
        try {
            return TagIds.parse(text);
        } catch (IllegalArgumentException e) {
            String shown = text.length() > 24 ? text.substring(0, 24) + "…" : text;
            throw ApiException.badRequest("tag", "\"" + shown + "\" is not a tag id: " + TagIds.WHAT_A_TAG_ID_IS);
        }
    }

    static Map<String, Object> json(Vehicle v) {
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

    private static Map<String, Object> json(TheftReport t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("status", t.status());
        m.put("reportedAt", t.reportedAt().toString());
        m.put("closedAt", t.closedAt() == null ? null : t.closedAt().toString());
        return m;
    }
}
