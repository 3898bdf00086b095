package io.openivs.client.protocol;

/**
 * What an error response says, before it becomes a typed exception.
 *
 * @param code      the error code, or null if the response named none
 * @param message   the error message, or null
 * @param requestId x-amzn-RequestId, or null
 */
public record ServiceError(int status, String code, String message, String requestId) {}
