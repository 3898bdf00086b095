package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.RenditionReport;
import io.openivs.server.media.hls.Segment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A rendition's LL-HLS media playlist as last rendered, for the owner's answers. The blocking reloads
 * parked for the next part ({@code _HLS_msn}/{@code _HLS_part}) are all woken by it at once and all want
 * the same playlist: it is rendered once per state (segments, parts, other renditions' reports, query)
 * and each answer gets the time it is sent written into its server-time line, as {@link PlaybackWindow}
 * does for regular playlists (a profile under many blocking viewers had 38 % of the owner's samples
 * rendering the same text again). One entry: a private channel's viewers, each with a token of their own,
 * render theirs. Owner thread only.
 */
public final class MediaPlaylistCache {
    /** What the playlist is made of; parts and finished segments never change once made. */
    private record State(
            Segment newest,
            long oldest,
            int segments,
            int targetDuration,
            long nextSequence,
            int partsInProgress,
            boolean nextIsDiscontinuity,
            long inProgressDate,
            List<RenditionReport> reports,
            Prefetch prefetch,
            boolean ended,
            String childQuery) {}

    private State state;
    /** The rendered playlist, shared by every answer (never released: heap, dropped with the entry). */
    private ByteBuf rendered;
    /** Where its server-time line starts, or -1 when it has none (an ended playlist). */
    private int timeAt;

    private int renders;

    /**
     * The media playlist {@link Playlists#media} renders for these arguments, with the time now.
     *
     * @param segments not empty
     */
    FullHttpResponse answer(
            List<Segment> segments,
            int targetDuration,
            boolean fragmentedMp4,
            String childQuery,
            LowLatency lowLatency,
            Prefetch prefetch,
            boolean ended) {
        State now = new State(
                segments.get(segments.size() - 1),
                segments.get(0).sequence(),
                segments.size(),
                targetDuration,
                lowLatency == null ? -1 : lowLatency.nextSequence(),
                lowLatency == null ? -1 : lowLatency.inProgress().size(),
                lowLatency != null && lowLatency.nextIsDiscontinuity(),
                lowLatency == null ? Long.MIN_VALUE : lowLatency.inProgressDate(),
                lowLatency == null ? List.of() : lowLatency.reports(),
                prefetch,
                ended,
                childQuery);
        if (!now.equals(state)) {
            String text =
                    Playlists.media(segments, targetDuration, fragmentedMp4, childQuery, lowLatency, prefetch, ended);
            // The line is found in the text: a token in childQuery is ASCII, so chars are bytes.
            timeAt = ended ? -1 : PlaylistWriter.serverTimeLineAt(text);
            rendered = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
            state = now;
            renders++;
        }
        return Responses.playlist(
                timeAt < 0 ? rendered.duplicate() : Playlists.withMediaServerTime(rendered.duplicate(), timeAt));
    }

    /** Playlists rendered so far (tests). */
    int renders() {
        return renders;
    }
}
