package io.tagwatch.api;

import io.tagwatch.registry.Role;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One API route: method, path template ({@code /api/vehicles/{id}/theft}), the roles allowed
 * (empty = no token needed) and the handler.
 */
record Route(String method, Pattern pattern, String template, Set<Role> roles, Handler handler) {

    /** Handles a request; returns the response body (serialised as JSON) or an {@link ApiResponse}. */
    @FunctionalInterface
    interface Handler {
        Object handle(ApiRequest request) throws Exception;
    }

    static Route of(String method, String template, Handler handler, Role... roles) {
        String regex = template.replaceAll("\\{[^/]+}", "([^/]+)");
        Set<Role> allowed = roles.length == 0 ? EnumSet.noneOf(Role.class) : EnumSet.of(roles[0], roles);
        return new Route(method, Pattern.compile(regex), template, allowed, handler);
    }

    boolean open() {
        return roles.isEmpty();
    }

    /** The path parameters when the path matches, else null. */
    List<String> match(String path) {
        Matcher m = pattern.matcher(path);
        if (!m.matches()) {
            return null;
        }
        List<String> params = new ArrayList<>(m.groupCount());
        for (int i = 1; i <= m.groupCount(); i++) {
            params.add(m.group(i));
        }
        return params;
    }
}
