package io.openivs.server.store;

/**
 * The database could not be reached (refused, dropped or timed-out connections; a server shutting down
 * or starting up). Nothing of the work was committed unless the commit's answer was what got lost.
 * The API answers it with 503 ServiceUnavailable, which AWS SDKs retry.
 */
public final class StoreUnavailableException extends StoreException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
