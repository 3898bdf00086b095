package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Follows the TLS record boundaries (RFC 8446 section 5.1: a 5-byte header whose last two bytes are the
 * body length) in the bytes an RTMPS connection receives, and passes those bytes on untouched. A record
 * only decrypts whole, so while one is partly here nothing new can reach the chunk decoder before its last
 * byte arrives: {@link #bytesToRecordEnd()} is what receive batching waits for then.
 */
final class TlsRecordBoundaries extends ChannelInboundHandlerAdapter {
    private static final int HEADER_LENGTH = 5;

    /** Header bytes of the next record seen so far (0 at a boundary or inside a body). */
    private int headerSeen;

    private int bodyLength;
    /** Body bytes of the current record still to come. */
    private int bodyRemaining;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            follow((ByteBuf) msg);
        }
        ctx.fireChannelRead(msg);
    }

    private void follow(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (bodyRemaining > 0) {
                int n = Math.min(bodyRemaining, end - i);
                bodyRemaining -= n;
                i += n;
                continue;
            }
            int b = buf.getUnsignedByte(i++);
            if (headerSeen == 3) {
                bodyLength = b << 8;
            } else if (headerSeen == 4) {
                bodyLength |= b;
            }
            if (++headerSeen == HEADER_LENGTH) {
                headerSeen = 0;
                bodyRemaining = bodyLength;
            }
        }
    }

    /** The bytes still to come before the record in progress is whole (at least), or 0 at a record boundary. */
    int bytesToRecordEnd() {
        return headerSeen > 0 ? HEADER_LENGTH - headerSeen : bodyRemaining;
    }
}
