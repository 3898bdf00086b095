package io.openivs.server.media.h264;

import io.netty.buffer.ByteBuf;

/**
 * Rewrites an Annex-B access unit (start codes, as {@link AnnexBConverter} makes for MPEG-TS)
 * into the 4-byte length-prefixed form MP4 samples carry. Access unit delimiters and parameter
 * sets are left out: in MP4 the sample entry's avcC holds the parameter sets and the sample
 * boundaries delimit access units.
 */
public final class LengthPrefixer {

    private LengthPrefixer() {
    }

    /**
     * Appends the NAL units of {@code annexB} (its readable bytes, reader index unmoved) to {@code out}.
     *
     * @return bytes appended; 0 when the access unit held nothing but delimiters and parameter sets
     */
    public static int append(ByteBuf annexB, ByteBuf out) {
        int start = out.writerIndex();
        int end = annexB.writerIndex();
        int code = startCode(annexB, annexB.readerIndex(), end);
        while (code >= 0) {
            int nal = code + 3;
            int next = startCode(annexB, nal, end);
            int nalEnd = next < 0 ? end : next;
            // Zero bytes before a start code belong to the code (or are trailing_zero_8bits), never to the NAL.
            while (nalEnd > nal && annexB.getByte(nalEnd - 1) == 0) {
                nalEnd--;
            }
            if (nalEnd > nal) {
                int type = annexB.getByte(nal) & 0x1F;
                if (type != NalUnitType.AUD && type != NalUnitType.SPS && type != NalUnitType.PPS) {
                    out.writeInt(nalEnd - nal);
                    out.writeBytes(annexB, nal, nalEnd - nal);
                }
            }
            code = next;
        }
        return out.writerIndex() - start;
    }

    /**
     * Index of the next 00 00 01 at or after {@code from}, or -1. Searches for the 01 with
     * {@link ByteBuf#indexOf}, which compares a word at a time, and checks the two bytes before
     * it: a 01 byte is rare in coded slice data. (Measured faster here than stepping over bytes
     * that cannot end a start code, or than testing words for 0 and 1 bytes by hand.)
     */
    private static int startCode(ByteBuf buf, int from, int end) {
        int i = from + 2;
        while (i < end) {
            int one = buf.indexOf(i, end, (byte) 1);
            if (one < 0) {
                return -1;
            }
            if (buf.getByte(one - 1) == 0 && buf.getByte(one - 2) == 0) {
                return one - 2;
            }
            i = one + 1;
        }
        return -1;
    }
}
