package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AsciiString;
import io.openivs.server.net.KeepAlive;
import io.openivs.server.playback.PlaybackPath.Kind;
import io.openivs.server.playback.access.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * One request an edge sends the owner of a stream, and every viewer waiting for its answer: however
 * many viewers ask for the same object, the owner is asked once. Viewers who arrive while it is under
 * way wait for it; when the owner streams the object as it is written (the hinted LL-HLS part, an LHLS
 * prefetch segment), viewers who can take chunks get what has come so far and then each chunk as it
 * comes. Once complete, the answer stays to serve later viewers while {@link #freshFor} says it may.
 *
 * <p>Owned by the edge's event loop ({@link EdgeRelay}): every method runs there. Viewers are answered
 * with retained views of the same bytes, never copies, each on its own connection's loop.
 */
final class EdgeFetch {
    /** Larger than any segment; a body past this is not a segment of ours, and the fetch fails. */
    static final int MAX_BODY = 64 << 20;

    private record Waiter(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict) {}

    private final Kind kind;
    private final boolean fmp4;
    private HttpResponseStatus status;
    private String contentType;
    /** The owner's answer said {@code Vary: Accept} (a LOW channel's LL-HLS playlist): viewers are told so too. */
    private boolean varyAccept;
    /** A 200 media answer coming chunk by chunk: viewers that take chunks may follow it. */
    private boolean streaming;

    private final List<ByteBuf> chunks = new ArrayList<>();
    private int size;
    private ByteBuf body;
    private boolean done;
    private boolean failed;
    private long doneAt;
    private final List<Waiter> waiting = new ArrayList<>();
    private final List<ChunkedAnswer> following = new ArrayList<>();

    /** A blocking playlist reload: its answer is the playlist once a given part exists, which stays true. */
    private final boolean blocking;

    private final PlaybackPath path;

    EdgeFetch(PlaybackPath path, boolean blocking) {
        this.path = path;
        this.kind = path.kind();
        this.fmp4 = path.fmp4();
        this.blocking = blocking;
    }

    boolean done() {
        return done;
    }

    boolean failed() {
        return failed;
    }

    boolean blocking() {
        return blocking;
    }

    /** How long after completion the answer may serve new viewers: 0 for none (errors, failures). */
    long freshFor() {
        if (!done || failed || !HttpResponseStatus.OK.equals(status)) {
            return 0;
        }
        return !playlist()
                ? EdgeRelay.MEDIA_TTL_MS
                : blocking ? EdgeRelay.BLOCKING_PLAYLIST_TTL_MS : EdgeRelay.PLAYLIST_TTL_MS;
    }

    boolean expired(long now) {
        return done && now - doneAt >= freshFor();
    }

    /** A viewer wants the answer. */
    void add(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict) {
        Waiter w = new Waiter(ctx, req, verdict);
        if (done) {
            answer(w);
        } else if (streaming && req.chunked()) {
            follow(w);
        } else {
            waiting.add(w);
        }
    }

    void onHead(HttpResponse head) {
        status = head.status();
        contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        varyAccept = head.headers().containsValue(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT, true);
        streaming = HttpResponseStatus.OK.equals(status) && !playlist() && HttpUtil.isTransferEncodingChunked(head);
        if (streaming) {
            List<Waiter> all = new ArrayList<>(waiting);
            waiting.clear();
            for (Waiter w : all) {
                if (w.req().chunked()) {
                    follow(w);
                } else {
                    waiting.add(w); // HTTP/1.0: the whole object, once finished
                }
            }
        }
    }

    /** Returns false when the body grew past {@link #MAX_BODY} (the caller fails the fetch). */
    boolean onContent(ByteBuf content) {
        if (!content.isReadable()) {
            return true;
        }
        if (size + (long) content.readableBytes() > MAX_BODY) {
            return false;
        }
        chunks.add(content.retain());
        size += content.readableBytes();
        following.removeIf(a -> !a.onChunk(content));
        return true;
    }

    void onEnd(long now) {
        done = true;
        doneAt = now;
        body = chunks.isEmpty()
                ? Unpooled.EMPTY_BUFFER
                : chunks.size() == 1 ? chunks.get(0) : Unpooled.wrappedBuffer(chunks.toArray(ByteBuf[]::new));
        chunks.clear();
        for (ChunkedAnswer a : following) {
            a.partEnded();
        }
        following.clear();
        for (Waiter w : waiting) {
            answer(w);
        }
        waiting.clear();
    }

    /** The owner could not be reached or stopped mid-answer: waiting viewers get 503, followers a cut connection. */
    void fail(long now) {
        if (done) {
            return;
        }
        failed = true;
        done = true;
        doneAt = now;
        for (ChunkedAnswer a : following) {
            a.segmentEnded(false);
        }
        following.clear();
        for (Waiter w : waiting) {
            answer(w);
        }
        waiting.clear();
        release();
    }

    /** Lets go of the bytes (views already handed to viewers keep theirs). */
    void release() {
        for (ByteBuf c : chunks) {
            c.release();
        }
        chunks.clear();
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private boolean playlist() {
        return kind == Kind.MASTER || kind == Kind.MEDIA;
    }

    private AsciiString mediaType() {
        return EdgeObject.mediaType(kind, fmp4);
    }

    /** The finished 200 answer for viewers of any loop to take, or null (not finished, or not a 200). */
    EdgeObject publish() {
        long fresh = freshFor();
        return fresh == 0 ? null : new EdgeObject(body.retain(), size, path, varyAccept, doneAt + fresh);
    }

    private void follow(Waiter w) {
        ChunkedAnswer a = ChunkedAnswer.start(
                w.ctx(),
                Responses.chunkedMedia(w.verdict(), mediaType()),
                w.req().head(),
                w.req().keepAlive() == KeepAlive.CLOSE);
        if (a == null) {
            return; // HEAD: headers only, already complete
        }
        for (ByteBuf c : chunks) {
            if (!a.onChunk(c)) {
                return;
            }
        }
        following.add(a);
    }

    private void answer(Waiter w) {
        ViewerRequest req = w.req();
        Verdict verdict = w.verdict();
        FullHttpResponse r;
        if (failed || body == null) {
            r = EdgeRelay.unavailable();
        } else if (!HttpResponseStatus.OK.equals(status)) {
            // A refusal the owner made (a rendition above the token's maximum resolution) says why in its body.
            r = body.isReadable()
                    ? Responses.relayed(status, body.retainedDuplicate(), contentType)
                    : Responses.status(status);
        } else {
            EdgeObject.send(w.ctx(), req, verdict, kind, fmp4, varyAccept, body, size);
            return;
        }
        Responses.send(w.ctx(), req, r, verdict.allowOrigin());
    }
}
