package io.openivs.server.ingest.rtmp;

/** A refusal from the authorizer; the message is safe to log (no key) and is sent to the client as the onStatus description. */
public final class PublishRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PublishRefusedException(String message) {
        super(message, null, false, false);
    }
}
