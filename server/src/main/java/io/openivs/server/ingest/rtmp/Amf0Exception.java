package io.openivs.server.ingest.rtmp;

/** Malformed or unsupported AMF0 data. */
public final class Amf0Exception extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Amf0Exception(String message) {
        super(message);
    }
}
