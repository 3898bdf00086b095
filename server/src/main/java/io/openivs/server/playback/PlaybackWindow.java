package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.playback.access.RenditionPolicy;
import io.openivs.server.playback.access.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An immutable picture of a live rendition's window, made by its owner thread each time the
 * playlist changes (a segment finished) and read by any thread: viewers' playlist and segment
 * requests are answered from it on their own connection's event loop, without a hop to the owner.
 * What every public viewer gets is encoded here once: the token-free playlists as whole responses,
 * and each segment's response head (its body is the segment's own bytes). A private channel's
 * token variant (its child query in every URI) is rendered per request from the same segments,
 * whose metadata is immutable.
 */
public final class PlaybackWindow {
    private final List<Segment> segments;
    private final List<Segment> audioOnly;
    private final boolean fragmentedMp4;
    private final boolean lowLatency;
    /** The LHLS prefetch segments the media playlist lists after the window's last (LOW channels), or null. */
    private final Prefetch prefetch;
    /** The public media playlist's makings, made once with the window; a token variant adds its query. */
    private final MediaPlaylist mediaPlaylist;

    private final String name;
    /** Token-free playlists as whole responses; null when empty (media also for LL-HLS). */
    private final EncodedResponse media;
    /** Where the server-time line starts in {@link #media}'s body; -1 when it has none (ended, or no media). */
    private final int mediaTimeAt;

    private final EncodedResponse master;
    /** The shared response head of each segment, in window order. */
    private final ByteBuf[] segmentHeads;

    private final List<Rung> rungs;
    private final boolean sourceListed;

    /**
     * A transcoded rendition's window, for the multivariant playlist: its media playlist and segments
     * are served from its own rendition under {@code {name}/{rung name}/}.
     */
    public record Rung(String name, List<Segment> segments) {}

    /**
     * Owner thread.
     *
     * @param segments   the window, oldest first (copied)
     * @param audioOnly  the audio_only rendition's window, listed after the main variant; empty when there is none
     * @param lowLatency whether the channel cuts LL-HLS parts: its media playlist also lists the parts of
     *                   the segment being written, which only the owner thread sees, so it is not cached here
     */
    public PlaybackWindow(
            String name,
            List<Segment> segments,
            List<Segment> audioOnly,
            int targetDuration,
            boolean fragmentedMp4,
            boolean lowLatency) {
        this(name, segments, audioOnly, targetDuration, fragmentedMp4, lowLatency, null, List.of(), true);
    }

    /**
     * Owner thread.
     *
     * @param prefetch     where the stream stood as the window was made, for the LHLS prefetch segments its
     *                     media playlist lists (LOW channels); null for none
     * @param rungs        transcoded renditions with segments, in ladder order, listed after the source
     * @param sourceListed whether the source is listed while rungs are (IVS's ADVANCED channels do not list it)
     */
    public PlaybackWindow(
            String name,
            List<Segment> segments,
            List<Segment> audioOnly,
            int targetDuration,
            boolean fragmentedMp4,
            boolean lowLatency,
            Prefetch prefetch,
            List<Rung> rungs,
            boolean sourceListed) {
        this(
                name,
                segments,
                audioOnly,
                targetDuration,
                fragmentedMp4,
                lowLatency,
                prefetch,
                rungs,
                sourceListed,
                false);
    }

    /**
     * Owner thread.
     *
     * @param ended the stream's last window (the server is shutting down): its media playlist ends with
     *              EXT-X-ENDLIST and lists no parts or prefetch segments, so it is served from here too
     */
    public PlaybackWindow(
            String name,
            List<Segment> segments,
            List<Segment> audioOnly,
            int targetDuration,
            boolean fragmentedMp4,
            boolean lowLatency,
            Prefetch prefetch,
            List<Rung> rungs,
            boolean sourceListed,
            boolean ended) {
        if (ended) {
            lowLatency = false;
            prefetch = null;
        }
        this.rungs = List.copyOf(rungs);
        this.sourceListed = sourceListed;
        this.name = name;
        this.prefetch = prefetch;
        this.segments = List.copyOf(segments);
        this.audioOnly = List.copyOf(audioOnly);
        this.fragmentedMp4 = fragmentedMp4;
        this.lowLatency = lowLatency;
        this.mediaPlaylist = MediaPlaylist.regular(this.segments, targetDuration, fragmentedMp4, prefetch, ended);
        String mediaText = this.segments.isEmpty() || lowLatency ? null : Playlists.media(mediaPlaylist, true);
        this.media = mediaText == null ? null : playlist(mediaText);
        // Each answer gets the time it is sent in the server-time line (none once ended).
        this.mediaTimeAt = mediaText == null ? -1 : PlaylistWriter.serverTimeLineAt(mediaText);
        // Encoded once with a placeholder time; each answer gets the time it is sent.
        this.master = playlist(Playlists.master(name, this.segments, this.audioOnly, this.rungs, sourceListed, "", 0));
        int[] sizes = new int[this.segments.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = this.segments.get(i).size();
        }
        this.segmentHeads = EncodedResponse.heads(Responses.mediaType(fragmentedMp4), CachePolicy.SHARED_MEDIA, sizes);
    }

