package io.tagwatch.api;

/** An HTTP error answer: status, a machine-readable code, the field at fault (or null) and why. */
final class ApiException extends RuntimeException {
    final int status;
    final String error;
    final String field;

    ApiException(int status, String error, String field, String message) {
        super(message);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    static ApiException badRequest(String field, String message) {
        return new ApiException(400, "bad_request", field, message);
    }

    static ApiException unauthorized() {
        return new ApiException(401, "unauthorized", null, "a valid bearer token is required");
    }

    static ApiException forbidden() {
        return new ApiException(403, "forbidden", null, "your role may not do this");
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", null, message);
    }
}
