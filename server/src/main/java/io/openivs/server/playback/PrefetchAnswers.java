package io.openivs.server.playback;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.net.KeepAlive;
import io.openivs.server.playback.access.AccessDenied;
import io.openivs.server.playback.access.RenditionPolicy;
import io.openivs.server.playback.access.Verdict;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Requests for the segments a LOW channel's media playlist lists as LHLS prefetch segments
 * ({@code #EXT-X-PREFETCH}, see {@link Prefetch}), on the stream's owner thread: the segment being
 * written is streamed as it grows ({@link ChunkedAnswer}); the next one, not begun, is parked on
 * the stream's waiter list (no thread) until it begins, then streamed; a finished one is served
 * whole from memory, as any segment. A segment that never comes (the publisher stopped, or it
 * begins after a discontinuity the playlist could not announce) is answered 404; one the stream
 * stalls on, 503 after three target durations. An HTTP/1.0 viewer, which knows no chunked encoding,
 * gets the segment whole once finished.
 */
final class PrefetchAnswers {
    /** As for blocking playlist reloads: a stream this late is stalled. */
    private static final int TIMEOUT_TARGET_DURATIONS = 3;

    private PrefetchAnswers() {}

    /** Owner thread: answers a segment request of a channel that lists prefetch segments, now or once it can. */
    static void answer(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, LiveRendition live) {
        Request r = new Request(ctx, req, verdict, live);
        if (!r.tryAnswer()) {
            long timeoutMs = TIMEOUT_TARGET_DURATIONS * 1000L * live.targetDurationSeconds();
            r.timeout = live.owner().schedule(r::timedOut, timeoutMs, TimeUnit.MILLISECONDS);
            live.whenChanged(r);
        }
    }

    /** One request, parked until its segment begins or is finished; owner thread only. */
    private static final class Request implements Runnable {
        private final ChannelHandlerContext ctx;
        private final ViewerRequest req;
        private final Verdict verdict;
        private final LiveRendition live;
        private Future<?> timeout;
        private boolean done;

        Request(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, LiveRendition live) {
            this.ctx = ctx;
            this.req = req;
            this.verdict = verdict;
            this.live = live;
        }

        /** Answers and returns true, or returns false while the segment is yet to begin (or, HTTP/1.0, to end). */
        boolean tryAnswer() {
            if (live.ended()) {
                return send(Responses.status(HttpResponseStatus.NOT_FOUND));
            }
            List<Segment> segments = live.segments();
            AccessDenied refused = RenditionPolicy.refusal(verdict, segments);
            if (refused != null) {
                return send(Responses.forbidden(req, refused));
            }
            long sequence = req.path().sequence();
            for (int i = segments.size() - 1; i >= 0; i--) {
                Segment s = segments.get(i);
                if (s.sequence() == sequence) {
                    return send(Responses.media(
                            req.head() ? Unpooled.EMPTY_BUFFER : s.retainedData(),
                            s.size(),
                            Responses.mediaType(live.fragmentedMp4()),
                            CachePolicy.media(verdict)));
                }
            }
            Prefetch p = live.prefetch();
            if (p == null || sequence < p.sequence() || sequence >= p.sequence() + Prefetch.LISTED) {
                return send(Responses.status(HttpResponseStatus.NOT_FOUND));
            }
            if (sequence != p.sequence() || !p.writing()) {
                return false; // not begun
            }
            if (p.discontinuity()) {
                // Not the continuation the playlist promised: it is listed with its discontinuity once finished.
                return send(Responses.status(HttpResponseStatus.NOT_FOUND));
            }
            if (!req.chunked()) {
                return false;
            }
            finish();
            req.answered(); // the first bytes go now
            ChunkedAnswer answer = ChunkedAnswer.start(
                    ctx,
                    Responses.chunkedMedia(verdict, Responses.mediaType(live.fragmentedMp4())),
                    req.head(),
                    req.keepAlive() == KeepAlive.CLOSE);
            if (answer != null) {
                live.followSegment(answer);
            }
            return true;
        }

        private boolean send(FullHttpResponse response) {
            finish();
            Responses.send(ctx, req, response, verdict.allowOrigin());
            return true;
        }

        private void finish() {
            done = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
        }

        /** A part or segment was finished, or the stream ended: answer if now possible, else wait on. */
        @Override
        public void run() {
            if (!done && !tryAnswer()) {
                live.whenChanged(this);
            }
        }

        void timedOut() {
            if (!done) {
                done = true;
                live.stopWaiting(this); // a stalled stream must not pile up given-up requests
                Responses.send(
                        ctx, req, Responses.status(HttpResponseStatus.SERVICE_UNAVAILABLE), verdict.allowOrigin());
            }
        }
    }
}
