package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBufAllocator;

/** Builders for the protocol control and user control messages the server sends (RTMP 1.0, 5.4 and 6.2). */
final class ControlMessages {
    static final int USER_CONTROL_STREAM_BEGIN = 0;

    /** Set Peer Bandwidth limit type 2: the peer may treat the limit as hard or keep its previous one. */
    static final int PEER_BANDWIDTH_DYNAMIC = 2;

    private ControlMessages() {}

    static RtmpMessage setChunkSize(ByteBufAllocator alloc, int chunkSize) {
        return u32(alloc, RtmpMessageType.SET_CHUNK_SIZE, chunkSize);
    }

    static RtmpMessage acknowledgement(ByteBufAllocator alloc, long sequenceNumber) {
        return u32(alloc, RtmpMessageType.ACKNOWLEDGEMENT, (int) sequenceNumber);
    }

    static RtmpMessage windowAckSize(ByteBufAllocator alloc, int windowSize) {
        return u32(alloc, RtmpMessageType.WINDOW_ACK_SIZE, windowSize);
    }

    static RtmpMessage setPeerBandwidth(ByteBufAllocator alloc, int windowSize, int limitType) {
        return new RtmpMessage(
                RtmpMessageType.SET_PEER_BANDWIDTH,
                0,
                0,
                alloc.buffer(5).writeInt(windowSize).writeByte(limitType));
    }

    static RtmpMessage streamBegin(ByteBufAllocator alloc, int messageStreamId) {
        return userControl(alloc, USER_CONTROL_STREAM_BEGIN, messageStreamId);
    }

    private static RtmpMessage userControl(ByteBufAllocator alloc, int eventType, int value) {
        return new RtmpMessage(
                RtmpMessageType.USER_CONTROL,
                0,
                0,
                alloc.buffer(6).writeShort(eventType).writeInt(value));
    }

    private static RtmpMessage u32(ByteBufAllocator alloc, int typeId, int value) {
        return new RtmpMessage(typeId, 0, 0, alloc.buffer(4).writeInt(value));
    }
}
