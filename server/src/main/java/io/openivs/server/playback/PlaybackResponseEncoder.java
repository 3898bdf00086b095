package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Netty's response encoder, except that a bare {@link ByteBuf} passes through untouched: it is a
 * whole response encoded ahead of time (a public playlist with its head, shared by every viewer of
 * the window). Playback never streams a body in pieces, so a ByteBuf cannot be anything else here.
 */
final class PlaybackResponseEncoder extends HttpResponseEncoder {
    @Override
    public boolean acceptOutboundMessage(Object msg) throws Exception {
        return !(msg instanceof ByteBuf) && super.acceptOutboundMessage(msg);
    }
}
