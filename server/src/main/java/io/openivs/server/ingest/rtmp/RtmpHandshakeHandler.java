package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server side of the RTMP handshake: reads C0+C1, answers S0+S1+S2 (plain or digest, see {@link RtmpHandshake}),
 * reads C2, then removes itself so that the bytes after C2 reach the chunk decoder. A wrong version byte closes
 * the connection at once; a client that has not finished within the timeout is closed too.
 */
public final class RtmpHandshakeHandler extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(RtmpHandshakeHandler.class);

    private enum State {
        C0_C1,
        C2,
        DONE
    }

    private final long timeoutMillis;
    private State state = State.C0_C1;
    private ScheduledFuture<?> timeout;

    public RtmpHandshakeHandler(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeout = ctx.executor()
                .schedule(
                        () -> {
                            if (state != State.DONE && ctx.channel().isOpen()) {
                                log.debug(
                                        "{}: RTMP handshake not completed in {} ms, closing",
                                        ctx.channel().remoteAddress(),
                                        timeoutMillis);
                                ctx.close();
                            }
                        },
                        timeoutMillis,
                        TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case C0_C1:
                if (!in.isReadable()) {
                    return;
                }
                int version = in.getUnsignedByte(in.readerIndex());
                if (version != RtmpHandshake.VERSION) {
                    state = State.DONE;
                    in.skipBytes(in.readableBytes());
                    throw new RtmpProtocolException("unsupported RTMP version byte " + version);
                }
                if (in.readableBytes() < 1 + RtmpHandshake.PACKET_SIZE) {
                    return;
                }
                in.skipBytes(1);
                byte[] c1 = new byte[RtmpHandshake.PACKET_SIZE];
                in.readBytes(c1);
                RtmpHandshake.DigestLayout layout = RtmpHandshake.findClientDigest(c1);
                log.debug(
                        "{}: RTMP {} handshake",
                        ctx.channel().remoteAddress(),
                        layout == null ? "plain" : "digest " + layout);
                byte[] s1s2 = RtmpHandshake.serverResponse(c1, layout, ThreadLocalRandom.current());
                ByteBuf reply = ctx.alloc().buffer(1 + s1s2.length);
                reply.writeByte(RtmpHandshake.VERSION).writeBytes(s1s2);
                ctx.writeAndFlush(reply);
                state = State.C2;
                return;
            case C2:
                if (in.readableBytes() < RtmpHandshake.PACKET_SIZE) {
                    return;
                }
                // Nothing in C2 is worth checking: a client that got S1/S2 wrong fails its own checks, not ours.
                in.skipBytes(RtmpHandshake.PACKET_SIZE);
                state = State.DONE;
                ctx.pipeline().remove(this); // what follows C2 is passed on to the chunk decoder
                return;
            default:
                in.skipBytes(in.readableBytes());
        }
    }
}
