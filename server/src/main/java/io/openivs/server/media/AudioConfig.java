package io.openivs.server.media;

import java.util.Arrays;

/** AAC decoder configuration of an audio track, as read from the stream. Immutable. */
public final class AudioConfig {

    private final byte[] audioSpecificConfig;
    private final int objectType;
    private final int sampleRate;
    private final int channels;

    /**
     * @param audioSpecificConfig the AudioSpecificConfig bytes (ISO/IEC 14496-3 1.6.2.1)
     * @param objectType the signalled audio object type (2 = AAC-LC, 5 = HE-AAC, 29 = HE-AACv2)
     * @param sampleRate sampling rate of the AAC core in Hz, the rate frames are coded at
     * @param channels channel configuration (1 = mono, 2 = stereo, ...)
     */
    public AudioConfig(byte[] audioSpecificConfig, int objectType, int sampleRate, int channels) {
        this.audioSpecificConfig = audioSpecificConfig.clone();
        this.objectType = objectType;
        this.sampleRate = sampleRate;
        this.channels = channels;
    }

    public byte[] audioSpecificConfig() {
        return audioSpecificConfig.clone();
    }

    public int objectType() {
        return objectType;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public int channels() {
        return channels;
    }

    /** Duration of one AAC frame (1024 samples of the core) in 90 kHz ticks. */
    public long frameDurationTicks() {
        return 1024L * MediaFrame.CLOCK_RATE / sampleRate;
    }

    /** RFC 6381 codec string, e.g. {@code mp4a.40.2}. */
    public String codec() {
        return "mp4a.40." + objectType;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AudioConfig && Arrays.equals(audioSpecificConfig, ((AudioConfig) o).audioSpecificConfig);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(audioSpecificConfig);
    }

    @Override
    public String toString() {
        return "AudioConfig(" + codec() + ", " + sampleRate + " Hz, " + channels + " ch)";
    }
}
