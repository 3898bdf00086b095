package io.openivs.server.playback;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The viewers this node serves of streams other nodes own, per stream id, counted as the owner counts
 * its own: distinct addresses seen in the last minute. The cluster heartbeat reports them to the store,
 * where GetStream adds them to the owner's count.
 */
public final class EdgeViewers {
    static final long WINDOW_MS = 60_000;
    /** Stands for viewers whose address is unknown (all counted as one). */
    private static final Object UNKNOWN = new Object();

    private final Map<String, Map<Object, Long>> byStream = new ConcurrentHashMap<>();

    /** Any thread. */
    void viewer(String streamId, InetAddress address, long now) {
        Map<Object, Long> seen = byStream.computeIfAbsent(streamId, k -> new ConcurrentHashMap<>());
        Object key = address == null ? UNKNOWN : address;
        Long last = seen.get(key);
        if (last == null || now - last >= 1_000) { // a contended write once a second per viewer at most
            seen.put(key, now);
        }
    }

    /** Viewers of the last minute per stream id; forgets older ones. Any thread. */
    public Map<String, Integer> counts(long now) {
        Map<String, Integer> out = new HashMap<>();
        byStream.forEach((stream, seen) -> {
            seen.values().removeIf(t -> t < now - WINDOW_MS);
            if (seen.isEmpty()) {
                byStream.remove(stream, seen);
            } else {
                out.put(stream, seen.size());
            }
        });
        return out;
    }
}
