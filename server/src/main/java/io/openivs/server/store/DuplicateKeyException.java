package io.openivs.server.store;

/** A write broke a uniqueness rule (same ARN, a second key for a channel, a duplicate fingerprint). */
public final class DuplicateKeyException extends StoreException {
    public DuplicateKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
