package io.openivs.server.playback;

import java.util.concurrent.atomic.LongAdder;

/**
 * Playback requests answered from a live stream, by what they asked for: one striped increment per request,
 * no allocation. Read by the metrics scrape.
 */
public final class PlaybackCounters {
    private final LongAdder[] byKind = new LongAdder[PlaybackPath.Kind.values().length];

    PlaybackCounters() {
        for (int i = 0; i < byKind.length; i++) {
            byKind[i] = new LongAdder();
        }
    }

    void served(PlaybackPath.Kind kind) {
        byKind[kind.ordinal()].increment();
    }

    /** Media segments requested of live streams (TS or fMP4), not counting LL-HLS parts. */
    public long segments() {
        return byKind[PlaybackPath.Kind.SEGMENT.ordinal()].sum();
    }

    /** LL-HLS parts requested. */
    public long parts() {
        return byKind[PlaybackPath.Kind.PART.ordinal()].sum();
    }

    /** Multivariant and media playlists requested. */
    public long playlists() {
        return byKind[PlaybackPath.Kind.MASTER.ordinal()].sum() + byKind[PlaybackPath.Kind.MEDIA.ordinal()].sum();
    }
}
