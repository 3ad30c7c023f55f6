package io.tagwatch.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.User;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Accounts: create and list (admin). */
final class UserRoutes {
    private UserRoutes() {
    }

    static List<Route> routes(Registry registry) {
        return List.of(
                Route.of("POST", "/api/users", req -> {
                    JsonNode b = req.json();
                    Role role = Role.parse(ApiRequest.text(b, "role"));
                    User u = registry.createUser(ApiRequest.text(b, "username"), ApiRequest.text(b, "password"), role,
                            ApiRequest.optionalText(b, "district"), ApiRequest.optionalText(b, "phone"));
                    return ApiResponse.created(json(u));
                }, Role.ADMIN),
                Route.of("GET", "/api/users", req -> {
                    Page page = req.page(Page.DEFAULT_LIMIT, Page.MAX_LIMIT);
                    return page.of(registry.users(page.limit(), page.offset()).stream().map(UserRoutes::json).toList());
                }, Role.ADMIN));
    }

    private static Map<String, Object> json(User u) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", u.id());
        out.put("username", u.username());
        out.put("role", u.role().dbName());
        out.put("district", u.district());
        out.put("ownerId", u.ownerId());
        return out;
    }
}
