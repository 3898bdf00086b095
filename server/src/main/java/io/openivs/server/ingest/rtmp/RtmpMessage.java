package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One reassembled RTMP message. The payload is reference counted: whoever consumes the message releases it.
 * The timestamp is the 32-bit RTMP timestamp in milliseconds, held as a non-negative long.
 */
public final class RtmpMessage extends DefaultByteBufHolder {
    private final int typeId;
    private final int messageStreamId;
    private final long timestamp;

    public RtmpMessage(int typeId, int messageStreamId, long timestamp, ByteBuf payload) {
        super(payload);
        if (typeId < 0 || typeId > 0xFF) {
            throw new IllegalArgumentException("typeId out of range: " + typeId);
        }
        this.typeId = typeId;
        this.messageStreamId = messageStreamId;
        this.timestamp = timestamp & 0xFFFFFFFFL;
    }

    public int typeId() {
        return typeId;
    }

    public int messageStreamId() {
        return messageStreamId;
    }

    public long timestamp() {
        return timestamp;
    }

    public ByteBuf payload() {
        return content();
    }

    @Override
    public RtmpMessage replace(ByteBuf content) {
        return new RtmpMessage(typeId, messageStreamId, timestamp, content);
    }

    @Override
    public RtmpMessage copy() {
        return (RtmpMessage) super.copy();
    }

    @Override
    public RtmpMessage duplicate() {
        return (RtmpMessage) super.duplicate();
    }

    @Override
    public RtmpMessage retainedDuplicate() {
        return (RtmpMessage) super.retainedDuplicate();
    }

    @Override
    public RtmpMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public RtmpMessage retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public RtmpMessage touch() {
        super.touch();
        return this;
    }

    @Override
    public RtmpMessage touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "RtmpMessage(type=" + typeId + ", stream=" + messageStreamId + ", ts=" + timestamp + ", length="
                + content().readableBytes() + ")";
    }
}
