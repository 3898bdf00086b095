package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.RenditionReport;
import io.openivs.server.media.hls.Segment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A rendition's LL-HLS media playlist as last rendered, for the owner's answers. The blocking reloads
 * parked for the next part ({@code _HLS_msn}/{@code _HLS_part}) are all woken by it at once and all want
 * the same playlist: it is rendered once per state (segments, parts, other renditions' reports, query)
 * and each answer gets the time it is sent written into its server-time line, as {@link PlaybackWindow}
 * does for regular playlists (a profile under many blocking viewers had 38 % of the owner's samples
 * rendering the same text again). A LOW channel's playlist comes in two texts, with and without
 * EXT-X-START by the request's Accept ({@link Playlists#startVaries}); both are held for the state.
 * One entry: a private channel's viewers, each with a token of their own, render theirs. Owner thread only.
 */
public final class MediaPlaylistCache {
    /**
     * What the playlist is made of; parts and finished segments never change once made. Made only when it
     * changes: each answer's {@link MediaPlaylist} is checked against it field by field ({@link #describes}).
     */
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
            String childQuery) {

        static State of(MediaPlaylist p) {
            List<Segment> s = p.segments();
            LowLatency ll = p.lowLatency();
            return new State(
                    s.get(s.size() - 1),
                    s.get(0).sequence(),
                    s.size(),
                    p.targetDuration(),
                    ll == null ? -1 : ll.nextSequence(),
                    ll == null ? -1 : ll.inProgress().size(),
                    ll != null && ll.nextIsDiscontinuity(),
                    ll == null ? Long.MIN_VALUE : ll.inProgressDate(),
                    ll == null ? List.of() : ll.reports(),
                    p.prefetch(),
                    p.ended(),
                    p.childQuery());
        }

        /** Whether {@code of(p)} would equal this, without making it (once per answer is the hot path). */
        boolean describes(MediaPlaylist p) {
            List<Segment> s = p.segments();
            LowLatency ll = p.lowLatency();
            boolean sameParts = ll == null
                    ? nextSequence == -1
                            && partsInProgress == -1
                            && !nextIsDiscontinuity
                            && inProgressDate == Long.MIN_VALUE
                            && reports.isEmpty()
                    : nextSequence == ll.nextSequence()
                            && partsInProgress == ll.inProgress().size()
                            && nextIsDiscontinuity == ll.nextIsDiscontinuity()
                            && inProgressDate == ll.inProgressDate()
                            && reports.equals(ll.reports());
            return sameParts
                    && newest.equals(s.get(s.size() - 1))
                    && oldest == s.get(0).sequence()
                    && segments == s.size()
                    && targetDuration == p.targetDuration()
                    && Objects.equals(prefetch, p.prefetch())
                    && ended == p.ended()
                    && Objects.equals(childQuery, p.childQuery());
        }
    }

    private State state;
    /**
     * The rendered playlists of this state, shared by every answer (never released: heap, dropped with the
     * entry): [0] with EXT-X-START (or the only one, when the text does not depend on the request's Accept),
     * [1] without it ({@link Playlists#startVaries}). Each is rendered when first asked for, so a state only
     * viewers of one kind ask for is rendered once, and one both kinds ask for twice, however many answers.
     */
    private final ByteBuf[] rendered = new ByteBuf[2];
    /** Where each one's server-time line starts, or -1 when it has none (an ended playlist). */
    private final int[] timeAt = new int[2];

    private int renders;

    /**
     * The media playlist {@link Playlists#media} renders for {@code playlist}, with the time now.
     *
     * @param playlist     its segments not empty
     * @param namesHlsType whether the request's Accept names the HLS media type ({@link HlsAccept}): the
     *                     playlist has EXT-X-START then, where {@link Playlists#startVaries}
     */
    FullHttpResponse answer(MediaPlaylist playlist, boolean namesHlsType) {
        if (state == null || !state.describes(playlist)) {
            state = State.of(playlist);
            rendered[0] = null;
            rendered[1] = null;
        }
        boolean varies = Playlists.startVaries(playlist);
        int v = varies && !namesHlsType ? 1 : 0;
        if (rendered[v] == null) {
            String text = Playlists.media(playlist, v == 0);
            // The line is found in the text: a token in childQuery is ASCII, so chars are bytes.
            timeAt[v] = playlist.ended() ? -1 : PlaylistWriter.serverTimeLineAt(text);
            rendered[v] = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
            renders++;
        }
        FullHttpResponse r = Responses.playlist(
                timeAt[v] < 0
                        ? rendered[v].duplicate()
                        : Playlists.withMediaServerTime(rendered[v].duplicate(), timeAt[v]));
        if (varies) {
            // The body was chosen by the request's Accept: a cache must not give it to the other player (RFC 9110
            // 12.5.5).
            r.headers().set(HttpHeaderNames.VARY, Responses.ACCEPT);
        }
        return r;
    }

    /** Playlists rendered so far (tests). */
    int renders() {
        return renders;
    }
}
