package io.openivs.server.recording;

import java.util.ArrayList;
import java.util.List;

/**
 * One rendition of a {@link Recording} (the source, or a transcoded rung): its segments so far. The
 * recorder thread owns every field but {@link #storedCount}, which the uploader advances.
 */
final class Track {
    Rendition rendition;
    /** Whether its segments go to the destination (the source may be fed only for thumbnails and the duration). */
    boolean stored;

    final List<VodPlaylists.Entry> entries = new ArrayList<>();
    long durationTicks;
    long peakBitsPerSecond;
    boolean joinPending;
    long lastSequence = Long.MIN_VALUE;

    /**
     * How many of {@link #entries} another node may rely on: the destination holds them (the uploader
     * stores in order), or, for a track that is not stored, all of them.
     */
    volatile int storedCount;

    Track(Rendition rendition, boolean stored) {
        this.rendition = rendition;
        this.stored = stored;
    }

    /** A segment an earlier run or another node recorded, as its journal or the ledger kept it. */
    void recovered(VodPlaylists.Entry e) {
        entries.add(e);
        durationTicks += e.durationTicks();
        peakBitsPerSecond =
                Math.max(peakBitsPerSecond, (long) Math.ceil(e.size() * 8.0 / Math.max(e.seconds(), 0.001)));
        storedCount = entries.size();
    }

    /** The entries {@link #storedCount} covers, for the recording ledger. */
    List<VodPlaylists.Entry> reliable() {
        return entries.subList(0, Math.min(storedCount, entries.size()));
    }
}
