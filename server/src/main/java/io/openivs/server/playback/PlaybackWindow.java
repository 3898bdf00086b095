package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.Variant;
import io.openivs.server.playback.access.ResolutionClass;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An immutable picture of a live rendition's window, made by its owner thread each time the
 * playlist changes (a segment finished) and read by any thread: viewers' playlist and segment
 * requests are answered from it on their own connection's event loop, without a hop to the owner.
 * The token-free playlists are rendered once, here; a private channel's token variant (its child
 * query in every URI) is rendered per request from the same segments, whose metadata is immutable.
 */
public final class PlaybackWindow {
    /** The audio_only rendition's name, as IVS names it, and its directory beside the main media playlist. */
    static final String AUDIO_ONLY = "audio_only";
    /** The source rendition's name beside transcoded ones, as IVS names it. */
    static final String SOURCE = "chunked";
    private final List<Segment> segments;
    private final List<Segment> audioOnly;
    private final int targetDuration;
    private final boolean fragmentedMp4;
    private final boolean lowLatency;
    private final String name;
    /**
     * Token-free playlists as complete HTTP responses (head and body), shared by every response
     * (unreleasable, so each takes a duplicate); null when empty. {@link #media} and {@link #master}
     * are their bodies.
     */
    private final ByteBuf encodedMedia;
    private final ByteBuf encodedMaster;
    private final ByteBuf media;
    private final ByteBuf master;
    private final List<Rung> rungs;
    private final boolean sourceListed;

    /**
     * A transcoded rendition's window, for the multivariant playlist: its media playlist and segments
     * are served from its own rendition under {@code {name}/{rung name}/}.
     */
    public record Rung(String name, List<Segment> segments) {
    }

    /**
     * Owner thread.
     *
     * @param segments   the window, oldest first (copied)
     * @param audioOnly  the audio_only rendition's window, listed after the main variant; empty when there is none
     * @param lowLatency whether the channel cuts LL-HLS parts: its media playlist also lists the parts of
     *                   the segment being written, which only the owner thread sees, so it is not cached here
     */
    public PlaybackWindow(String name, List<Segment> segments, List<Segment> audioOnly, int targetDuration,
                          boolean fragmentedMp4, boolean lowLatency) {
        this(name, segments, audioOnly, targetDuration, fragmentedMp4, lowLatency, List.of(), true);
    }

    /**
     * @param rungs        transcoded renditions with segments, in ladder order, listed after the source
     * @param sourceListed whether the source is listed while rungs are (IVS's ADVANCED channels do not list it)
     */
    public PlaybackWindow(String name, List<Segment> segments, List<Segment> audioOnly, int targetDuration,
                          boolean fragmentedMp4, boolean lowLatency, List<Rung> rungs, boolean sourceListed) {
        this.rungs = List.copyOf(rungs);
        this.sourceListed = sourceListed;
        this.name = name;
        this.segments = List.copyOf(segments);
        this.audioOnly = List.copyOf(audioOnly);
        this.targetDuration = targetDuration;
        this.fragmentedMp4 = fragmentedMp4;
        this.lowLatency = lowLatency;
        this.encodedMedia = this.segments.isEmpty() || lowLatency ? null
                : encoded(mediaPlaylist(this.segments, targetDuration, fragmentedMp4, "", null));
        this.encodedMaster = encoded(masterPlaylist(name, this.segments, this.audioOnly, this.rungs, sourceListed, ""));
        this.media = body(encodedMedia);
        this.master = body(encodedMaster);
    }

    /** The public media playlist as a whole response, or null (empty window, LL-HLS). */
    ByteBuf encodedMedia() {
        return encodedMedia == null ? null : encodedMedia.duplicate();
    }

    /** The public multivariant playlist as a whole response, or null (empty window). */
    ByteBuf encodedMaster() {
        return encodedMaster == null ? null : encodedMaster.duplicate();
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
        return childQuery.isEmpty() ? media.duplicate()
                : utf8(mediaPlaylist(segments, targetDuration, fragmentedMp4, childQuery, null));
    }

    /** The multivariant playlist, or null while no segment is finished (not playable yet). */
    ByteBuf master(String childQuery) {
        if (master == null) {
            return null;
        }
        return childQuery.isEmpty() ? master.duplicate()
                : utf8(masterPlaylist(name, segments, audioOnly, rungs, sourceListed, childQuery));
    }

