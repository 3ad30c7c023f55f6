package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.User;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Login (rate-limited), logout (revokes the token) and who the caller is. */
final class AuthRoutes {
    private AuthRoutes() {
    }

    static List<Route> routes(Registry registry) {
        LoginLimiter limiter = new LoginLimiter();
        return List.of(
                Route.of("POST", "/api/auth/login", req -> {
                    JsonNode body = req.json();
                    String username = ApiRequest.text(body, "username");
                    String password = ApiRequest.text(body, "password");
                    limiter.check(username, req.remoteAddress);
                    User user = registry.authenticateUser(username, password).orElse(null);
                    if (user == null) {
                        limiter.failed(username, req.remoteAddress);
                        throw new ApiException(401, "unauthorized", null, "wrong username or password");
                    }
                    limiter.succeeded(username);
                    return Map.of("token", registry.issueToken(user), "role", user.role().dbName());
                }),
                Route.of("POST", "/api/auth/logout", req -> {
                    registry.revokeToken(req.token);
                    return Map.of("loggedOut", true);
                }, Role.values()),
                Route.of("GET", "/api/me", req -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", req.user.id());
                    m.put("username", req.user.username());
                    m.put("role", req.user.role().dbName());
                    m.put("district", req.user.district());
                    return m;
                }, Role.values()));
    }
}
