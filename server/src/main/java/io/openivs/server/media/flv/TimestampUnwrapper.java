package io.openivs.server.media.flv;

/**
 * Extends 32-bit RTMP millisecond timestamps, which wrap after about 49.7 days, onto a 64-bit
 * timeline. Each value is placed as near as possible to the previous one, so the wrap at 2^32
 * and the small backward steps of interleaved audio and video both come out right.
 */
public final class TimestampUnwrapper {

    private static final long MASK = 0xFFFF_FFFFL;

    private boolean started;
    private long last;

    /** @param timestamp an RTMP timestamp; only its low 32 bits are used, as unsigned */
    public long unwrap(long timestamp) {
        long low = timestamp & MASK;
        if (!started) {
            started = true;
            last = low;
            return low;
        }
        int delta = (int) (low - (last & MASK)); // shortest signed distance modulo 2^32
        last += delta;
        return last;
    }
}
