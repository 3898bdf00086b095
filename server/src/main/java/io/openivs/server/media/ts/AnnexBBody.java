package io.openivs.server.media.ts;

import io.netty.buffer.ByteBuf;
import io.openivs.server.media.h264.NalUnitType;
import java.util.List;

/**
 * A video access unit as MPEG-TS carries H.264 (ITU-T H.264 Annex B, as ISO/IEC 13818-1 2.14
 * asks): an access unit delimiter first, the parameter sets in front of an IDR picture (so each
 * segment decodes on its own), every NAL unit behind a 4-byte start code. Made from the
 * pipeline's form, 4-byte length-prefixed NAL units without delimiters or parameter sets, and
 * written straight into the transport packets: the start codes replace the length prefixes on
 * the way, so the access unit is never copied into an Annex-B buffer of its own.
 *
 * <p>Reused for every frame of one writer; not thread-safe.
 */
final class AnnexBBody implements TsPacketizer.PesBody {

    private static final byte[] START_CODE = {0, 0, 0, 1};
    /** AUD with primary_pic_type 7 (any slice type) and the RBSP stop bit. */
    static final byte[] AUD = {0, 0, 0, 1, NalUnitType.AUD, (byte) 0xF0};

    private ByteBuf avcc;
    private int length;
    /** Index of the next NAL unit's length prefix. */
    private int next;
    /** The constant piece being written (delimiter, parameter sets, a start code), or null. */
    private byte[] piece;

    private int piecePos;
    /** Parameter sets still to write after the delimiter, or null. */
    private byte[] pendingParameterSets;

    private int nalIndex;
    private int nalLeft;

    /** Joins parameter sets, SPS first, into the Annex-B bytes put before IDR pictures. */
    static byte[] parameterSets(List<byte[]> spsList, List<byte[]> ppsList) {
        int size = 0;
        for (List<byte[]> list : List.of(spsList, ppsList)) {
            for (byte[] nal : list) {
                size += START_CODE.length + nal.length;
            }
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
     * Sets up the body for one access unit.
     *
     * @param lengthPrefixed the access unit's NAL units behind 4-byte lengths; borrowed until
     *        written, reader index not moved
     * @param parameterSets from {@link #parameterSets}, put after the delimiter; null for none
     * @return false when the lengths do not tile the access unit (nothing to write)
     */
    boolean start(ByteBuf lengthPrefixed, byte[] parameterSets) {
        int end = lengthPrefixed.writerIndex();
        int i = lengthPrefixed.readerIndex();
        int size = AUD.length + (parameterSets == null ? 0 : parameterSets.length);
        while (i < end) {
            if (end - i < 4) {
                return false;
            }
            long nal = lengthPrefixed.getUnsignedInt(i);
            i += 4;
            if (nal > end - i) {
                return false;
            }
            // Start code for length: the Annex-B form is exactly as long, empty NAL units aside.
            size += nal == 0 ? 0 : START_CODE.length + (int) nal;
            i += (int) nal;
        }
        avcc = lengthPrefixed;
        length = size;
        next = lengthPrefixed.readerIndex();
        piece = AUD;
        piecePos = 0;
        pendingParameterSets = parameterSets;
        nalLeft = 0;
        return true;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void writeNext(ByteBuf out, int count) {
        if (piece == null && nalLeft >= count) {
            // Most packets lie inside one NAL unit.
            out.writeBytes(avcc, nalIndex, count);
            nalIndex += count;
            nalLeft -= count;
            return;
        }
        while (count > 0) {
            if (piece != null) {
                int n = Math.min(count, piece.length - piecePos);
                out.writeBytes(piece, piecePos, n);
                piecePos += n;
                count -= n;
                if (piecePos == piece.length) {
                    piece = null;
                }
            } else if (nalLeft > 0) {
                int n = Math.min(count, nalLeft);
                out.writeBytes(avcc, nalIndex, n);
                nalIndex += n;
                nalLeft -= n;
                count -= n;
            } else if (pendingParameterSets != null) {
                piece = pendingParameterSets;
                piecePos = 0;
                pendingParameterSets = null;
            } else {
                int nal = avcc.getInt(next);
                nalIndex = next + 4;
                nalLeft = nal;
                next = nalIndex + nal;
                if (nal > 0) {
                    piece = START_CODE;
                    piecePos = 0;
                }
            }
        }
    }

    /** Drops the reference to the last access unit once it is written. */
    void clear() {
        avcc = null;
    }
}
