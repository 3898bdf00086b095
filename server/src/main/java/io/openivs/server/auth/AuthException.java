package io.openivs.server.auth;

/**
 * A refused request, carrying the AWS error code and message the SDKs and CLI understand.
 * The API layer sends {@link #errorCode()} as {@code x-amzn-ErrorType} and {@link #getMessage()} as the body's message.
 * Messages never contain a secret key.
 */
public final class AuthException extends Exception {
    private static final long serialVersionUID = 1L;

    static final String MISSING_AUTHENTICATION_TOKEN = "MissingAuthenticationTokenException";
    static final String INCOMPLETE_SIGNATURE = "IncompleteSignatureException";
    static final String INVALID_SIGNATURE = "InvalidSignatureException";
    static final String UNRECOGNIZED_CLIENT = "UnrecognizedClientException";

    private final String errorCode;

    AuthException(String errorCode, String message) {
        // Refusals are routine (every bad client, every scanner): no stack trace, no suppression list.
        super(message, null, false, false);
        this.errorCode = errorCode;
    }

    /** HTTP status to answer with: AWS uses 403 for every authentication failure. */
    public int status() {
        return 403;
    }

    /** The AWS error code, e.g. {@code InvalidSignatureException}. */
    public String errorCode() {
        return errorCode;
    }

    @Override
    public String toString() {
        return errorCode + ": " + getMessage();
    }
}
