package io.tagwatch.ingest;

import io.tagwatch.registry.ReaderInfo;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One incident per theft: each stolen-list hit (a new reader the vehicle passes) updates it, and
 * its alert carries the incident — how many readers so far, the last few (reader, time), and
 * the direction of travel from the previous reader to this one. Held in memory by the match
 * thread (an incident's earlier hits are in the database: {@code GET /api/hits?list=stolen}).
 *
 * <p>Single-threaded: owned by the match thread.
 */
final class Incidents {
    static final int TRACK = 5;
    private static final String[] HEADINGS = {"N", "NE", "E", "SE", "S", "SW", "W", "NW"};

    private record Pass(ReaderInfo reader, long time) {
    }

    private final Map<Long, ArrayDeque<Pass>> byTheft = new HashMap<>();
    private final int maxIncidents;

    Incidents(int maxIncidents) {
        this.maxIncidents = maxIncidents;
    }

    /** Adds the pass to the theft's incident and returns what its alert carries. */
    Map<String, Object> passed(long theftReportId, ReaderInfo reader, long time) {
        if (byTheft.size() >= maxIncidents && !byTheft.containsKey(theftReportId)) {
            Iterator<Long> oldest = byTheft.keySet().iterator(); // bounded: forget the first one seen
            oldest.next();
            oldest.remove();
        }
        ArrayDeque<Pass> track = byTheft.computeIfAbsent(theftReportId, k -> new ArrayDeque<>());
        Pass previous = track.peekLast();
        track.addLast(new Pass(reader, time));
        while (track.size() > TRACK) {
            track.pollFirst();
        }
        Map<String, Object> incident = new LinkedHashMap<>();
        incident.put("id", theftReportId);
        List<Map<String, Object>> passes = new ArrayList<>();
        track.descendingIterator().forEachRemaining(p -> passes.add(Map.of("reader", p.reader().id(),
                "time", Instant.ofEpochMilli(p.time()).toString())));
        incident.put("track", passes);
        if (previous != null && previous.reader().index() != reader.index()) {
            double bearing = bearing(previous.reader().lat(), previous.reader().lon(), reader.lat(), reader.lon());
            Map<String, Object> direction = new LinkedHashMap<>();
            direction.put("from", previous.reader().id());
            direction.put("bearing", Math.round(bearing));
            direction.put("heading", HEADINGS[(int) Math.round(bearing / 45.0) % 8]);
            incident.put("direction", direction);
        }
        return Map.of("incident", incident);
    }

    /** Initial bearing from point 1 to point 2, degrees clockwise from north (0..360). */
    static double bearing(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dl = Math.toRadians(lon2 - lon1);
        double y = Math.sin(dl) * Math.cos(p2);
        double x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
        return (Math.toDegrees(Math.atan2(y, x)) + 360) % 360;
    }
}