    /** The public media playlist as a whole response, or null (empty window, LL-HLS). */
    ByteBuf encodedMedia() {
        if (media == null) {
            return null;
        }
        return mediaTimeAt < 0
                ? media.whole()
                : Playlists.withMediaServerTime(media.whole(), media.headLength() + mediaTimeAt);
    }

    /** The public multivariant playlist as a whole response, or null (empty window). */
    ByteBuf encodedMaster() {
        return master == null ? null : Playlists.withServerTime(master.whole(), master.headLength());
    }

    List<Segment> segments() {
        return segments;
    }

    boolean fragmentedMp4() {
        return fragmentedMp4;
    }

    /** Whether {@link #media} can answer: false for LL-HLS channels, whose playlists the owner renders. */
    boolean servesMedia() {
        return !lowLatency;
    }

    /** The media playlist for a viewer with this child query, or null while no segment is finished. */
    ByteBuf media(String childQuery) {
        if (segments.isEmpty()) {
            return null;
        }
        if (childQuery.isEmpty()) {
            return mediaTimeAt < 0 ? media.body() : Playlists.withMediaServerTime(media.body(), mediaTimeAt);
        }
        return utf8(Playlists.media(mediaPlaylist.withChildQuery(childQuery), true));
    }

    /** The multivariant playlist, or null while no segment is finished (not playable yet). */
    ByteBuf master(String childQuery) {
        if (master == null) {
            return null;
        }
        return childQuery.isEmpty()
                ? Playlists.withServerTime(master.body(), 0)
                : utf8(Playlists.master(
                        name, segments, audioOnly, rungs, sourceListed, childQuery, System.currentTimeMillis()));
    }

    /**
     * The multivariant playlist for this verdict: renditions above its {@code aws:maximum-resolution}
     * are left out, as IVS hides them; null while no segment is finished.
     */
    ByteBuf master(Verdict verdict) {
        if (verdict.maxResolution() == null || rungs.isEmpty()) {
            return master(verdict.childQuery());
        }
        List<Rung> admitted = new java.util.ArrayList<>(rungs.size());
        for (Rung r : rungs) {
            if (RenditionPolicy.admits(verdict, r.segments())) {
                admitted.add(r);
            }
        }
        String text = Playlists.master(
                name,
                segments,
                audioOnly,
                admitted,
                sourceListed && RenditionPolicy.admits(verdict, segments),
                verdict.childQuery(),
                System.currentTimeMillis());
        return text == null ? null : utf8(text);
    }

    /** Whether transcoded renditions are listed beside the source (the master then has one within any class). */
    boolean hasRungs() {
        return !rungs.isEmpty();
    }

    /** The index in {@link #segments} of the finished segment numbered {@code sequence}, or -1 when not in this window. */
    int indexOf(long sequence) {
        for (int i = segments.size() - 1; i >= 0; i--) { // viewers mostly want the newest
            if (segments.get(i).sequence() == sequence) {
                return i;
            }
        }
        return -1;
    }

    /** The finished segment numbered {@code sequence}, or null when it is not in this window. */
    Segment segment(long sequence) {
        int i = indexOf(sequence);
        return i < 0 ? null : segments.get(i);
    }

    /**
     * Whether segment {@code sequence}, not in this window, is one its media playlist lists as a prefetch
     * segment: the owner thread answers it (see {@link PrefetchAnswers}).
     */
    boolean prefetches(long sequence) {
        return prefetch != null && prefetch.lists(sequence);
    }

    /** The shared response head of {@code segments().get(index)}, for one writer. */
    ByteBuf segmentHead(int index) {
        return segmentHeads[index].duplicate();
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    private static EncodedResponse playlist(String text) {
        return text == null
                ? null
                : EncodedResponse.of(
                        Responses.PLAYLIST_TYPE, CachePolicy.PLAYLIST, text.getBytes(StandardCharsets.UTF_8));
    }
}
