package io.openivs.server.store;

/** The database's secrets were sealed with another {@link StoreKey}: serving on would hand out garbage. */
public final class StoreKeyMismatchException extends StoreException {
    public StoreKeyMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
