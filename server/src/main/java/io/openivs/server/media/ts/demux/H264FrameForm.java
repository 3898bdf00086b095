package io.openivs.server.media.ts.demux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.openivs.server.media.h264.NalUnitType;

/**
 * The one place that decides the byte form of the H.264 access units the demuxer hands on, so
 * the pipeline's frame form can change here alone. {@link #ANNEX_B} is what {@code MediaFrame}
 * documents today (AUD first, SPS/PPS in front of every IDR, 4-byte start codes, as FLV's
 * converter makes); {@link #AVCC} is 4-byte length-prefixed NAL units without AUD/SPS/PPS, as MP4
 * samples carry them.
 */
public enum H264FrameForm {
    ANNEX_B,
    AVCC;

    /** The form the demuxer uses; the pipeline's choice. */
    public static final H264FrameForm PIPELINE = ANNEX_B;

    private static final byte[] AUD = {0, 0, 0, 1, NalUnitType.AUD, (byte) 0xF0};

    /**
     * Writes one access unit.
     *
     * @param src the buffer holding the NAL units
     * @param nals offsets and lengths of the NAL units in {@code src}: {@code nals[2i]}, {@code nals[2i+1]}
     * @param count number of NAL units
     * @param parameterSets Annex-B SPS and PPS of the current config, put in front of an IDR that lacks them
     * @return a new buffer the caller owns, or null when nothing but AUD/parameter sets remain
     */
    ByteBuf write(ByteBufAllocator alloc, ByteBuf src, int[] nals, int count, byte[] parameterSets) {
        boolean idr = false;
        boolean hasSps = false;
        int size = 0;
        int kept = 0;
        for (int i = 0; i < count; i++) {
            int type = src.getByte(nals[2 * i]) & 0x1F;
            idr |= type == NalUnitType.IDR;
            hasSps |= type == NalUnitType.SPS;
            if (keep(type)) {
                size += 4 + nals[2 * i + 1];
                kept++;
            }
        }
        if (!hasSlice(src, nals, count)) {
            return null;
        }
        boolean addSets = this == ANNEX_B && idr && !hasSps;
        ByteBuf out = alloc.buffer(size + (this == ANNEX_B ? AUD.length : 0) + (addSets ? parameterSets.length : 0));
        if (this == ANNEX_B) {
            out.writeBytes(AUD);
            if (addSets) {
                out.writeBytes(parameterSets);
            }
        }
        for (int i = 0; i < count && kept > 0; i++) {
            int off = nals[2 * i];
            int len = nals[2 * i + 1];
            if (keep(src.getByte(off) & 0x1F)) {
                if (this == ANNEX_B) {
                    out.writeInt(1);
                } else {
                    out.writeInt(len);
                }
                out.writeBytes(src, off, len);
            }
        }
        return out;
    }

    private boolean keep(int type) {
        if (type == NalUnitType.AUD) {
            return false;
        }
        return this == ANNEX_B || (type != NalUnitType.SPS && type != NalUnitType.PPS);
    }

    private static boolean hasSlice(ByteBuf src, int[] nals, int count) {
        for (int i = 0; i < count; i++) {
            int type = src.getByte(nals[2 * i]) & 0x1F;
            if (type >= NalUnitType.NON_IDR && type <= NalUnitType.IDR) {
                return true;
            }
        }
        return false;
    }
}
