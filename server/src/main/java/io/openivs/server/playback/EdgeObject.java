package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.openivs.server.net.KeepAlive;
import io.openivs.server.playback.PlaybackPath.Kind;
import io.openivs.server.playback.access.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A finished 200 answer an edge holds for later viewers, readable from any viewer's event loop: most
 * edge requests (every viewer after the first asks for a segment or part already here) are answered
 * where they arrive, without a hop to the relay's loop. The relay's loop publishes and withdraws it;
 * a viewer's loop that finds it takes a hold first, so a withdrawal never frees bytes being sent.
 */
final class EdgeObject {
    private final ByteBuf body;
    private final int size;
    private final Kind kind;
    private final boolean fmp4;
    /** A playlist the owner chose by the request's Accept: its answers say {@code Vary: Accept} as the owner's did. */
    private final boolean varyAccept;
    /** The head every public HTTP/1.1 keep-alive GET gets, encoded once as the owner's window does. */
    private final ByteBuf sharedHead;
    /** Until when (epoch ms) it may answer. */
    final long until;
    /** The table's hold plus those of viewers copying a view right now; the bytes go with the last. */
    private final AtomicInteger holds = new AtomicInteger(1);

    /** @param body taken over (one reference) */
    EdgeObject(ByteBuf body, int size, PlaybackPath path, boolean varyAccept, long until) {
        this.body = body;
        this.size = size;
        this.kind = path.kind();
        this.fmp4 = path.fmp4();
        this.varyAccept = varyAccept;
        this.until = until;
        boolean playlist = kind == Kind.MASTER || kind == Kind.MEDIA;
        this.sharedHead = EncodedResponse.heads(
                playlist ? Responses.PLAYLIST_TYPE : mediaType(kind, fmp4),
                playlist ? CachePolicy.PLAYLIST : kind == Kind.INIT ? CachePolicy.NO_CACHE : CachePolicy.SHARED_MEDIA,
                varyAccept,
                new int[] {size})[0];
    }

    /** Any thread: answers and returns true, or returns false when the bytes are already gone. */
    boolean answer(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict) {
        int h;
        do {
            h = holds.get();
            if (h == 0) {
                return false;
            }
        } while (!holds.compareAndSet(h, h + 1));
        try {
            if (!req.head() && req.keepAlive() == KeepAlive.KEEP && Responses.shared(verdict)) {
                req.answered(); // counted as the owner counts its encoded answers
                Responses.sendEncoded(ctx, sharedHead.duplicate(), body.retainedDuplicate());
            } else {
                send(ctx, req, verdict, kind, fmp4, varyAccept, body, size);
            }
            return true;
        } finally {
            release();
        }
    }

    /** Withdrawn from the table (relay loop); the bytes go once no viewer holds them. */
    void release() {
        if (holds.decrementAndGet() == 0) {
            body.release();
        }
    }

    /**
     * Any thread: sends a 200 answer with {@code body} (not consumed; views of it are sent) as the owner would
     * have answered this viewer: the viewer's tickets written into a playlist, its cache policy on media.
     */
    static void send(
            ChannelHandlerContext ctx,
            ViewerRequest req,
            Verdict verdict,
            Kind kind,
            boolean fmp4,
            boolean varyAccept,
            ByteBuf body,
            int size) {
        FullHttpResponse r;
        if (kind == Kind.MASTER || kind == Kind.MEDIA) {
            String text = body.toString(StandardCharsets.UTF_8);
            String own = EdgePlaylists.withQueries(text, verdict.childQuery(), verdict.playlistQuery());
            r = own == text ? Responses.playlist(body.retainedDuplicate()) : Responses.playlist(own);
            if (varyAccept) {
                r.headers().set(HttpHeaderNames.VARY, Responses.ACCEPT);
            }
        } else {
            r = Responses.media(
                    req.head() ? Unpooled.EMPTY_BUFFER : body.retainedDuplicate(),
                    size,
                    mediaType(kind, fmp4),
                    kind == Kind.INIT ? CachePolicy.NO_CACHE : CachePolicy.media(verdict));
        }
        Responses.send(ctx, req, r, verdict.allowOrigin());
    }

    static io.netty.util.AsciiString mediaType(Kind kind, boolean fmp4) {
        return kind == Kind.INIT
                ? Responses.INIT_TYPE
                : kind == Kind.PART ? Responses.FMP4_TYPE : Responses.mediaType(fmp4);
    }
}
