package io.tagwatch.read;

/**
 * Why {@link ReadPayloadDecoder} refused a {@code tags/{id}/reads} payload, or {@link #NONE}
 * when it accepted it. A refused payload is refused whole: none of its reads is kept.
 *
 * <p>Each constant carries a short, fixed human text for logs and metrics labels; the
 * specific detail of one refusal (which record, which field) is
 * {@link ReadPayloadDecoder#lastErrorDetail()}. Immutable and thread-safe.
 */
public enum PayloadError {
    NONE("accepted"),
    NOT_JSON_OR_BINARY("payload is neither JSON nor binary v1"),
    BINARY_TOO_SHORT("binary payload shorter than its 14-byte header"),
    BINARY_BAD_VERSION("binary payload has an unknown version"),
    BINARY_BAD_FLAGS("binary payload has unknown flags"),
    BINARY_LENGTH_MISMATCH("binary payload length does not match its record count"),
    JSON_MALFORMED("JSON payload is malformed"),
    JSON_NO_READS("JSON payload has no \"reads\" array"),
    JSON_BAD_READ("JSON payload has an invalid read"),
    TOO_MANY_READS("batch has more reads than the maximum per batch");

    private final String text;

    PayloadError(String text) {
        this.text = text;
    }

    /** Short fixed description, e.g. {@code "JSON payload has an invalid read"}. */
    public String text() {
        return text;
    }
}
