package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Splits outgoing {@link RtmpMessage}s into chunks. Every message starts with a type 0 header and continues
 * with type 3 headers: the server sends few, small messages, so header compression would buy nothing.
 * Protocol control messages go on chunk stream 2 (as the specification requires), everything else on 3.
 * A Set Chunk Size message passing through changes the size used for the messages after it.
 */
public final class ChunkEncoder extends MessageToByteEncoder<RtmpMessage> {
    static final int CONTROL_CHUNK_STREAM = 2;
    static final int COMMAND_CHUNK_STREAM = 3;

    private int chunkSize = ChunkDecoder.DEFAULT_CHUNK_SIZE;

    public ChunkEncoder() {
        super(RtmpMessage.class);
    }

    public int chunkSize() {
        return chunkSize;
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, RtmpMessage msg, boolean preferDirect) {
        int length = msg.content().readableBytes();
        int chunks = Math.max(1, (length + chunkSize - 1) / chunkSize);
        int size = length + 16 + (chunks - 1) * 5;
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RtmpMessage msg, ByteBuf out) {
        ByteBuf payload = msg.content();
        int length = payload.readableBytes();
        if (length > 0xFFFFFF) {
            throw new EncoderException("RTMP message longer than 16777215 bytes");
        }
        int csid = RtmpMessageType.isProtocolControl(msg.typeId()) ? CONTROL_CHUNK_STREAM : COMMAND_CHUNK_STREAM;
        long timestamp = msg.timestamp();
        boolean extended = timestamp >= 0xFFFFFF;

        out.writeByte(csid); // format 0; both chunk streams we use fit the one-byte basic header
        out.writeMedium(extended ? 0xFFFFFF : (int) timestamp);
        out.writeMedium(length);
        out.writeByte(msg.typeId());
        out.writeIntLE(msg.messageStreamId());
        if (extended) {
            out.writeInt((int) timestamp);
        }
        int index = payload.readerIndex();
        int remaining = length;
        while (true) {
            int n = Math.min(chunkSize, remaining);
            out.writeBytes(payload, index, n);
            index += n;
            remaining -= n;
            if (remaining == 0) {
                break;
            }
            out.writeByte(0xC0 | csid);
            if (extended) {
                out.writeInt((int) timestamp);
            }
        }
        if (msg.typeId() == RtmpMessageType.SET_CHUNK_SIZE && length >= 4) {
            chunkSize = Math.max(1, payload.getInt(payload.readerIndex()) & 0x7FFFFFFF);
        }
    }
}
