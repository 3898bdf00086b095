package io.openivs.server.store;

/** The database failed or refused a statement. Unchecked: callers map it to InternalServerException. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
