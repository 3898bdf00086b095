package io.openivs.server.playback.access;

/**
 * A refused playback request: the viewer gets 403 with {@code error} and {@code errorCode} in the
 * JSON error array real IVS answers a refused player with (observed, not in the public docs). Thrown often,
 * so it carries no stack trace.
 */
public final class AccessDenied extends RuntimeException {
    /** The only code IVS is known to send; used for every token problem. */
    public static final String TOKEN = "invalid_playback_auth_token";
    /** Refusals by a playback restriction policy; the real code is unconfirmed. */
    public static final String POLICY = "playback_restricted";

    private final String errorCode;

    public AccessDenied(String errorCode, String error) {
        super(error, null, false, false);
        this.errorCode = errorCode;
    }

    static AccessDenied token(String error) {
        return new AccessDenied(TOKEN, error);
    }

    public String errorCode() {
        return errorCode;
    }
}
