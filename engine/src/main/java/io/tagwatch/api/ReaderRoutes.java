package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.registry.ReaderDirectory;
import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.ReaderLiveness;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.store.ReaderTraffic;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Readers: provision (admin; the secret is shown once), rotate the secret, retire; and the
 * list with online/offline, since when, last seen and last status, and a reader's traffic over
 * time from {@link ReaderTraffic} (admin, officer).
 */
final class ReaderRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most buckets one traffic answer holds (400 days of hours). */
    static final int MAX_BUCKETS = 9_600;


    private ReaderRoutes() {
    }

    static List<Route> routes(Registry registry, ReaderLiveness liveness, ReaderTraffic traffic) {
        ReaderDirectory readers = registry.readers();
        return List.of(Route.of("GET", "/api/readers/{id}/traffic", req -> {
            String id = req.pathParams.get(0);
            if (readers.byId(id) == null) {
                throw ApiException.notFound("no such reader: " + id);
            }
            String bucket = req.oneOf("bucket", "hour", "day");
            int hours = "day".equals(bucket) ? 24 : 1;
            Instant to = req.instantQuery("to", Instant.now());
            Instant from = req.instantQuery("from", to.minus(java.time.Duration.ofDays(1)));
            if (!from.isBefore(to)) {
                throw ApiException.badRequest("from", "from must be before to");
            }
            long buckets = java.time.Duration.between(from, to).toHours() / hours;
            if (buckets > MAX_BUCKETS) {
                throw ApiException.badRequest("from", "at most " + MAX_BUCKETS + " buckets: shorten the period or use a larger bucket");
            }
            List<Map<String, Object>> items = new ArrayList<>();
            for (ReaderTraffic.Bucket b : traffic.read(id, from, to, hours)) {
                items.add(Map.of("at", b.at().toString(), "sightings", b.sightings(), "reads", b.reads()));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("reader", id);
            out.put("bucket", bucket == null ? "hour" : bucket);
            out.put("from", from.toString());
            out.put("to", to.toString());
            out.put("items", items);
            return out;
        }, Role.ADMIN, Role.OFFICER),
        Route.of("POST", "/api/readers", req -> {
            JsonNode b = req.json();
            String id = ApiRequest.text(b, "id");
            String secret = registry.createReader(id, ApiRequest.text(b, "name"),
                    ApiRequest.number(b, "lat"), ApiRequest.number(b, "lon"), ApiRequest.text(b, "district"));
            return ApiResponse.created(Map.of("id", id, "secret", secret));
        }, Role.ADMIN),
        Route.of("POST", "/api/readers/{id}/secret", req -> {
            String id = req.pathParams.get(0);
            return Map.of("id", id, "secret", registry.rotateReaderSecret(id));
        }, Role.ADMIN),
        Route.of("DELETE", "/api/readers/{id}", req -> {
            String id = req.pathParams.get(0);
            registry.retireReader(id);
            return Map.of("id", id, "retired", true);
        }, Role.ADMIN),
        Route.of("GET", "/api/readers", req -> {
            Page page = req.page(Page.MAX_LIMIT, Page.MAX_LIMIT);
            List<Map<String, Object>> items = new ArrayList<>();
            for (int i = 0; i < readers.size(); i++) {
                ReaderInfo r = readers.byIndex(i);
                if (readers.retired(r.id())) {
                    continue;
                }
                ReaderLiveness.State s = liveness.state(r.id());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", r.id());
                m.put("name", r.name());
                m.put("lat", r.lat());
                m.put("lon", r.lon());
                m.put("district", r.district());
                m.put("online", s.online());
                m.put("since", text(s.since()));
                m.put("lastSeen", text(s.lastSeen()));
                m.put("lastStatus", status(s.lastStatus()));
                m.put("lastStatusAt", text(s.lastStatusAt()));
                ReaderLiveness.Traffic t = liveness.traffic(r.id());
                long drift = t == null ? 0 : Math.round(t.driftMs());
                m.put("clockDriftMs", t == null ? null : drift);
                m.put("clockDriftFlagged", liveness.driftFlagged(r.id()));
                long now = System.currentTimeMillis();
                m.put("usualGapMs", t == null ? null : Math.round(t.usualGapMs()));
                Double thisHour = liveness.usualGapAt(r.id(), now);
                m.put("usualGapThisHourMs", thisHour == null ? null : Math.round(thisHour));
                m.put("usualGapByHourMs", t == null ? null
                        : java.util.Arrays.stream(t.usualGapByHourMs()).map(Math::rint).boxed().toList());
                m.put("silent", liveness.silent(r.id(), now));
                items.add(m);
            }
            return page.slice(items);
        }, Role.ADMIN, Role.OFFICER));
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    /** The reader's status as JSON when it is JSON, else as the text it sent. */
    private static Object status(String payload) {
        if (payload == null) {
            return null;
        }
        try {
            return JSON.readTree(payload);
        } catch (IOException e) {
            return payload;
        }
    }
}
