package io.openivs.server.ingest.rtmp;

import io.netty.handler.codec.DecoderException;

/** The peer broke the RTMP protocol; the connection is closed. Messages never contain stream keys. */
public final class RtmpProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public RtmpProtocolException(String message) {
        super(message);
    }
}
