package io.openivs.server.ingest.srt;

/**
 * How a stream id may publish, as the application answers {@link SrtIngest#authorize}: with a
 * passphrase the caller must encrypt with, or unencrypted (a channel with insecure ingest).
 */
public sealed interface SrtAccess {

    /** The caller must send key material unwrappable with this passphrase (10 to 79 characters). */
    record Encrypted(String passphrase) implements SrtAccess {
        @Override
        public String toString() {
            return "Encrypted(***)";
        }
    }

    /** The caller must not encrypt. */
    record Insecure() implements SrtAccess {}

    static SrtAccess passphrase(String passphrase) {
        return new Encrypted(passphrase);
    }

    static SrtAccess insecure() {
        return new Insecure();
    }
}
