package io.openivs.server.media.aac;

import io.netty.buffer.ByteBuf;

/** Writes the 7-byte ADTS header (ISO/IEC 13818-7 6.2, no CRC) that MPEG-TS carries before each raw AAC frame. */
public final class AdtsHeader {

    public static final int LENGTH = 7;
    private static final int MAX_FRAME_LENGTH = (1 << 13) - 1;

    private AdtsHeader() {}

    /**
     * @param config a config for which {@link AudioSpecificConfig#fitsAdts()} holds
     * @param payloadLength bytes of the raw AAC frame that follows the header
     */
    public static void write(ByteBuf out, AudioSpecificConfig config, int payloadLength) {
        int frameLength = LENGTH + payloadLength;
        if (frameLength > MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("AAC frame of " + payloadLength + " bytes does not fit ADTS");
        }
        int profile = config.coreObjectType() - 1;
        int sfi = config.samplingFrequencyIndex();
        int channels = config.channelConfiguration();
        out.writeByte(0xFF);
        out.writeByte(0xF1); // sync, MPEG-4, layer 0, protection_absent
        out.writeByte((profile << 6) | (sfi << 2) | (channels >> 2));
        out.writeByte(((channels & 0x3) << 6) | (frameLength >> 11));
        out.writeByte((frameLength >> 3) & 0xFF);
        out.writeByte(((frameLength & 0x7) << 5) | 0x1F); // buffer fullness 0x7FF: variable bit rate
        out.writeByte(0xFC); // rest of buffer fullness, one raw data block
    }
}
