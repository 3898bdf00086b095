package io.openivs.model;

import java.util.List;

/**
 * One API operation: its HTTP binding and shapes.
 *
 * @param requestUri   the model's URI template, e.g. {@code /tags/{resourceArn}}
 * @param responseCode the HTTP status of a successful response (200 unless the model says otherwise)
 * @param input        the request structure, or null if the operation takes none
 * @param output       the response structure, or null if the operation returns no body
 * @param errors       the modeled error shapes, in model order
 */
public record Operation(
        String name,
        String method,
        String requestUri,
        int responseCode,
        Shape input,
        Shape output,
        List<Shape> errors) {

    public Operation {
        errors = List.copyOf(errors);
    }

    @Override
    public String toString() {
        return "Operation[" + name + " " + method + " " + requestUri + " -> " + responseCode + "]";
    }
}
