package io.tagwatch.api;

/** A response with an explicit status (routes that return a plain body answer 200). */
record ApiResponse(int status, Object body, String contentType) {
    static ApiResponse created(Object body) {
        return new ApiResponse(201, body, null);
    }

    static ApiResponse text(String body, String contentType) {
        return new ApiResponse(200, body, contentType);
    }
}
