package io.openivs.server.live;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether this node transcodes, and how many streams at once: a transcoded stream holds a slot from
 * its first video configuration to its end, and one over the cap plays its source only.
 */
public final class TranscodeSlots {
    /** No transcoding: STANDARD and ADVANCED channels play their source. */
    public static final TranscodeSlots OFF = new TranscodeSlots(false, 0);

    private final boolean enabled;
    private final boolean announceOff;
    private final int max;
    private final AtomicInteger used = new AtomicInteger();

    public TranscodeSlots(boolean enabled, int max) {
        this(enabled, max, !enabled);
    }

    /** @param announceOff with transcoding off, whether each session that would transcode says it does not */
    public TranscodeSlots(boolean enabled, int max, boolean announceOff) {
        this.enabled = enabled;
        this.announceOff = announceOff;
        this.max = Math.max(0, max);
    }

    public boolean enabled() {
        return enabled;
    }

    boolean announcesOff() {
        return announceOff;
    }

    public int max() {
        return max;
    }

    /** Streams transcoding now. */
    public int used() {
        return used.get();
    }

    /** Takes a slot; false when transcoding is off or every slot is taken. */
    boolean tryAcquire() {
        if (!enabled) {
            return false;
        }
        while (true) {
            int now = used.get();
            if (now >= max) {
                return false;
            }
            if (used.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        used.decrementAndGet();
    }
}
