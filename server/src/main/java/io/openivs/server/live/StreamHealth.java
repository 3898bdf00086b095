package io.openivs.server.live;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What a stream's heartbeat reports about it: health (HEALTHY, STARVING, UNKNOWN), the ingest
 * bitrates since the last beat and the viewers of the last minute. The owner thread counts media as
 * it comes (single writer, volatile fields); playback counts viewers from any thread; the heartbeat
 * measures, one beat at a time (its state is guarded by this).
 */
final class StreamHealth {
    static final String HEALTHY = "HEALTHY";
    static final String STARVING = "STARVING";
    static final String UNKNOWN = "UNKNOWN";
    static final long VIEWER_WINDOW_MS = 60_000;
    /** Stands for viewers whose address is unknown (all counted as one): the wildcard, which no peer has. */
    private static final InetAddress UNKNOWN_VIEWER = new InetSocketAddress(0).getAddress();

    private final LongSupplier clock;

    // Written by the owner only.
    private volatile long lastMediaMs = -1;
    private volatile long videoBytes;
    private volatile long audioBytes;
    private volatile long videoFrames;

    /** Viewer address (UNKNOWN_VIEWER when none) to when it last asked for a playlist. */
    private final Map<InetAddress, Long> viewers = new ConcurrentHashMap<>();

    // Heartbeat state, guarded by this.
    private long beatAt;
    private long beatMediaMs = -1;
    private long beatVideoBytes;
    private long beatAudioBytes;
    private long videoBitrate;
    private long audioBitrate;
    private long beatVideoFrames;
    private double frameRate;
    /** Viewers at the last beat: metrics read it without touching the map. */
    private volatile int lastViewers;

    StreamHealth(LongSupplier clock) {
        this.clock = clock;
    }

    /** What one beat measured. {@code mediaMoved}: media time advanced since the beat before. */
    record Reading(String health, boolean mediaMoved, int viewers) {}

    /** Heartbeat: the publisher started now; bitrates are measured from here. */
    synchronized void start(long now) {
        beatAt = now;
    }

    // --- owner thread

    /** A unit of media taken at {@code timestampMs}; true for the session's first. */
    boolean media(long timestampMs) {
        boolean first = lastMediaMs < 0;
        lastMediaMs = Math.max(lastMediaMs, timestampMs);
        return first;
    }

    void videoBytes(int bytes) {
        videoBytes += bytes;
        videoFrames++; // single writer: the owner thread
    }

    void audioBytes(int bytes) {
        audioBytes += bytes;
    }

    /** Whether any media came (the session had a Stream Start). Any thread. */
    boolean hadMedia() {
        return lastMediaMs >= 0;
    }

    /** Media bytes so far, both tracks. Any thread. */
    long bytes() {
        return videoBytes + audioBytes;
    }

    // --- any thread

    /** Counts a viewer (by address, null when unknown). */
    void viewer(InetAddress address) {
        InetAddress key = address == null ? UNKNOWN_VIEWER : address;
        long now = clock.getAsLong();
        Long seen = viewers.get(key);
        // A viewer asks every few seconds, over many connections: refresh (a contended write) once a second at most.
        if (seen == null || now - seen >= 1000) {
            viewers.put(key, now);
        }
    }

    // --- heartbeat

    /**
     * Updates the bitrates and health since the last beat. Starving: media time advanced clearly
     * slower than the wall clock (under 80 %). Beats less than half a second apart keep the last
     * bitrates and report HEALTHY.
     */
    synchronized Reading measure(long now) {
        long media = lastMediaMs;
        long mediaAtLastBeat = beatMediaMs;
        String health;
        long elapsed = now - beatAt;
        if (media < 0) {
            health = UNKNOWN;
        } else if (beatMediaMs < 0 || elapsed < 500) {
            health = HEALTHY;
        } else {
            health = (media - beatMediaMs) * 10 >= elapsed * 8 ? HEALTHY : STARVING;
        }
        if (elapsed >= 500) {
            long v = videoBytes;
            long a = audioBytes;
            videoBitrate = (v - beatVideoBytes) * 8_000 / elapsed;
            audioBitrate = (a - beatAudioBytes) * 8_000 / elapsed;
            long f = videoFrames;
            frameRate = (f - beatVideoFrames) * 1000.0 / elapsed;
            beatVideoFrames = f;
            beatVideoBytes = v;
            beatAudioBytes = a;
            beatAt = now;
            beatMediaMs = media;
        }
        viewers.values().removeIf(seen -> seen < now - VIEWER_WINDOW_MS);
        lastViewers = viewers.size();
        return new Reading(health, media > mediaAtLastBeat && mediaAtLastBeat >= 0, lastViewers);
    }

    synchronized long videoBitrate() {
        return videoBitrate;
    }

    synchronized long audioBitrate() {
        return audioBitrate;
    }

    /** Video frames a second, measured at the last beat. */
    synchronized double frameRate() {
        return frameRate;
    }

    /** Viewers of the last minute, counted at the last beat. */
    int viewers() {
        return lastViewers;
    }
}
