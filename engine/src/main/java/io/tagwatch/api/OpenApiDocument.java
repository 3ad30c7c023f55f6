package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tagwatch.registry.Role;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3 document served at {@code /api/openapi.json}. Paths, methods, path parameters,
 * security and the roles allowed ({@code x-roles}) come from the route table itself; what a
 * route takes and answers comes from {@code openapi-operations.json} beside this class, keyed
 * by {@code "METHOD /template"}. OpenApiDocumentTest keeps the two in step.
 */
final class OpenApiDocument {
    static final String OPERATIONS = "openapi-operations.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("\\{([^/]+)}");

    private OpenApiDocument() {
    }

    /** The hand-written half: {@code {components, operations}}. */
    static JsonNode operations() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(OPERATIONS)) {
            if (in == null) {
                throw new IllegalStateException("resource missing: " + OPERATIONS);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + OPERATIONS, e);
        }
    }

    static byte[] json(List<Route> routes) {
        JsonNode described = operations();
        ObjectNode doc = JSON.createObjectNode();
        doc.put("openapi", "3.0.3");
        doc.putObject("info").put("title", "TagWatch API").put("version", "1")
                .put("description", "See docs/api.md. Errors: {error, message, field?}. Lists: {items, limit, offset, next}.");
        ObjectNode paths = doc.putObject("paths");
        for (Route route : routes) {
            String key = route.method() + " " + route.template();
            JsonNode given = described.path("operations").get(key);
            ObjectNode op = given == null ? JSON.createObjectNode().put("summary", "(not described)") : given.deepCopy();
            ArrayNode params = op.has("parameters") ? (ArrayNode) op.get("parameters") : op.putArray("parameters");
            Matcher m = PARAM.matcher(route.template());
            while (m.find()) {
                params.addObject().put("name", m.group(1)).put("in", "path").put("required", true)
                        .putObject("schema").put("type", "string");
            }
            if (params.isEmpty()) {
                op.remove("parameters");
            }
            if (!route.open()) {
                op.putArray("security").addObject().putArray("bearer");
                ArrayNode roles = op.putArray("x-roles");
                for (Role r : route.roles()) {
                    roles.add(r.dbName());
                }
            }
            ObjectNode responses = op.has("responses") ? (ObjectNode) op.get("responses") : op.putObject("responses");
            if (responses.isEmpty()) {
                responses.putObject("200").put("description", "OK");
            }
            responses.putObject("default").put("$ref", "#/components/responses/Error");
            ObjectNode path = paths.has(route.template()) ? (ObjectNode) paths.get(route.template())
                    : paths.putObject(route.template());
            path.set(route.method().toLowerCase(java.util.Locale.ROOT), op);
        }
        ObjectNode components = described.path("components").isObject()
                ? ((ObjectNode) described.get("components")).deepCopy() : JSON.createObjectNode();
        components.putObject("securitySchemes").putObject("bearer").put("type", "http").put("scheme", "bearer");
        doc.set("components", components);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
