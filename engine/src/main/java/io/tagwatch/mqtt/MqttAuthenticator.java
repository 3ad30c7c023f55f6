package io.tagwatch.mqtt;

import io.tagwatch.registry.ReaderInfo;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.Role;
import io.tagwatch.registry.User;
import java.util.Optional;

/**
 * Decides who a CONNECT is: a reader (username = reader id, password = its secret) or a person
 * with an officer or admin account (who may subscribe to alerts but not publish reads).
 * Blocks on hashing and the database: never call it on an event loop.
 */
final class MqttAuthenticator {
    /** Outcome of a CONNECT's credentials. */
    record Result(ReaderInfo reader, User user, boolean notAuthorized) {
        boolean accepted() {
            return reader != null || user != null;
        }
    }

    private static final Result BAD_CREDENTIALS = new Result(null, null, false);
    private static final Result NOT_AUTHORIZED = new Result(null, null, true);

    private final Registry registry;

    MqttAuthenticator(Registry registry) {
        this.registry = registry;
    }

    Result authenticate(String username, byte[] password) {
        if (username == null || password == null) {
            return BAD_CREDENTIALS;
        }
        String secret = new String(password, java.nio.charset.StandardCharsets.UTF_8);
        ReaderInfo reader = registry.readers().byId(username);
        if (reader != null) {
            return registry.authenticateReader(username, secret) ? new Result(reader, null, false) : BAD_CREDENTIALS;
        }
        Optional<User> user = registry.authenticateUser(username, secret);
        if (user.isEmpty()) {
            return BAD_CREDENTIALS;
        }
        Role role = user.get().role();
        return role == Role.OFFICER || role == Role.ADMIN ? new Result(null, user.get(), false) : NOT_AUTHORIZED;
    }
}
