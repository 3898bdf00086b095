package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.Variant;
import java.util.List;

/**
 * The playlist texts playback serves, the one place they are rendered: once per window for public
 * viewers ({@link PlaybackWindow}), per request for a private channel's token variant and for LL-HLS
 * (owner thread). Tags for other players' needs (a prefetch list, say) belong here.
 */
final class Playlists {
    /** The audio_only rendition's name, as IVS names it, and its directory beside the main media playlist. */
    static final String AUDIO_ONLY = "audio_only";
    /** The source rendition's name beside transcoded ones, as IVS names it. */
    static final String SOURCE = "chunked";

    private Playlists() {}

    /**
     * Whether a media playlist's text depends on the request's Accept header ({@code startAtEnd} below):
     * an LL-HLS playlist (parts) that also lists LHLS prefetch segments, a LOW FRAGMENTED_MP4 channel's.
     * Its answers say {@code Vary: Accept} (RFC 9110 12.5.5), so a cache between keeps the two apart.
     */
    static boolean startVaries(MediaPlaylist playlist) {
        return !playlist.ended() && playlist.lowLatency() != null && playlist.prefetch() != null;
    }

    /**
     * A media playlist. An ended one lists no parts or prefetch segments and closes with EXT-X-ENDLIST.
     * {@code startAtEnd} false leaves EXT-X-START out of a playlist for which {@link #startVaries}:
     * with parts listed, the line helps Amazon's IVS player (without it, it starts at the newest finished
     * segment: 3.47 s glass to glass against 1.28 s with it, bench/latency) but holds hls.js back, which
     * clamps the offset to the finished segments' total (its duration leaves parts out) and waits there
     * (2.05 s with it, 1.50 s without). In RFC 8216bis 4.4.2.2 EXT-X-START is a preferred start point
     * a playlist may leave out, so leaving it out for one player is as right as writing it. Which player asks is read from the Accept
     * header ({@link HlsAccept}). A playlist without parts (LOW TS) keeps it for every player: there it
     * helps hls.js too (7.68 s before it, 4.90 s with it, bench/latency/README.md).
     */
    static String media(MediaPlaylist playlist, boolean startAtEnd) {
        boolean ended = playlist.ended();
        LowLatency lowLatency = ended ? null : playlist.lowLatency();
        Prefetch prefetch = ended ? null : playlist.prefetch();
        List<Segment> segments = playlist.segments();
        int targetDuration = playlist.targetDuration();
        String childQuery = playlist.childQuery();
        if (lowLatency == null && prefetch == null && !ended) {
            segments = listed(segments, targetDuration);
        }
        String text = playlist.fragmentedMp4()
                ? Fmp4Playback.mediaPlaylist(segments, targetDuration, childQuery, lowLatency, ended)
                : PlaylistWriter.media(
                        segments,
                        targetDuration,
                        childQuery.isEmpty() ? seq -> seq + ".ts" : seq -> seq + ".ts" + childQuery,
                        ended);
        String extension = playlist.fragmentedMp4() ? ".m4s" : ".ts";
        if (prefetch != null && !segments.isEmpty()) {
            text = prefetch.appendTo(new StringBuilder(text), seq -> seq + extension + childQuery)
                    .toString();
            if (!prefetch.discontinuity() && (startAtEnd || lowLatency == null)) {
                text = PlaylistWriter.withStartAtEnd(text, segments);
            }
        }
        // A live playlist tells the server's time (for the IVS player on Safari); an encoded one gets
        // each answer's time written in with withMediaServerTime.
        return ended ? text : PlaylistWriter.withServerTimeLine(text, System.currentTimeMillis());
    }

    /** A regular live playlist lists this many target durations of the newest segments, at least. */
    static final int LISTED_TARGET_DURATIONS = 3;

