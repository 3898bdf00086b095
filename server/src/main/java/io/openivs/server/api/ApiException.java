package io.openivs.server.api;

/**
 * An error the API answers with: one of the model's error shapes (its name is
 * the error code and gives the HTTP status) and a message safe to show.
 * Thrown by operation handlers; no stack trace, it is control flow.
 */
public final class ApiException extends RuntimeException {
    private final String code;

    public ApiException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static ApiException validation(String message) {
        return new ApiException("ValidationException", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException("ResourceNotFoundException", message);
    }

    public static ApiException conflict(String message) {
        return new ApiException("ConflictException", message);
    }

    public static ApiException quota(String message) {
        return new ApiException("ServiceQuotaExceededException", message);
    }

    public static ApiException notBroadcasting() {
        return new ApiException("ChannelNotBroadcasting", "The stream is offline for the given channel ARN.");
    }

    public static ApiException throttled(String message) {
        return new ApiException("ThrottlingException", message);
    }
}