    /**
     * The multivariant playlist for a token capped at {@code max} (null: no cap): renditions above it
     * are left out, as IVS hides them; null while no segment is finished.
     */
    ByteBuf master(String childQuery, ResolutionClass max) {
        if (max == null || rungs.isEmpty()) {
            return master(childQuery);
        }
        List<Rung> admitted = new java.util.ArrayList<>(rungs.size());
        for (Rung r : rungs) {
            if (admits(r.segments(), max)) {
                admitted.add(r);
            }
        }
        String text = masterPlaylist(name, segments, audioOnly, admitted, sourceListed && admits(segments, max),
                childQuery);
        return text == null ? null : utf8(text);
    }

    /** Whether transcoded renditions are listed beside the source. */
    boolean hasRungs() {
        return !rungs.isEmpty();
    }

    private static boolean admits(List<Segment> segments, ResolutionClass max) {
        if (segments.isEmpty()) {
            return true;
        }
        io.openivs.server.media.VideoConfig video = segments.get(segments.size() - 1).video();
        return video == null || max.admits(video.width(), video.height());
    }

    /** The finished segment numbered {@code sequence}, or null when it is not in this window. */
    Segment segment(long sequence) {
        for (int i = segments.size() - 1; i >= 0; i--) { // viewers mostly want the newest
            Segment s = segments.get(i);
            if (s.sequence() == sequence) {
                return s;
            }
        }
        return null;
    }

    /** Renders a media playlist; also the owner thread's path for LL-HLS channels. */
    static String mediaPlaylist(List<Segment> segments, int targetDuration, boolean fragmentedMp4, String childQuery,
                                LowLatency lowLatency) {
        return fragmentedMp4 ? Fmp4Playback.mediaPlaylist(segments, targetDuration, childQuery, lowLatency)
                : PlaylistWriter.media(segments, targetDuration,
                        childQuery.isEmpty() ? seq -> seq + ".ts" : seq -> seq + ".ts" + childQuery, false);
    }

    /**
     * Renders the multivariant playlist, or null while there are no segments: the stream's rendition,
     * then its audio_only rendition when {@code audioOnly} has segments.
     */
    static String masterPlaylist(String name, List<Segment> segments, List<Segment> audioOnly, String childQuery) {
        return masterPlaylist(name, segments, audioOnly, List.of(), true, childQuery);
    }

    /**
     * With transcoded rungs the source is named {@code chunked}, as IVS names it, and each rung gets its
     * own EXT-X-MEDIA group of its name, measured from its own segments.
     */
    static String masterPlaylist(String name, List<Segment> segments, List<Segment> audioOnly, List<Rung> rungs,
                                 boolean sourceListed, String childQuery) {
        if (rungs.isEmpty()) {
            return Variant.measure(name + "/live.m3u8" + childQuery, null, segments)
                    .map(variant -> PlaylistWriter.master(Variant.audioOnly(name + "/" + AUDIO_ONLY + "/live.m3u8"
                            + childQuery, AUDIO_ONLY, audioOnly).map(audio -> List.of(variant, audio))
                            .orElse(List.of(variant)))).orElse(null);
        }
        List<Variant> variants = new java.util.ArrayList<>(rungs.size() + 2);
        if (sourceListed) {
            Variant.measure(name + "/live.m3u8" + childQuery, SOURCE, segments).ifPresent(variants::add);
        }
        for (Rung r : rungs) {
            Variant.measure(name + "/" + r.name() + "/live.m3u8" + childQuery, r.name(), r.segments())
                    .ifPresent(variants::add);
        }
        Variant.audioOnly(name + "/" + AUDIO_ONLY + "/live.m3u8" + childQuery, AUDIO_ONLY, audioOnly)
                .ifPresent(variants::add);
        return variants.isEmpty() ? null : PlaylistWriter.master(variants);
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The playlist as a complete response; direct (written to sockets without a copy into a direct
     * buffer), freed by the GC with this window.
     */
    private static ByteBuf encoded(String text) {
        if (text == null) {
            return null;
        }
        byte[] bytes = PlaybackHandler.encodedPlaylist(text.getBytes(StandardCharsets.UTF_8));
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct));
    }

    /** The body of an {@link #encoded} response: what follows the blank line after the head. */
    private static ByteBuf body(ByteBuf encoded) {
        if (encoded == null) {
            return null;
        }
        int i = encoded.readerIndex();
        while (encoded.getInt(i) != 0x0d0a0d0a) { // CR LF CR LF
            i++;
        }
        return encoded.slice(i + 4, encoded.writerIndex() - i - 4);
    }
}
