package io.tagwatch.registry;

/** A request the registry refuses: invalid field, unknown record, or a conflict with stored data. */
public final class RegistryException extends RuntimeException {
    /** Why the request was refused; the API maps these to 400, 404 and 409. */
    public enum Kind { INVALID, NOT_FOUND, CONFLICT }

    private final Kind kind;
    private final String field;
    private final String sentence;

    private RegistryException(Kind kind, String field, String sentence) {
        super(field == null ? sentence : field + ": " + sentence);
        this.kind = kind;
        this.field = field;
        this.sentence = sentence;
    }

    /** {@code reason} reads after the field's name: "is required", "must be ebike or motorcycle". */
    public static RegistryException invalid(String field, String reason) {
        return new RegistryException(Kind.INVALID, field, field + " " + reason);
    }

    public static RegistryException notFound(String what) {
        return new RegistryException(Kind.NOT_FOUND, null, what + " not found");
    }

    /** {@code reason} is a whole sentence a clerk can read: "tag is already bound to another vehicle". */
    public static RegistryException conflict(String field, String reason) {
        return new RegistryException(Kind.CONFLICT, field, reason);
    }

    public Kind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String field() {
        return field;
    }

    /** What went wrong as one plain sentence, without the field prefix of {@link #getMessage()} (for people). */
    public String sentence() {
        return sentence;
    }
}
