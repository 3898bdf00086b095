package io.openivs.server.media.ts.demux;

import io.netty.buffer.ByteBuf;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.aac.AudioSpecificConfig;

/**
 * Reads the ADTS headers (ISO/IEC 13818-7 6.2) of an AAC PES: where each raw frame lies and the
 * {@link AudioConfig} they describe. One per audio PID; not thread-safe.
 */
final class AdtsElementary {

    static final int[] SAMPLE_RATES = {
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
    };

    private AudioConfig config;
    private int headerBits = -1;
    private int frameOffset;
    private int frameLength;

    AudioConfig config() {
        return config;
    }

    /** Offset of the raw frame found by the last successful {@link #next} call. */
    int frameOffset() {
        return frameOffset;
    }

    int frameLength() {
        return frameLength;
    }

    /**
     * Reads the ADTS frame starting at {@code index}.
     *
     * @return the index after it, or -1 when no whole valid frame starts there
     */
    int next(ByteBuf es, int index, int end) {
        if (end - index < 7) {
            return -1;
        }
        int b0 = es.getUnsignedByte(index);
        int b1 = es.getUnsignedByte(index + 1);
        if (b0 != 0xFF || (b1 & 0xF6) != 0xF0) {
            return -1;
        }
        boolean crc = (b1 & 1) == 0;
        int b2 = es.getUnsignedByte(index + 2);
        int b3 = es.getUnsignedByte(index + 3);
        int length = ((b3 & 0x3) << 11) | (es.getUnsignedByte(index + 4) << 3) | (es.getUnsignedByte(index + 5) >> 5);
        int header = crc ? 9 : 7;
        int rawBlocks = es.getUnsignedByte(index + 6) & 0x3;
        if (length <= header || length > end - index || rawBlocks != 0) {
            return -1;
        }
        int fields = (b2 << 8 | b3) & 0xFFC0; // profile, sampling index, channel configuration
        if (fields != headerBits) {
            int profile = b2 >> 6;
            int sfi = (b2 >> 2) & 0xF;
            int channels = ((b2 & 1) << 2) | (b3 >> 6);
            if (sfi >= SAMPLE_RATES.length) {
                return -1;
            }
            int objectType = profile + 1;
            byte[] asc = {(byte) ((objectType << 3) | (sfi >> 1)), (byte) (((sfi & 1) << 7) | (channels << 3))};
            AudioSpecificConfig parsed = AudioSpecificConfig.parse(asc);
            config = new AudioConfig(asc, parsed.objectType(), parsed.sampleRate(), parsed.channelConfiguration());
            headerBits = fields;
        }
        frameOffset = index + header;
        frameLength = length - header;
        return index + length;
    }
}
