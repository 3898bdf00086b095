package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Netty's response encoder, except that a bare {@link ByteBuf} or {@link FileRegion} passes through
 * untouched: it is part of an answer encoded ahead of time ({@link EncodedResponse}: a public
 * playlist with its head, or a segment's head followed by the segment's bytes or file). Everything
 * else playback sends is an HttpObject, so neither can be anything else here.
 */
final class PlaybackResponseEncoder extends HttpResponseEncoder {
    @Override
    public boolean acceptOutboundMessage(Object msg) throws Exception {
        return !(msg instanceof ByteBuf || msg instanceof FileRegion) && super.acceptOutboundMessage(msg);
    }
}
