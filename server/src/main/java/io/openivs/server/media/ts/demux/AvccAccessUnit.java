package io.openivs.server.media.ts.demux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.openivs.server.media.h264.NalUnitType;

/**
 * Writes one access unit found between Annex-B start codes in the pipeline's frame form (see
 * {@code MediaFrame}): 4-byte length-prefixed NAL units without AUD, SPS or PPS, which travel in
 * the {@code VideoConfig}. Only the TS writer puts start codes back.
 */
final class AvccAccessUnit {
    private AvccAccessUnit() {}

    /**
     * @param src the buffer holding the NAL units
     * @param nals offsets and lengths of the NAL units in {@code src}: {@code nals[2i]}, {@code nals[2i+1]}
     * @param count number of NAL units
     * @return a new buffer the caller owns, or null when the unit holds no slice
     */
    static ByteBuf write(ByteBufAllocator alloc, ByteBuf src, int[] nals, int count) {
        int size = 0;
        boolean slice = false;
        for (int i = 0; i < count; i++) {
            int type = src.getByte(nals[2 * i]) & 0x1F;
            slice |= type >= NalUnitType.NON_IDR && type <= NalUnitType.IDR;
            if (keep(type)) {
                size += 4 + nals[2 * i + 1];
            }
        }
        if (!slice) {
            return null;
        }
        ByteBuf out = alloc.buffer(size);
        for (int i = 0; i < count; i++) {
            int off = nals[2 * i];
            int len = nals[2 * i + 1];
            if (keep(src.getByte(off) & 0x1F)) {
                out.writeInt(len);
                out.writeBytes(src, off, len);
            }
        }
        return out;
    }

    private static boolean keep(int type) {
        return type != NalUnitType.AUD && type != NalUnitType.SPS && type != NalUnitType.PPS;
    }
}
