package io.tagwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestEngine;
import io.tagwatch.TestEngine.Answer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Bearer tokens: revoked at logout, refused once expired, stored only hashed; logins rate-limited. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthTokensTest {
    private static TestEngine tw;
    private static String admin;

    @BeforeAll
    static void setUp() {
        tw = TestEngine.start(Duration.ofSeconds(30));
        admin = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        for (String name : List.of("clerk-a", "clerk-b")) {
            assertThat(tw.call("POST", "/api/users", admin,
                    Map.of("username", name, "password", name + "-password", "role", "clerk")).status()).isEqualTo(201);
        }
    }

    @AfterAll
    static void tearDown() {
        tw.close();
    }

    @Test
    @Order(1)
    void logout_revokesTheToken_andOnlyThatToken() {
        String first = tw.login("clerk-a", "clerk-a-password");
        String second = tw.login("clerk-a", "clerk-a-password");
        assertThat(tw.call("GET", "/api/me", first, null).body().get("username").asText()).isEqualTo("clerk-a");

        assertThat(tw.call("POST", "/api/auth/logout", first, null).status()).isEqualTo(200);

        assertThat(tw.call("GET", "/api/me", first, null).status()).isEqualTo(401);
        assertThat(tw.call("GET", "/api/me", second, null).status()).isEqualTo(200);
    }

    @Test
    @Order(1)
    void expiredToken_is401() throws Exception {
        String token = tw.login("clerk-b", "clerk-b-password");
        assertThat(tw.call("GET", "/api/me", token, null).status()).isEqualTo(200);
        try (Connection c = tw.db.connect(); Statement st = c.createStatement()) {
            // the clock moved past the token's lifetime
            st.executeUpdate("UPDATE api_tokens SET expires_at = now() - interval '1 second' "
                    + "WHERE user_id = (SELECT id FROM users WHERE username = 'clerk-b')");
        }
        Answer a = tw.call("GET", "/api/me", token, null);
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.body().get("error").asText()).isEqualTo("unauthorized");
    }

    @Test
    @Order(1)
    void tokens_areStoredOnlyAsTheirHash() throws Exception {
        String token = tw.login("admin", TestEngine.ADMIN_PASSWORD);
        List<String> stored = new ArrayList<>();
        try (Connection c = tw.db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT token_hash FROM api_tokens")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        assertThat(stored).doesNotContain(token).allSatisfy(h -> assertThat(h).doesNotContain(token));
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(stored).contains(java.util.HexFormat.of().formatHex(digest));
    }

    @Test
    @Order(2)
    void login_afterFiveFailuresForOneAccount_is429_evenWithTheRightPassword() {
        assertThat(tw.call("POST", "/api/users", admin,
                Map.of("username", "clerk-c", "password", "clerk-c-password", "role", "clerk")).status()).isEqualTo(201);
        for (int i = 0; i < LoginLimiter.FAILURES_PER_ACCOUNT; i++) {
            assertThat(login("clerk-c", "guess-" + i).status()).isEqualTo(401);
        }
        Answer blocked = login("clerk-c", "clerk-c-password");
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.body().get("error").asText()).isEqualTo("too_many_requests");
        assertThat(blocked.body().get("message").asText()).contains("this account");
        // other accounts from the same address are not locked by one account's failures
        assertThat(login("clerk-a", "clerk-a-password").status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void login_afterTwentyFailuresFromOneAddress_is429_forEveryAccount() {
        for (int i = 0; i < LoginLimiter.FAILURES_PER_ADDRESS; i++) {
            login("nobody-" + i, "guess");
        }
        Answer blocked = login("clerk-b", "clerk-b-password");
        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.body().get("message").asText()).contains("your address");
    }

    private static Answer login(String user, String password) {
        return tw.call("POST", "/api/auth/login", null, Map.of("username", user, "password", password));
    }
}
