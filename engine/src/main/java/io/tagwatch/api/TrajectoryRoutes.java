package io.tagwatch.api;

import io.tagwatch.read.TagIds;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.Vehicle;
import io.tagwatch.store.Trajectories;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Audited trajectories: an officer or admin reads a vehicle's sightings only with a reason on
 * record, and the owner sees who did and why.
 */
final class TrajectoryRoutes {
    static final Duration MAX_PERIOD = Duration.ofDays(92);
    static final Duration DEFAULT_PERIOD = Duration.ofDays(1);
    static final int MIN_REASON = 3;
    static final int MAX_REASON = 500;

    private TrajectoryRoutes() {
    }

    static List<Route> routes(Registry registry, Trajectories trajectories) {
        return List.of(
                Route.of("GET", "/api/vehicles/{id}/sightings", req -> {
                    long vehicleId = req.idParam(0);
                    String reason = req.textQuery("reason");
                    if (reason == null || reason.strip().length() < MIN_REASON) {
                        throw ApiException.badRequest("reason", "a reason (case number or text, at least " + MIN_REASON
                                + " characters) is required to read a vehicle's sightings; it is recorded in the audit log");
                    }
                    if (reason.length() > MAX_REASON) {
                        throw ApiException.badRequest("reason", "reason must be at most " + MAX_REASON + " characters");
                    }
                    Instant to = req.instantQuery("to", Instant.now());
                    Instant from = req.instantQuery("from", to.minus(DEFAULT_PERIOD));
                    if (!from.isBefore(to)) {
                        throw ApiException.badRequest("from", "from must be before to");
                    }
                    if (Duration.between(from, to).compareTo(MAX_PERIOD) > 0) {
                        throw ApiException.badRequest("from", "the period may be at most " + MAX_PERIOD.toDays() + " days");
                    }
                    Trajectories.Trajectory t = trajectories.read(vehicleId, from, to, req.user.id(), reason.strip())
                            .orElseThrow(() -> ApiException.notFound("no such vehicle: " + vehicleId));
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("vehicleId", vehicleId);
                    out.put("tag", TagIds.format(t.tag()));
                    out.put("from", from.toString());
                    out.put("to", to.toString());
                    out.put("reason", reason.strip());
                    out.put("count", t.points().size());
                    out.put("truncated", t.truncated());
                    out.put("items", t.points().stream().map(p -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("readerId", p.readerId());
                        m.put("firstSeen", p.firstSeen().toString());
                        m.put("lastSeen", p.lastSeen().toString());
                        m.put("readCount", p.readCount());
                        m.put("bestRssi", p.bestRssi());
                        return m;
                    }).toList());
                    return out;
                }, Role.OFFICER, Role.ADMIN),
                Route.of("GET", "/api/me/vehicles/{id}/access-log", req -> {
                    long vehicleId = req.idParam(0);
                    Vehicle v = registry.vehicle(vehicleId).orElse(null);
                    // Another owner's vehicle is answered like a missing one: its existence is not told.
                    if (v == null || req.user.ownerId() == null || v.ownerId() != req.user.ownerId()) {
                        throw ApiException.notFound("no such vehicle of yours: " + vehicleId);
                    }
                    return Map.of("vehicleId", vehicleId, "items", trajectories.accessLog(vehicleId).stream().map(a -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("at", a.at().toString());
                        m.put("by", a.username());
                        m.put("role", a.role());
                        m.put("reason", a.reason());
                        m.put("from", a.from().toString());
                        m.put("to", a.to().toString());
                        m.put("rowsReturned", a.rowsReturned());
                        return m;
                    }).toList());
                }, Role.OWNER));
    }
}
