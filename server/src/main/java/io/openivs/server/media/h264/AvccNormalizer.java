package io.openivs.server.media.h264;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a length-prefixed (AVCC) access unit, as FLV and MP4 carry it, into the one form the
 * media pipeline passes on: each NAL unit behind a 4-byte big-endian length, no access unit
 * delimiters, no parameter sets (those travel in the {@code VideoConfig}; the TS writer puts
 * them back in band, fMP4 has them in its sample entry). That is also an MP4 sample as is.
 *
 * <p>What encoders send over RTMP is almost always that form already (4-byte lengths, parameter
 * sets only in the sequence header): then the result is a retained slice of the input, no copy.
 * Other length sizes, delimiters or in-band parameter sets cost one copy of the access unit.
 * In-band parameter sets are kept aside ({@link #inBandSps()}, {@link #inBandPps()}) so the
 * caller can notice a configuration change the publisher made without a new sequence header.
 *
 * <p>One instance per stream; not thread-safe. Remembers facts about the last access unit.
 */
public final class AvccNormalizer {

    /** Bytes of every NAL unit length prefix in the pipeline's form. */
    public static final int LENGTH_SIZE = 4;

    private boolean idr;
    private boolean malformed;
    private final List<byte[]> sps = new ArrayList<>(1);
    private final List<byte[]> pps = new ArrayList<>(1);

    /**
     * @param avcc the access unit's NAL units, each behind a big-endian length of {@code lengthSize}
     *        bytes (1, 2 or 4); borrowed, its reader index is not moved
     * @return the access unit in the pipeline's form, a buffer the caller owns (possibly a retained
     *         slice of {@code avcc}), or null when its lengths do not tile the input
     *         ({@link #lastWasMalformed()}) or it holds no NAL unit besides delimiters and
     *         parameter sets
     */
    public ByteBuf normalize(ByteBufAllocator alloc, ByteBuf avcc, int lengthSize) {
        idr = false;
        malformed = false;
        sps.clear();
        pps.clear();
        boolean asIs = lengthSize == LENGTH_SIZE;
        int keptBytes = 0;
        int end = avcc.writerIndex();
        int i = avcc.readerIndex();
        while (i < end) {
            if (end - i < lengthSize) {
                malformed = true;
                return null;
            }
            long length = readLength(avcc, i, lengthSize);
            i += lengthSize;
            if (length > end - i) {
                malformed = true;
                return null;
            }
            if (length == 0) {
                asIs = false;
                continue;
            }
            int type = avcc.getByte(i) & 0x1F;
            if (type == NalUnitType.AUD || type == NalUnitType.SPS || type == NalUnitType.PPS) {
                asIs = false;
                if (type != NalUnitType.AUD) {
                    byte[] nal = new byte[(int) length];
                    avcc.getBytes(i, nal);
                    (type == NalUnitType.SPS ? sps : pps).add(nal);
                }
            } else {
                keptBytes += LENGTH_SIZE + (int) length;
                idr |= type == NalUnitType.IDR;
            }
            i += (int) length;
        }
        if (keptBytes == 0) {
            return null;
        }
        if (asIs) {
            return avcc.retainedSlice();
        }
        ByteBuf out = alloc.buffer(keptBytes, keptBytes);
        i = avcc.readerIndex();
        while (i < end) {
            int length = (int) readLength(avcc, i, lengthSize);
            i += lengthSize;
            if (length > 0) {
                int type = avcc.getByte(i) & 0x1F;
                if (type != NalUnitType.AUD && type != NalUnitType.SPS && type != NalUnitType.PPS) {
                    out.writeInt(length);
                    out.writeBytes(avcc, i, length);
                }
            }
            i += length;
        }
        return out;
    }

    /** Whether the last access unit holds an IDR picture. */
    public boolean lastWasIdr() {
        return idr;
    }

    /** Whether the last access unit was dropped because its NAL unit lengths do not tile it. */
    public boolean lastWasMalformed() {
        return malformed;
    }

    /** The sequence parameter sets the last access unit carried in band (usually none); do not modify. */
    public List<byte[]> inBandSps() {
        return sps;
    }

    /** The picture parameter sets the last access unit carried in band (usually none); do not modify. */
    public List<byte[]> inBandPps() {
        return pps;
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
