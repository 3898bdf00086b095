package io.openivs.server.ingest.srt;

/**
 * How a stream id may publish, as the application answers {@link SrtIngest#authorize}: with a
 * passphrase the caller must encrypt with, or unencrypted (a channel with insecure ingest); and whether its
 * channel already has a publisher, so a caller that proves the passphrase is refused with
 * {@link SrtReject#CONFLICT} in the handshake rather than accepted and shut down.
 */
public sealed interface SrtAccess {

    /** Whether the stream id's channel has a publisher already. */
    boolean published();

    /** The same access, for a channel that has a publisher already. */
    SrtAccess alreadyPublished();

    /** The caller must send key material unwrappable with this passphrase (10 to 79 characters). */
    record Encrypted(String passphrase, boolean published) implements SrtAccess {
        @Override
        public SrtAccess alreadyPublished() {
            return new Encrypted(passphrase, true);
        }

        @Override
        public String toString() {
            return "Encrypted(***)";
        }
    }

    /** The caller must not encrypt. */
    record Insecure(boolean published) implements SrtAccess {
        @Override
        public SrtAccess alreadyPublished() {
            return new Insecure(true);
        }
    }

    static SrtAccess passphrase(String passphrase) {
        return new Encrypted(passphrase, false);
    }

    static SrtAccess insecure() {
        return new Insecure(false);
    }
}
