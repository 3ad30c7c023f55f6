package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tagwatch.TestEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document stays in step with the route table: every route the server
 * answers is described in openapi-operations.json, and nothing described is missing from the
 * server; each operation says who may call it and what it answers.
 */
class OpenApiDocumentTest {
    private static TestEngine tw;
    private static JsonNode doc;

    @BeforeAll
    static void setUp() throws Exception {
        tw = TestEngine.start(Duration.ofSeconds(30));
        doc = new ObjectMapper().readTree(tw.api().rawGet("/api/openapi.json"));
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    @Test
    void everyRoute_isDescribed_andEveryDescriptionIsARoute() {
        Set<String> served = new TreeSet<>();
        List<String> undescribed = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                String key = op.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey();
                served.add(key);
                if (op.getValue().get("summary").asText().equals("(not described)")) {
                    undescribed.add(key);
                }
            }
        }
        assertThat(undescribed).as("routes missing from " + OpenApiDocument.OPERATIONS).isEmpty();
        Set<String> described = new TreeSet<>();
        OpenApiDocument.operations().get("operations").fieldNames().forEachRemaining(described::add);
        assertThat(described).as("descriptions of routes the server does not have").isSubsetOf(served);
    }

    @Test
    void document_isOpenApi3_withSecurityRolesAndAnswers() {
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        JsonNode hits = doc.get("paths").get("/api/hits/{id}/ack").get("post");
        assertThat(hits.get("x-roles").toString()).contains("officer", "admin").doesNotContain("owner");
        assertThat(hits.get("security")).isNotEmpty();
        assertThat(hits.get("parameters").get(0).get("name").asText()).isEqualTo("id");
        JsonNode login = doc.get("paths").get("/api/auth/login").get("post");
        assertThat(login.has("security")).isFalse();
        assertThat(login.get("requestBody").get("content").get("application/json").get("schema").get("required").toString())
                .contains("username", "password");
        doc.get("paths").forEach(path -> path.forEach(op -> assertThat(op.get("responses").get("default").get("$ref").asText())
                .isEqualTo("#/components/responses/Error")));
        assertThat(doc.get("components").get("schemas").get("Error").get("required").toString()).contains("error", "message");
    }
}
