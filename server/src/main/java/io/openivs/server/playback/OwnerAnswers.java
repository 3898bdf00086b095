package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.Part;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.net.KeepAlive;
import io.openivs.server.playback.PlaybackPath.Kind;
import io.openivs.server.playback.access.AccessDenied;
import io.openivs.server.playback.access.RenditionPolicy;
import io.openivs.server.playback.access.Verdict;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Answers that need the stream's owner thread, where the live segments and the segment being
 * written are: LL-HLS playlists (they list parts of the open segment) and their blocking reloads
 * ({@code _HLS_msn}/{@code _HLS_part}), parts (the hinted one streamed as it grows), init segments,
 * a LOW channel's segments not in the published window (LHLS prefetch segments, {@link PrefetchAnswers}),
 * and anything asked before the owner published a window.
 */
final class OwnerAnswers {
    private OwnerAnswers() {}

    /** Any thread: hands the request to the owner, or answers 503 when the owner is shutting down. */
    static void answer(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, LiveRendition live) {
        PlaybackPath url = req.path();
        Kind kind = url.kind();
        String query = req.query();
        // Blocking requests (a reload with _HLS_msn, the hinted part) wait on the owner thread for the
        // part they name, except that the part being written is streamed as it grows; every other
        // request is answered at once.
        boolean blockingReload = kind == Kind.MEDIA && live.fragmentedMp4();
        long msn =
                blockingReload ? LowLatencyPlayback.number(query, "_HLS_msn") : kind == Kind.PART ? url.sequence() : -1;
        int msnPart = blockingReload ? (int) Math.min(LowLatencyPlayback.number(query, "_HLS_part"), 9999) : url.part();
        try {
            live.owner().execute(() -> {
                if (kind == Kind.PART && req.chunked() && streamPart(ctx, req, verdict, live)) {
                    return;
                }
                if (kind == Kind.SEGMENT && live.prefetch() != null) {
                    PrefetchAnswers.answer(ctx, req, verdict, live);
                    return;
                }
                LowLatencyPlayback.whenReady(
                        live,
                        verdict.childQuery(),
                        kind == Kind.PART,
                        msn,
                        msnPart,
                        wait -> Responses.send(
                                ctx,
                                req,
                                wait == LowLatencyPlayback.Wait.READY
                                        ? now(live, req, verdict)
                                        : Responses.status(
                                                wait == LowLatencyPlayback.Wait.BAD_REQUEST
                                                        ? HttpResponseStatus.BAD_REQUEST
                                                        : HttpResponseStatus.SERVICE_UNAVAILABLE),
                                verdict.allowOrigin()));
            });
        } catch (RejectedExecutionException e) {
            Responses.send(ctx, req, Responses.status(HttpResponseStatus.SERVICE_UNAVAILABLE), verdict.allowOrigin());
        }
    }

    /**
     * Owner thread: a request for the part being written (the preload hint's) is answered at once
     * and sent as it grows; false, answering nothing, for any other part.
     */
    private static boolean streamPart(
            ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, LiveRendition live) {
        PlaybackPath url = req.path();
        if (!live.writingPart(url.sequence(), url.part())) {
            return false;
        }
        AccessDenied refused = RenditionPolicy.refusal(verdict, live.segments());
        if (refused != null) {
            Responses.send(ctx, req, Responses.forbidden(req, refused), verdict.allowOrigin());
            return true;
        }
        req.answered(); // the first bytes go now
        ChunkedAnswer answer = ChunkedAnswer.start(
                ctx, Responses.chunkedMedia(verdict), req.head(), req.keepAlive() == KeepAlive.CLOSE);
        if (answer != null) {
            live.followPart(answer);
        }
        return true;
    }

    /** Owner thread: the answer as things stand. */
    private static FullHttpResponse now(LiveRendition live, ViewerRequest req, Verdict verdict) {
        if (live.ended()) {
            return Responses.status(HttpResponseStatus.NOT_FOUND);
        }
        List<Segment> segments = live.segments();
        AccessDenied refused = RenditionPolicy.refusal(verdict, segments);
        if (refused != null) {
            return Responses.forbidden(req, refused);
        }
        PlaybackPath url = req.path();
        String childQuery = verdict.childQuery();
        switch (url.kind()) {
            case MASTER: {
                LiveRendition audio = live.sibling();
                String text = Playlists.master(
                        url.name(),
                        segments,
                        audio == null ? List.of() : audio.segments(),
                        childQuery,
                        System.currentTimeMillis());
                return text == null ? Responses.status(HttpResponseStatus.NOT_FOUND) : Responses.playlist(text);
            }
            case MEDIA: {
                if (segments.isEmpty()) {
                    return Responses.status(HttpResponseStatus.NOT_FOUND);
                }
                LowLatency ll = live.fragmentedMp4()
                        ? LowLatencyPlayback.withReports(
                                live,
                                childQuery,
                                verdict.playlistQuery(),
                                window -> RenditionPolicy.admits(verdict, window))
                        : null;
                MediaPlaylistCache cache = live.mediaPlaylistCache();
                return (cache != null ? cache : new MediaPlaylistCache())
                        .answer(
                                new MediaPlaylist(
                                        segments,
                                        live.targetDurationSeconds(),
                                        live.fragmentedMp4(),
                                        childQuery,
                                        ll,
                                        live.prefetch(),
                                        live.finished()),
                                req.namesHlsType());
            }
            case INIT: {
                ByteBuf init = Fmp4Playback.initSegment(segments, url.sequence());
                if (init == null) {
                    return Responses.status(HttpResponseStatus.NOT_FOUND);
                }
                int size = init.readableBytes();
                if (req.head()) {
                    init.release();
                    init = Unpooled.EMPTY_BUFFER;
                }
                return Responses.media(init, size, Responses.INIT_TYPE, CachePolicy.NO_CACHE);
            }
            case PART: {
                LowLatency ll = LowLatencyPlayback.state(live, childQuery);
                Part p = ll == null ? null : LowLatencyPlayback.find(segments, ll, url.sequence(), url.part());
                if (p == null) {
                    return Responses.status(HttpResponseStatus.NOT_FOUND);
                }
                return Responses.media(
                        req.head() ? Unpooled.EMPTY_BUFFER : p.retainedData(),
                        p.size(),
                        Responses.FMP4_TYPE,
                        CachePolicy.media(verdict));
            }
            default:
                for (Segment s : segments) {
                    if (s.sequence() == url.sequence()) {
                        return Responses.media(
                                req.head() ? Unpooled.EMPTY_BUFFER : s.retainedData(),
                                s.size(),
                                Responses.mediaType(live.fragmentedMp4()),
                                CachePolicy.media(verdict));
                    }
                }
                return Responses.status(HttpResponseStatus.NOT_FOUND);
        }
    }
}
