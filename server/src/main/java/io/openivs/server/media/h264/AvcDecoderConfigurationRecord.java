package io.openivs.server.media.h264;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) that FLV and MP4 carry as the
 * H.264 sequence header.
 *
 * @param nalLengthSize bytes in each NAL unit length prefix: 1, 2 or 4
 */
public record AvcDecoderConfigurationRecord(int nalLengthSize, List<byte[]> sps, List<byte[]> pps) {

    /**
     * Reads the record from the readable bytes of {@code buf} without moving its reader index.
     *
     * @throws IllegalArgumentException if the record is truncated or has no SPS or PPS
     */
    public static AvcDecoderConfigurationRecord parse(ByteBuf buf) {
        ByteBuf in = buf.duplicate();
        if (in.readableBytes() < 7) {
            throw new IllegalArgumentException("AVC sequence header too short");
        }
        int version = in.readUnsignedByte();
        if (version != 1) {
            throw new IllegalArgumentException("AVCDecoderConfigurationRecord version " + version);
        }
        in.skipBytes(3); // profile, compatibility, level: the SPS is the authority
        int nalLengthSize = (in.readUnsignedByte() & 0x03) + 1;
        if (nalLengthSize == 3) {
            throw new IllegalArgumentException("NAL length size 3");
        }
        List<byte[]> sps = readNals(in, in.readUnsignedByte() & 0x1F);
        if (!in.isReadable()) {
            throw new IllegalArgumentException("AVC sequence header has no PPS count");
        }
        List<byte[]> pps = readNals(in, in.readUnsignedByte());
        // High profile records may continue with chroma/bit-depth fields that repeat the SPS.
        if (sps.isEmpty() || pps.isEmpty()) {
            throw new IllegalArgumentException("AVC sequence header without SPS or PPS");
        }
        return new AvcDecoderConfigurationRecord(nalLengthSize, List.copyOf(sps), List.copyOf(pps));
    }

    private static List<byte[]> readNals(ByteBuf in, int count) {
        List<byte[]> nals = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (in.readableBytes() < 2) {
                throw new IllegalArgumentException("AVC sequence header truncated");
            }
            int length = in.readUnsignedShort();
            if (length == 0 || in.readableBytes() < length) {
                throw new IllegalArgumentException("AVC sequence header truncated");
            }
            byte[] nal = new byte[length];
            in.readBytes(nal);
            nals.add(nal);
        }
        return nals;
    }
}
