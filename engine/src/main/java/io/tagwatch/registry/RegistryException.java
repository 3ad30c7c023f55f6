package io.tagwatch.registry;

/** A request the registry refuses: invalid field, unknown record, or a conflict with stored data. */
public final class RegistryException extends RuntimeException {
    /** Why the request was refused; the API maps these to 400, 404 and 409. */
    public enum Kind { INVALID, NOT_FOUND, CONFLICT }

    private final Kind kind;
    private final String field;

    private RegistryException(Kind kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    public static RegistryException invalid(String field, String reason) {
        return new RegistryException(Kind.INVALID, field, field + ": " + reason);
    }

    public static RegistryException notFound(String what) {
        return new RegistryException(Kind.NOT_FOUND, null, what + " not found");
    }

    public static RegistryException conflict(String field, String reason) {
        return new RegistryException(Kind.CONFLICT, field, field + ": " + reason);
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }
}
