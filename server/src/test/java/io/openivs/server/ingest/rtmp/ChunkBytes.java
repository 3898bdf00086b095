package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;

/** Builds RTMP chunk byte sequences by hand, field by field, for decoder tests and raw-socket peers. */
final class ChunkBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ChunkBytes basicHeader(int format, int csid) {
        if (csid < 64) {
            out.write(format << 6 | csid);
        } else if (csid < 320) {
            out.write(format << 6);
            out.write(csid - 64);
        } else {
            out.write(format << 6 | 1);
            out.write((csid - 64) & 0xFF);
            out.write((csid - 64) >> 8);
        }
        return this;
    }

    ChunkBytes type0(int csid, long timestamp, int length, int typeId, int messageStreamId) {
        basicHeader(0, csid);
        u24(timestamp >= 0xFFFFFF ? 0xFFFFFF : (int) timestamp).u24(length).u8(typeId);
        out.write(messageStreamId);
        out.write(messageStreamId >> 8);
        out.write(messageStreamId >> 16);
        out.write(messageStreamId >> 24);
        return timestamp >= 0xFFFFFF ? u32(timestamp) : this;
    }

    ChunkBytes type1(int csid, long delta, int length, int typeId) {
        basicHeader(1, csid);
        u24(delta >= 0xFFFFFF ? 0xFFFFFF : (int) delta).u24(length).u8(typeId);
        return delta >= 0xFFFFFF ? u32(delta) : this;
    }

    ChunkBytes type2(int csid, long delta) {
        basicHeader(2, csid);
        u24(delta >= 0xFFFFFF ? 0xFFFFFF : (int) delta);
        return delta >= 0xFFFFFF ? u32(delta) : this;
    }

    ChunkBytes type3(int csid) {
        return basicHeader(3, csid);
    }

    ChunkBytes u8(int v) {
        out.write(v);
        return this;
    }

    ChunkBytes u24(int v) {
        out.write(v >> 16);
        out.write(v >> 8);
        out.write(v);
        return this;
    }

    ChunkBytes u32(long v) {
        out.write((int) (v >> 24));
        out.write((int) (v >> 16));
        out.write((int) (v >> 8));
        out.write((int) v);
        return this;
    }

    ChunkBytes bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    ChunkBytes bytes(byte[] b, int from, int to) {
        out.write(b, from, to - from);
        return this;
    }

    /** A complete one-chunk Set Chunk Size message on chunk stream 2. */
    ChunkBytes setChunkSize(long size) {
        return type0(2, 0, 4, RtmpMessageType.SET_CHUNK_SIZE, 0).u32(size);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    ByteBuf toByteBuf() {
        return Unpooled.wrappedBuffer(toByteArray());
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
