package io.openivs.server.media.fmp4;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * ISO BMFF (ISO/IEC 14496-12) box framing: a box is written header first with a zero size,
 * its body after, and {@link #end} patches the size in place, so nothing is measured twice or
 * copied.
 */
final class Boxes {

    private Boxes() {}

    /** A four-character code as the big-endian int the box header carries. */
    static int type(String fourcc) {
        byte[] b = fourcc.getBytes(StandardCharsets.US_ASCII);
        if (b.length != 4) {
            throw new IllegalArgumentException(fourcc);
        }
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF;
    }

    /** Writes a box header with a size to patch later; returns where the box starts. */
    static int begin(ByteBuf out, int type) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeInt(type);
        return start;
    }

    /** A full box: the header, then version and flags. */
    static int beginFull(ByteBuf out, int type, int version, int flags) {
        int start = begin(out, type);
        out.writeInt(version << 24 | flags & 0xFF_FFFF);
        return start;
    }

    /** Sets the size of the box that starts at {@code start} to end here. */
    static void end(ByteBuf out, int start) {
        out.setInt(start, out.writerIndex() - start);
    }
}
