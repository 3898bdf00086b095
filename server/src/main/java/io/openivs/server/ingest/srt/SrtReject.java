package io.openivs.server.ingest.srt;

/**
 * Rejection codes a listener puts in the handshake type of its answer (draft-sharabayko-srt
 * 3.2.1, libsrt's SRT_REJ_* and the access-control SRT_REJX_* ranges): the caller's application
 * sees them as the reason of its failed connect.
 */
public final class SrtReject {

    public static final int SYSTEM = 1001;
    public static final int PEER = 1002;
    public static final int RESOURCE = 1003;
    public static final int ROGUE = 1004;
    public static final int BACKLOG = 1005;
    public static final int VERSION = 1008;
    /** The passphrase does not match. */
    public static final int BAD_SECRET = 1010;
    /** One side wants encryption and the other does not. */
    public static final int UNSECURE = 1011;

    public static final int MESSAGE_API = 1012;
    public static final int TIMEOUT = 1016;
    public static final int BAD_REQUEST = 1400;
    public static final int UNAUTHORIZED = 1401;
    public static final int FORBIDDEN = 1403;
    public static final int NOT_FOUND = 1404;
    /** The stream is already being published. */
    public static final int CONFLICT = 1409;

    private SrtReject() {}

    /** Thrown by {@link SrtIngest#open} to refuse a caller with a code. */
    public static final class Refusal extends RuntimeException {
        private final int code;

        public Refusal(int code, String why) {
            super(why, null, false, false);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
