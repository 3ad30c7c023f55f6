package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.TestEngine;
import io.tagwatch.TestEngine.Answer;
import io.tagwatch.TestPublisher;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A reader's traffic over time, as counted by the sighting writer, through the API. */
class ReaderTrafficRoutesTest {

    @Test
    void traffic_perHourAndDay_countsTheStoredSightingsAndTheirReads() throws Exception {
        try (TestEngine tw = TestEngine.start(b -> b.dedupWindow(Duration.ofSeconds(1)).unregisteredHits(false))) {
            String admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
            String secret = tw.api().createReader(admin, "RT", "east");
            tw.api().createReader(admin, "QUIET", "east");
            tw.call("POST", "/api/users", admin, Map.of("username", "tina", "password", "tina-password",
                    "role", "officer", "district", "east"));
            String officer = tw.login("tina", "tina-password");

            Instant h0 = Instant.now().minus(Duration.ofHours(5)).truncatedTo(ChronoUnit.HOURS);
            // Hour 0: three vehicles, one of them read twice in one pass (one sighting, two reads).
            TestPublisher.readOnce(tw.broker(), "RT", secret, "C001", h0.plusSeconds(5).toEpochMilli());
            TestPublisher.readOnce(tw.broker(), "RT", secret, "C001", h0.plusSeconds(5).plusMillis(300).toEpochMilli());
            TestPublisher.readOnce(tw.broker(), "RT", secret, "C002", h0.plusSeconds(1_200).toEpochMilli());
            TestPublisher.readOnce(tw.broker(), "RT", secret, "C003", h0.plusSeconds(3_599).toEpochMilli());
            // Hour 1: two vehicles; hour 3: one.
            TestPublisher.readOnce(tw.broker(), "RT", secret, "C004", h0.plusSeconds(3_600).toEpochMilli());
            TestPublisher.readOnce(tw.broker(), "RT", secret, "C005", h0.plusSeconds(5_000).toEpochMilli());
            TestPublisher.readOnce(tw.broker(), "RT", secret, "C006", h0.plus(Duration.ofMinutes(190)).toEpochMilli());
            tw.awaitSightings(6);

            String base = "/api/readers/RT/traffic?from=" + h0 + "&to=" + h0.plus(Duration.ofHours(4));
            Answer hours = tw.call("GET", base, officer, null);
            assertThat(hours.status()).isEqualTo(200);
            assertThat(hours.body().get("bucket").asText()).isEqualTo("hour");
            assertThat(rows(hours.body())).containsExactly(
                    h0 + " 3 4", h0.plus(Duration.ofHours(1)) + " 2 2", h0.plus(Duration.ofHours(3)) + " 1 1");
            Answer fromHourOne = tw.call("GET", "/api/readers/RT/traffic?bucket=hour&from=" + h0.plus(Duration.ofHours(1))
                    + "&to=" + h0.plus(Duration.ofHours(3)), admin, null);
            assertThat(rows(fromHourOne.body())).containsExactly(h0.plus(Duration.ofHours(1)) + " 2 2");
            Answer days = tw.call("GET", "/api/readers/RT/traffic?bucket=day&from=" + h0.minus(Duration.ofDays(2))
                    + "&to=" + h0.plus(Duration.ofDays(1)), officer, null);
            assertThat(days.body().get("bucket").asText()).isEqualTo("day");
            assertThat(days.body().get("items")).hasSizeBetween(1, 2); // the hours may straddle a UTC midnight
            long sightings = 0;
            long reads = 0;
            for (JsonNode d : days.body().get("items")) {
                assertThat(Instant.parse(d.get("at").asText())).isEqualTo(Instant.parse(d.get("at").asText()).truncatedTo(ChronoUnit.DAYS));
                sightings += d.get("sightings").asLong();
                reads += d.get("reads").asLong();
            }
            assertThat(sightings).isEqualTo(6);
            assertThat(reads).isEqualTo(7);
            assertThat(tw.call("GET", "/api/readers/QUIET/traffic", officer, null).body().get("items")).isEmpty();

            assertThat(tw.call("GET", "/api/readers/NOPE/traffic", officer, null).status()).isEqualTo(404);
            Answer badBucket = tw.call("GET", base + "&bucket=minute", officer, null);
            assertThat(badBucket.status()).isEqualTo(400);
            assertThat(badBucket.body().get("field").asText()).isEqualTo("bucket");
            assertThat(tw.call("GET", "/api/readers/RT/traffic?from=" + h0 + "&to=" + h0, officer, null).status()).isEqualTo(400);
            Answer tooMany = tw.call("GET", "/api/readers/RT/traffic?from=" + h0.minus(Duration.ofDays(401))
                    + "&to=" + h0, officer, null);
            assertThat(tooMany.status()).isEqualTo(400);
            assertThat(tooMany.body().get("message").asText()).contains("9600");
            assertThat(tw.call("GET", "/api/readers/RT/traffic?from=yesterday", officer, null).body().get("field").asText())
                    .isEqualTo("from");
        }
    }

    private static List<String> rows(JsonNode body) {
        List<String> out = new ArrayList<>();
        for (JsonNode i : body.get("items")) {
            out.add(Instant.parse(i.get("at").asText()) + " " + i.get("sightings").asLong() + " " + i.get("reads").asLong());
        }
        return out;
    }
}
