package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.User;
import java.util.List;
import java.util.Map;

/** {@code POST /api/auth/login}. */
final class AuthRoutes {
    private AuthRoutes() {
    }

    static List<Route> routes(Registry registry) {
        return List.of(Route.of("POST", "/api/auth/login", req -> {
            JsonNode body = req.json();
            String username = ApiRequest.text(body, "username");
            String password = ApiRequest.text(body, "password");
            User user = registry.authenticateUser(username, password)
                    .orElseThrow(() -> new ApiException(401, "unauthorized", null, "wrong username or password"));
            return Map.of("token", registry.issueToken(user), "role", user.role().dbName());
        }));
    }
}
