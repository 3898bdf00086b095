package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.net.KeepAlive;
import io.openivs.server.playback.PlaybackPath.Kind;
import io.openivs.server.playback.access.AccessDenied;
import io.openivs.server.playback.access.RenditionPolicy;
import io.openivs.server.playback.access.Verdict;

/**
 * Answers from the window the stream's owner last published, on the viewer's own event loop: the
 * multivariant playlist, regular HLS media playlists, and finished segments. This is the hot path
 * (every viewer fetches a segment per target duration), so a public viewer's answer is the
 * window's pre-encoded head plus the segment's bytes, written with one flush: no header building,
 * no encoder pass, no copy of the bytes. Over plain TCP the bytes go as a region of the segment's
 * tmpfs file (sendfile, so the kernel does not copy them either); otherwise (TLS, a segment kept in
 * memory) as a retained duplicate of the segment's buffer.
 */
final class WindowAnswers {
    private WindowAnswers() {}

    /** Answers and returns true, or returns false when the owner thread must answer (no window, LL-HLS, parts, init). */
    static boolean answer(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, PlaybackWindow window) {
        Kind kind = req.path().kind();
        if (window == null
                || !(kind == Kind.MASTER || kind == Kind.SEGMENT || kind == Kind.MEDIA && window.servesMedia())) {
            return false;
        }
        if (kind == Kind.SEGMENT && window.prefetches(req.path().sequence())) {
            return false; // listed as a prefetch segment: being written or about to be, which the owner sees
        }
        // A public viewer on an HTTP/1.1 keep-alive GET: the answer every such viewer gets, encoded with the window.
        boolean shared = !req.head() && req.keepAlive() == KeepAlive.KEEP && Responses.shared(verdict);
        // With transcoded renditions the master lists those within the token's class (160p always is).
        if (!shared && !(kind == Kind.MASTER && window.hasRungs())) {
            AccessDenied refused = RenditionPolicy.refusal(verdict, window.segments());
            if (refused != null) {
                Responses.send(ctx, req, Responses.forbidden(req, refused), verdict.allowOrigin());
                return true;
            }
        }
        if (kind == Kind.SEGMENT) {
            segment(ctx, req, verdict, window, shared);
        } else {
            playlist(ctx, req, verdict, window, shared);
        }
        return true;
    }

    private static void segment(
            ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, PlaybackWindow window, boolean shared) {
        int i = window.indexOf(req.path().sequence());
        Segment s = i < 0 ? null : window.segments().get(i);
        if (shared && s != null && Responses.sendsFiles(ctx)) {
            // Head and segment from the segment's file in one sendfile: the kernel copies nothing.
            FileRegion region = s.tryRetainedRegion(window.segmentHead(i));
            if (region != null) {
                req.answered();
                Responses.sendEncoded(ctx, region);
                return;
            }
        }
        // Null also once the segment has left the window and its bytes are gone (this window is not the newest).
        ByteBuf body = s == null ? null : req.head() ? Unpooled.EMPTY_BUFFER : s.tryRetainedData();
        if (body == null) {
            Responses.send(ctx, req, Responses.status(HttpResponseStatus.NOT_FOUND), verdict.allowOrigin());
        } else if (shared) {
            req.answered();
            Responses.sendEncoded(ctx, window.segmentHead(i), body);
        } else {
            Responses.send(
                    ctx,
                    req,
                    Responses.media(
                            body, s.size(), Responses.mediaType(window.fragmentedMp4()), CachePolicy.media(verdict)),
                    verdict.allowOrigin());
        }
    }

    private static void playlist(
            ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, PlaybackWindow window, boolean shared) {
        boolean master = req.path().kind() == Kind.MASTER;
        if (shared) {
            ByteBuf encoded = master ? window.encodedMaster() : window.encodedMedia();
            if (encoded != null) {
                req.answered();
                ctx.writeAndFlush(encoded, ctx.voidPromise());
                return;
            }
        }
        ByteBuf text = master ? window.master(verdict) : window.media(verdict.childQuery());
        // No finished segment yet: the channel is not playable, as for an offline one.
        Responses.send(
                ctx,
                req,
                text == null ? Responses.status(HttpResponseStatus.NOT_FOUND) : Responses.playlist(text),
                verdict.allowOrigin());
    }
}
