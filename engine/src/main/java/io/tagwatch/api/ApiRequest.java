package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.registry.User;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** One HTTP request as a route sees it: path parameters, query, JSON body, the caller. */
final class ApiRequest {
    private static final ObjectMapper JSON = new ObjectMapper();

    final String method;
    final String path;
    final Map<String, List<String>> query;
    final List<String> pathParams;
    final byte[] body;
    final User user;
    /** The bearer token the caller sent (null on open routes). */
    final String token;
    /** The caller's IP address as text. */
    final String remoteAddress;

    ApiRequest(String method, String path, Map<String, List<String>> query, List<String> pathParams,
               byte[] body, User user, String token, String remoteAddress) {
        this.method = method;
        this.path = path;
        this.query = query;
        this.pathParams = pathParams;
        this.body = body;
        this.user = user;
        this.token = token;
        this.remoteAddress = remoteAddress;
    }

    /** The page asked for: {@code limit} (1 to {@code max}, default {@code dflt}) and {@code offset} (default 0). */
    Page page(int dflt, int max) {
        return new Page(intQuery("limit", dflt, 1, max), intQuery("offset", 0, 0, Integer.MAX_VALUE));
    }

    /** The body as a JSON object, or 400. */
    JsonNode json() {
        if (body.length == 0) {
            throw ApiException.badRequest(null, "a JSON object body is required");
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest(null, "the body must be a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest(null, "the body cannot be read: " + e.getMessage());
        }
    }

    /** Path parameter {@code i} as a positive id, or 404 (an id that cannot exist names nothing). */
    long idParam(int i) {
        try {
            long id = Long.parseLong(pathParams.get(i));
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.notFound("no such record: " + pathParams.get(i));
    }

    int intQuery(String name, int dflt, int min, int max) {
        List<String> v = query.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.get(0));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw ApiException.badRequest(name, name + " must be an integer from " + min + " to " + max);
    }

    /** A text query parameter, or null. */
    String textQuery(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() || v.get(0).isBlank() ? null : v.get(0);
    }

    /** An ISO-8601 instant query parameter, {@code dflt} when absent, or 400. */
    java.time.Instant instantQuery(String name, java.time.Instant dflt) {
        String v = textQuery(name);
        if (v == null) {
            return dflt;
        }
        try {
            return java.time.Instant.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest(name, name + " must be an ISO-8601 instant such as 2026-11-29T08:00:00Z");
        }
    }

    /** A query parameter that must be one of the values given, or null when absent. */
    String oneOf(String name, String... allowed) {
        String v = textQuery(name);
        if (v == null || java.util.Arrays.asList(allowed).contains(v)) {
            return v;
        }
        throw ApiException.badRequest(name, name + " must be one of " + String.join(", ", allowed));
    }

    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest(field, field + " is required");
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string");
        }
        return v.asText();
    }

    static String optionalText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, field + " must be a string");
        }
        return v.asText();
    }

    static double number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest(field, field + " is required");
        }
        if (!v.isNumber()) {
            throw ApiException.badRequest(field, field + " must be a number");
        }
        return v.asDouble();
    }

    static JsonNode object(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badRequest(field, field + " is required");
        }
        if (!v.isObject()) {
            throw ApiException.badRequest(field, field + " must be an object");
        }
        return v;
    }
}
