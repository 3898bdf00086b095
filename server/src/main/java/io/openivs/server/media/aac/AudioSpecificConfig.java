package io.openivs.server.media.aac;

import io.openivs.server.media.bits.BitReader;

/**
 * The fields of an MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) that remuxing needs.
 *
 * @param objectType the signalled audio object type: 2 for AAC-LC, 5 (SBR) or 29 (PS) for HE-AAC
 * @param coreObjectType the object type of the AAC core, which ADTS headers carry (2 for HE-AAC over LC)
 * @param samplingFrequencyIndex index of the core sampling rate, or 15 when given explicitly
 * @param sampleRate core sampling rate in Hz
 * @param channelConfiguration 0 (defined in-band) or 1..7
 */
public record AudioSpecificConfig(
        int objectType, int coreObjectType, int samplingFrequencyIndex, int sampleRate, int channelConfiguration) {

    static final int[] SAMPLE_RATES = {
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
    };

    private static final int SBR = 5;
    private static final int PS = 29;

    /** @throws IllegalArgumentException if the bytes are not a valid AudioSpecificConfig */
    public static AudioSpecificConfig parse(byte[] bytes) {
        BitReader r = new BitReader(bytes);
        int objectType = readObjectType(r);
        int sfi = r.readInt(4);
        int sampleRate = readSampleRate(r, sfi);
        int channels = r.readInt(4);
        int coreObjectType = objectType;
        if (objectType == SBR || objectType == PS) {
            // The core follows the extension's sampling rate; ADTS and frame timing use the core's.
            readSampleRate(r, r.readInt(4));
            coreObjectType = readObjectType(r);
        }
        if (objectType == 0 || coreObjectType == 0) {
            throw new IllegalArgumentException("AAC object type 0");
        }
        return new AudioSpecificConfig(objectType, coreObjectType, sfi, sampleRate, channels);
    }

    /** Whether ADTS headers can describe this stream (its 2-bit profile covers object types 1 to 4). */
    public boolean fitsAdts() {
        return coreObjectType >= 1
                && coreObjectType <= 4
                && samplingFrequencyIndex < SAMPLE_RATES.length
                && channelConfiguration <= 7;
    }

    private static int readObjectType(BitReader r) {
        int type = r.readInt(5);
        return type == 31 ? 32 + r.readInt(6) : type;
    }

    private static int readSampleRate(BitReader r, int index) {
        if (index == 15) {
            return r.readInt(24);
        }
        if (index >= SAMPLE_RATES.length) {
            throw new IllegalArgumentException("sampling frequency index " + index);
        }
        return SAMPLE_RATES[index];
    }
}
