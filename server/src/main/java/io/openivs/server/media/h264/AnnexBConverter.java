package io.openivs.server.media.h264;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * Rewrites a length-prefixed (AVCC, as carried in FLV and MP4) access unit into Annex-B byte
 * stream form for MPEG-TS: an access unit delimiter first, the parameter sets in front of every
 * IDR that lacks them (so each segment decodes on its own), 4-byte start codes. Reads the
 * lengths once to size the output, then copies each NAL unit once into one buffer.
 *
 * <p>One instance per stream; not thread-safe. Remembers whether the last access unit was an IDR.
 */
public final class AnnexBConverter {

    private static final byte[] START_CODE = {0, 0, 0, 1};
    // AUD with primary_pic_type 7 (any slice type) and the RBSP stop bit.
    private static final byte[] AUD = {0, 0, 0, 1, NalUnitType.AUD, (byte) 0xF0};

    private boolean idr;

    /** Joins parameter sets into the Annex-B blob that {@link #convert} puts before IDR pictures. */
    public static byte[] parameterSets(List<byte[]> spsList, List<byte[]> ppsList) {
        int size = 0;
        for (byte[] nal : spsList) {
            size += START_CODE.length + nal.length;
        }
        for (byte[] nal : ppsList) {
            size += START_CODE.length + nal.length;
        }
        byte[] out = new byte[size];
        int pos = 0;
        for (List<byte[]> list : List.of(spsList, ppsList)) {
            for (byte[] nal : list) {
                System.arraycopy(START_CODE, 0, out, pos, START_CODE.length);
                pos += START_CODE.length;
                System.arraycopy(nal, 0, out, pos, nal.length);
                pos += nal.length;
            }
        }
        return out;
    }

    /**
     * @param avcc the access unit's NAL units, each behind a big-endian length of {@code lengthSize} bytes;
     *        its reader index is not moved
     * @param parameterSets Annex-B SPS and PPS from {@link #parameterSets}
     * @return a new buffer the caller owns, or null when the lengths do not tile the input or
     *         there is no NAL unit besides delimiters
     */
    public ByteBuf convert(ByteBufAllocator alloc, ByteBuf avcc, int lengthSize, byte[] parameterSets) {
        idr = false;
        boolean hasSps = false;
        int nalBytes = 0;
        int nalCount = 0;
        int end = avcc.writerIndex();
        int i = avcc.readerIndex();
        while (i < end) {
            if (end - i < lengthSize) {
                return null;
            }
            long length = readLength(avcc, i, lengthSize);
            i += lengthSize;
            if (length > end - i) {
                return null;
            }
            if (length == 0) {
                continue;
            }
            int type = avcc.getByte(i) & 0x1F;
            if (type != NalUnitType.AUD) {
                nalBytes += START_CODE.length + (int) length;
                nalCount++;
                idr |= type == NalUnitType.IDR;
                hasSps |= type == NalUnitType.SPS;
            }
            i += (int) length;
        }
        if (nalCount == 0) {
            return null;
        }
        boolean addParameterSets = idr && !hasSps;
        ByteBuf out = alloc.buffer(AUD.length + (addParameterSets ? parameterSets.length : 0) + nalBytes);
        out.writeBytes(AUD);
        if (addParameterSets) {
            out.writeBytes(parameterSets);
        }
        i = avcc.readerIndex();
        while (i < end) {
            int length = (int) readLength(avcc, i, lengthSize);
            i += lengthSize;
            if (length > 0 && (avcc.getByte(i) & 0x1F) != NalUnitType.AUD) {
                out.writeBytes(START_CODE);
                out.writeBytes(avcc, i, length);
            }
            i += length;
        }
        return out;
    }

    /** Whether the last converted access unit holds an IDR picture. */
    public boolean lastWasIdr() {
        return idr;
    }

    private static long readLength(ByteBuf buf, int index, int lengthSize) {
        switch (lengthSize) {
            case 1:
                return buf.getUnsignedByte(index);
            case 2:
                return buf.getUnsignedShort(index);
            case 4:
                return buf.getUnsignedInt(index);
            default:
                throw new IllegalArgumentException("NAL length size " + lengthSize);
        }
    }
}