    /**
     * The newest segments of {@code window} that a regular live media playlist (NORMAL channels: no
     * parts, no prefetch segments) lists: the fewest that last at least three target durations
     * (3 of 2 s segments, as nginx-rtmp's 6 s playlists), the shortest live playlist RFC 8216 6.2.2
     * allows. hls.js starts three target durations from the end whatever the length, but Amazon's
     * IVS player may start further back in a longer list (one start in four sat 10 s behind in a
     * 12 s list against at most 8.3 s in nginx's, bench/latency): a short list bounds how far back
     * a player can start. The segments left out stay served from the window (6.2.2: a removed
     * segment stays available for its duration plus the playlist's), so a player that read an older
     * playlist still gets them.
     */
    static List<Segment> listed(List<Segment> window, int targetDuration) {
        long needMillis = LISTED_TARGET_DURATIONS * 1000L * targetDuration;
        long millis = 0;
        int from = window.size();
        while (from > 0 && millis < needMillis) {
            // As EXTINF says it, to the millisecond.
            millis += Math.round(window.get(--from).durationSeconds() * 1000);
        }
        return from == 0 ? window : window.subList(from, window.size());
    }

    /**
     * The multivariant playlist, or null while there are no segments: the stream's rendition, then
     * its audio_only rendition when {@code audioOnly} has segments. It tells {@code serverTimeMillis}
     * as the server's time ({@link PlaylistWriter#master(List, long)}; a playlist encoded ahead gets the
     * time of each answer written in with {@link #withServerTime}).
     */
    static String master(
            String name, List<Segment> segments, List<Segment> audioOnly, String childQuery, long serverTimeMillis) {
        return Variant.measure(name + "/live.m3u8" + childQuery, null, segments)
                .map(variant -> PlaylistWriter.master(
                        Variant.audioOnly(name + "/" + AUDIO_ONLY + "/live.m3u8" + childQuery, AUDIO_ONLY, audioOnly)
                                .map(audio -> List.of(variant, audio))
                                .orElse(List.of(variant)),
                        serverTimeMillis))
                .orElse(null);
    }

    /**
     * With transcoded rungs: the source named {@code chunked} as IVS names it (unless left out), then each
     * rung in its own EXT-X-MEDIA group of its name, measured from its own segments, then audio_only.
     * Null while nothing has segments.
     */
    static String master(
            String name,
            List<Segment> segments,
            List<Segment> audioOnly,
            List<PlaybackWindow.Rung> rungs,
            boolean sourceListed,
            String childQuery,
            long serverTimeMillis) {
        if (rungs.isEmpty() && sourceListed) {
            return master(name, segments, audioOnly, childQuery, serverTimeMillis);
        }
        List<Variant> variants = new java.util.ArrayList<>(rungs.size() + 2);
        if (sourceListed) {
            Variant.measure(name + "/live.m3u8" + childQuery, SOURCE, segments).ifPresent(variants::add);
        }
        for (PlaybackWindow.Rung r : rungs) {
            Variant.measure(name + "/" + r.name() + "/live.m3u8" + childQuery, r.name(), r.segments())
                    .ifPresent(variants::add);
        }
        Variant.audioOnly(name + "/" + AUDIO_ONLY + "/live.m3u8" + childQuery, AUDIO_ONLY, audioOnly)
                .ifPresent(variants::add);
        return variants.isEmpty() ? null : PlaylistWriter.master(variants, serverTimeMillis);
    }

    /**
     * {@code master} (a playlist from {@link #master}, from {@code bodyAt} in the buffer) telling the
     * time now instead: the shared bytes around the value and a fresh value, for one writer.
     */
    static ByteBuf withServerTime(ByteBuf master, int bodyAt) {
        return replaced(
                master, bodyAt + PlaylistWriter.SERVER_TIME_AT, PlaylistWriter.serverTime(System.currentTimeMillis()));
    }

    /**
     * {@code media} (a live media playlist from {@link #media} whose server-time line is {@code lineAt}
     * bytes past the buffer's reader index) with the line for the time now: the shared bytes around
     * it and a fresh line, for one writer.
     */
    static ByteBuf withMediaServerTime(ByteBuf media, int lineAt) {
        return replaced(media, lineAt, PlaylistWriter.serverTimeLine(System.currentTimeMillis()));
    }

    /** {@code buf} with {@code value.length} bytes from {@code offset} (past its reader index) replaced by {@code value}. */
    private static ByteBuf replaced(ByteBuf buf, int offset, byte[] value) {
        int at = buf.readerIndex() + offset;
        int after = at + value.length;
        return Unpooled.wrappedBuffer(
                buf.slice(buf.readerIndex(), at - buf.readerIndex()),
                Unpooled.wrappedBuffer(value),
                buf.slice(after, buf.writerIndex() - after));
    }
}
