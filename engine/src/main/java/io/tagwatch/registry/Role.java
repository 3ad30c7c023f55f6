package io.tagwatch.registry;

import java.util.Locale;

/** What a user may do; stored in {@code users.role}. */
public enum Role {
    OWNER, CLERK, OFFICER, ADMIN;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code owner}, {@code clerk}, {@code officer} or {@code admin}. */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.dbName().equals(text)) {
                return r;
            }
        }
        throw RegistryException.invalid("role", "must be one of owner, clerk, officer, admin");
    }
}
