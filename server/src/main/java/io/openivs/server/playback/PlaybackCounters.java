package io.openivs.server.playback;

import io.openivs.server.net.LatencyHistogram;
import java.util.concurrent.atomic.LongAdder;

/**
 * Playback requests answered from a live stream, by what they asked for: one striped increment per request,
 * no allocation. Read by the metrics scrape.
 */
public final class PlaybackCounters {
    private final LongAdder[] byKind = new LongAdder[PlaybackPath.Kind.values().length];
    /** Time from a request's arrival to its answer being written (the first bytes, for streamed answers), by kind. */
    private final LatencyHistogram[] latency = new LatencyHistogram[PlaybackPath.Kind.values().length];
    /** Requests other nodes (edges) made of this one's internal endpoint: their upstream fetches. */
    private final LongAdder[] forEdges = new LongAdder[PlaybackPath.Kind.values().length];
    /** Requests this node made of owners as an edge. */
    private final LongAdder edgeFetches = new LongAdder();

    PlaybackCounters() {
        for (int i = 0; i < byKind.length; i++) {
            byKind[i] = new LongAdder();
            latency[i] = new LatencyHistogram();
            forEdges[i] = new LongAdder();
        }
    }

    void answered(PlaybackPath.Kind kind, long nanos) {
        latency[kind.ordinal()].observe(nanos);
    }

    /**
     * The answers' latency histograms by what was asked: {@code playlist} (multivariant and media),
     * {@code segment}, {@code part} (LL-HLS) and {@code init} (fMP4).
     */
    public void forEachLatency(java.util.function.BiConsumer<String, LatencyHistogram> each) {
        LatencyHistogram playlists = new LatencyHistogram(); // the two playlist kinds, added at scrape time
        for (PlaybackPath.Kind k : PlaybackPath.Kind.values()) {
            if (k != PlaybackPath.Kind.MASTER && k != PlaybackPath.Kind.MEDIA) {
                each.accept(k.name().toLowerCase(java.util.Locale.ROOT), latency[k.ordinal()]);
            }
        }
        playlists.add(latency[PlaybackPath.Kind.MASTER.ordinal()]);
        playlists.add(latency[PlaybackPath.Kind.MEDIA.ordinal()]);
        each.accept("playlist", playlists);
    }

    void servedEdge(PlaybackPath.Kind kind) {
        forEdges[kind.ordinal()].increment();
    }

    void fetchedUpstream() {
        edgeFetches.increment();
    }

    /**
     * Requests of other nodes answered on the internal endpoint, by kind: {@code segment}, {@code part},
     * {@code init}, {@code playlist}.
     */
    public long servedToEdges(String kind) {
        return switch (kind) {
            case "segment" -> forEdges[PlaybackPath.Kind.SEGMENT.ordinal()].sum();
            case "part" -> forEdges[PlaybackPath.Kind.PART.ordinal()].sum();
            case "init" -> forEdges[PlaybackPath.Kind.INIT.ordinal()].sum();
            case "playlist" ->
                forEdges[PlaybackPath.Kind.MASTER.ordinal()].sum() + forEdges[PlaybackPath.Kind.MEDIA.ordinal()].sum();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Requests this node sent to owners while relaying their streams as an edge. */
    public long edgeFetches() {
        return edgeFetches.sum();
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
