package io.openivs.server.playback;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.openivs.server.net.LogSafe;
import io.openivs.server.net.LogThrottle;
import io.openivs.server.playback.access.Verdict;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge playback: serves a live stream another node owns by asking that node's internal endpoint
 * ({@code /_cluster/} + the public path on its playback port, with the cluster secret), after the
 * access gate has admitted the viewer here. The internal request carries no token or ticket, only
 * what the owner needs to answer as it would this viewer (the token's maximum resolution); each
 * viewer's ticket is written into the playlists here ({@link EdgePlaylists}), so a single-use token is
 * claimed once, on the node the viewer reached.
 *
 * <p>Requests for the same object (path, LL-HLS blocking-reload parameters, resolution limit, and for a
 * media playlist whether Accept names the HLS type) share one
 * {@link EdgeFetch}: one upstream request per object however many viewers wait, and finished media
 * stays in memory for {@link #MEDIA_TTL_MS} (longer than the owner's live window) to serve later ones.
 * One event loop owns the fetch table and the upstream connections (kept alive, per owner), so nothing
 * here locks, and no thread waits for a viewer: a blocking reload is one pending upstream request.
 */
final class EdgeRelay {
    /** The internal endpoint's path prefix on the playback port. */
    static final String PREFIX = "/_cluster";
    /** The header carrying the cluster secret on the internal endpoint. */
    static final String SECRET_HEADER = "X-Openivs-Cluster";
    /** The header carrying the viewer's maximum resolution (a ResolutionClass name) on the internal endpoint. */
    static final String RESOLUTION_HEADER = "X-Openivs-Max-Resolution";
    /** The Accept an edge sends the owner for a viewer whose own Accept named the HLS type: that type alone. */
    private static final AsciiString HLS_ACCEPT = AsciiString.cached("application/x-mpegURL");

    /** A playlist as it stands: half of the second CachePolicy.PLAYLIST lets a CDN keep it. */
    static final long PLAYLIST_TTL_MS = 500;
    /**
     * A blocking reload's answer (the playlist once part N exists) stays a right answer: viewers asking for
     * part N later get it too, then ask for the next part, which a viewer behind catches up through at once.
     */
    static final long BLOCKING_PLAYLIST_TTL_MS = 10_000;

    static final long MEDIA_TTL_MS = 30_000;
    /** Objects being fetched or held at once; past this a new object is answered 503. */
    static final int MAX_FETCHES = 8192;

    private static final int MAX_IDLE_PER_OWNER = 32;

    /*
     * A dead or hung owner gets a quick 503, never a hanging viewer: players retry a 5xx (hls.js retries
     * playlist and media loads that fail with a 5xx or a timeout; a 4xx is final), so a viewer rides over the
     * seconds until the publisher is back on another node, or until housekeeping ends the dead owner's
     * sessions (the heartbeat timeout) and the stream answers 404 like any channel not live.
     */
    /** Nodes on one network answer a connect within milliseconds. */
    static final int CONNECT_TIMEOUT_MS = 2_000;
    /** Silence from the owner on an answer it holds in memory (a playlist, a segment, a part's next chunk). */
    static final long UPSTREAM_IDLE_MS = 5_000;
    /** A blocking reload: the owner holds it up to three target durations (LowLatencyPlayback), then answers. */
    static final long BLOCKING_IDLE_MS = 25_000;
    /** After a failed connect or a silent owner, requests for its streams get 503 at once for this long. */
    static final long OWNER_DOWN_MS = 2_000;

    private static final Logger log = LoggerFactory.getLogger(EdgeRelay.class);
    private static final LogThrottle refusedPeers = new LogThrottle(1, TimeUnit.MINUTES);

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final SslContext tls;
    private final String peerName;
    private final String secret;
    private final PlaybackCounters counters;
    private final Map<Key, EdgeFetch> fetches = new HashMap<>();
    /** Finished answers by the same keys, for viewers' loops to answer from; written by this loop only. */
    private final Map<Key, EdgeObject> finished = new ConcurrentHashMap<>();

    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();
    /** Upstream connections with a request out, for the sweep to close silent ones. */
    private final Set<Upstream> busy = new HashSet<>();
    /** Owners that failed a connect or went silent, to when (epoch ms) they are not asked again. */
    private final Map<InetSocketAddress, Long> down = new HashMap<>();

    EdgeRelay(
            EventLoop loop,
            Class<? extends SocketChannel> channelType,
            PlaybackCluster cluster,
            PlaybackCounters counters) {
        this.loop = loop;
        this.secret = cluster.secret();
        this.counters = counters;
        this.tls = cluster.upstreamTls();
        this.peerName = cluster.peerName();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS);
        loop.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    }

    /** Any thread: answers the viewer from the owner's copy of what it asked for. */
    void relay(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, EdgeOwners.Owner owner) {
        String resolution =
                verdict.maxResolution() == null ? "" : verdict.maxResolution().name();
        // The session, not the owner's address: a stream that starts again (elsewhere) is new to the edge.
        // Parts that are there already (no copy of the path, no concatenation): most requests stop at the lookup.
        Key key = new Key(owner.streamId(), resolution, req.pathText(), hlsQuery(req.query()), req.namesHlsType());
        EdgeObject done = finished.get(key);
        if (done != null && System.currentTimeMillis() < done.until && done.answer(ctx, req, verdict)) {
            return; // the common case: held already, answered on the viewer's own loop
        }
        try {
            loop.execute(() -> join(ctx, req, verdict, owner, key));
        } catch (RejectedExecutionException e) {
            Responses.send(ctx, req, unavailable(), verdict.allowOrigin());
        }
    }

    /** The answer while the owner cannot be asked: retry in a second (the publisher may be back elsewhere). */
    static FullHttpResponse unavailable() {
        FullHttpResponse r = Responses.status(HttpResponseStatus.SERVICE_UNAVAILABLE);
        r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        return r;
    }

    /** Whether {@code presented} is the cluster secret; constant time in the secret (digests compared). */
    static boolean authentic(String secret, String presented) {
        if (secret == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(secret), sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void join(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict, EdgeOwners.Owner owner, Key key) {
        long now = System.currentTimeMillis();
        EdgeFetch f = fetches.get(key);
        if (f != null && (f.failed() || f.expired(now))) {
            forget(key, f);
            f = null;
        }
        if (f == null) {
            Long downUntil = down.get(owner.address());
            if (fetches.size() >= MAX_FETCHES || (downUntil != null && now < downUntil)) {
                Responses.send(ctx, req, unavailable(), verdict.allowOrigin());
                return;
            }
            f = new EdgeFetch(req.path(), !key.hls().isEmpty());
            fetches.put(key, f);
            send(f, key, owner.address(), PREFIX + key.path() + key.hls(), key.resolution());
        }
        f.add(ctx, req, verdict);
    }

    /**
     * What a relayed object is known by: the owner's session, the viewer's resolution limit, path and reload,
     * and for a media playlist whether the viewer's Accept names the HLS type ({@link HlsAccept}), which
     * the owner is told in turn: a LOW channel's LL-HLS playlist differs by it, and the owner decides, so
     * every node answers a viewer as the owner would. A playlist that does not differ is then fetched once
     * per kind of viewer instead of once: one more small request per playlist state, not per viewer.
     */
    private record Key(String streamId, String resolution, String path, String hls, boolean namesHlsType) {}

    /** The LL-HLS blocking-reload parameters of a query, the only part of it the owner needs. */
    static String hlsQuery(String query) {
        if (query.isEmpty()) {
            return "";
        }
        long msn = LowLatencyPlayback.number(query, "_HLS_msn");
        if (msn < 0) {
            return "";
        }
        long part = LowLatencyPlayback.number(query, "_HLS_part");
        return "?_HLS_msn=" + msn + (part < 0 ? "" : "&_HLS_part=" + part);
    }

    private void send(EdgeFetch f, Key key, InetSocketAddress owner, String uri, String resolution) {
        counters.fetchedUpstream();
        ArrayDeque<Channel> pool = idle.get(owner);
        while (pool != null && !pool.isEmpty()) {
            Channel c = pool.pollLast();
            if (c.isActive()) {
                start(c, true, f, key, owner, uri, resolution);
                return;
            }
        }
        bootstrap.clone().handler(new Init(owner)).connect(owner).addListener((ChannelFuture cf) -> {
            if (cf.isSuccess()) {
                start(cf.channel(), false, f, key, owner, uri, resolution);
            } else {
                long now = System.currentTimeMillis();
                markDown(owner, now);
                f.fail(now);
                finished(f, key);
            }
        });
    }

    /** The owner did not answer: its idle connections go too, and its streams get 503 at once for a while. */
    private void markDown(InetSocketAddress owner, long now) {
        down.put(owner, now + OWNER_DOWN_MS);
        ArrayDeque<Channel> pool = idle.remove(owner);
        if (pool != null) {
            pool.forEach(Channel::close);
        }
    }

    private void start(
            Channel c, boolean reused, EdgeFetch f, Key key, InetSocketAddress owner, String uri, String resolution) {
        Upstream u = c.pipeline().get(Upstream.class);
        u.fetch = f;
        u.key = key;
        u.owner = owner;
        u.uri = uri;
        u.resolution = resolution;
        u.reused = reused;
        u.answered = false;
        u.silent = false;
        u.lastRead = System.currentTimeMillis();
        u.channel = c;
        busy.add(u);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers()
                .set(HttpHeaderNames.HOST, owner.getHostString() + ":" + owner.getPort())
                .set(SECRET_HEADER, secret);
        if (!resolution.isEmpty()) {
            request.headers().set(RESOLUTION_HEADER, resolution);
        }
        if (key.namesHlsType()) {
            request.headers().set(HttpHeaderNames.ACCEPT, HLS_ACCEPT);
        }
        c.writeAndFlush(request);
    }

    /** Closes upstream connections silent too long, drops finished answers past their freshness. Edge loop. */
    private void sweep() {
        long now = System.currentTimeMillis();
        for (Upstream u : List.copyOf(busy)) {
            if (now - u.lastRead > (mayBeParked(u.fetch, u.key) ? BLOCKING_IDLE_MS : UPSTREAM_IDLE_MS)) {
                u.silent = true;
                u.channel.close(); // the fetch fails in channelInactive
            }
        }
        down.values().removeIf(until -> until <= now);
        for (Iterator<Map.Entry<Key, EdgeFetch>> it = fetches.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, EdgeFetch> e = it.next();
            if (e.getValue().expired(now)) {
                it.remove();
                withdraw(e.getKey());
                e.getValue().release();
            }
        }
    }

    /**
     * Whether the owner may rightly hold this request before answering: a blocking reload, and media (a
     * prefetch segment or a hinted part is answered as it is written, up to three target durations later,
     * longer than a fixed idle limit for long keyframe intervals). Only a silent playlist request, which the
     * owner answers from memory at once, says the owner is hung; players reload playlists every second or two.
     */
    private static boolean mayBeParked(EdgeFetch f, Key key) {
        return f.blocking() || !key.path().endsWith(".m3u8");
    }

    private void forget(Key key, EdgeFetch f) {
        if (fetches.remove(key, f)) {
            withdraw(key);
            f.release();
        }
    }

    private void withdraw(Key key) {
        EdgeObject o = finished.remove(key);
        if (o != null) {
            o.release();
        }
    }

    /** An answer came whole: held for later viewers when fresh, else dropped (an error: the next viewer asks again). */
    private void finished(EdgeFetch f, Key key) {
        EdgeObject o = f.publish();
        if (o == null) {
            forget(key, f);
        } else if (fetches.get(key) == f) {
            EdgeObject old = finished.put(key, o);
            if (old != null) {
                old.release();
            }
        } else {
            o.release();
        }
    }

    /** A new upstream connection's pipeline; over TLS, the peer must prove the public host's name. */
    private final class Init extends ChannelInitializer<SocketChannel> {
        private final InetSocketAddress owner;

        Init(InetSocketAddress owner) {
            this.owner = owner;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            if (tls != null) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc(), peerName, owner.getPort()));
            }
            ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 65536)).addLast(new Upstream());
        }
    }

    /** One upstream connection: the fetch it is answering now, if any. Edge loop. */
    private final class Upstream extends ChannelInboundHandlerAdapter {
        EdgeFetch fetch;
        Key key;
        InetSocketAddress owner;
        String uri;
        String resolution;
        /** Taken from the idle pool: the owner may have closed it just as it was reused. */
        boolean reused;
        /** Whether the answer's head has come. */
        boolean answered;
        /** Closed by the sweep: the owner said nothing for too long. */
        boolean silent;
        /** When (epoch ms) the owner last sent anything for the fetch. */
        long lastRead;

        Channel channel;

        boolean keepAlive;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                EdgeFetch f = fetch;
                if (f == null) {
                    ctx.close(); // nothing was asked: not an answer of ours
                    return;
                }
                lastRead = System.currentTimeMillis();
                if (msg instanceof HttpResponse head) {
                    keepAlive = HttpUtil.isKeepAlive(head);
                    answered = true;
                    f.onHead(head);
                }
                if (msg instanceof HttpContent content) {
                    if (!f.onContent(content.content())) {
                        ctx.close();
                        return;
                    }
                    if (content instanceof LastHttpContent) {
                        fetch = null;
                        busy.remove(this);
                        f.onEnd(System.currentTimeMillis());
                        finished(f, key);
                        reuse(ctx.channel());
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void reuse(Channel c) {
            ArrayDeque<Channel> pool = idle.computeIfAbsent(owner, k -> new ArrayDeque<>());
            if (!keepAlive || !c.isActive() || pool.size() >= MAX_IDLE_PER_OWNER) {
                c.close();
            } else {
                pool.addLast(c);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            EdgeFetch f = fetch;
            if (f == null) {
                return;
            }
            fetch = null;
            busy.remove(this);
            if (reused && !answered && !silent) {
                send(f, key, owner, uri, resolution); // closed by the owner as it idled: once more, on a new connection
            } else {
                long now = System.currentTimeMillis();
                if (silent && !mayBeParked(f, key)) {
                    markDown(owner, now);
                }
                f.fail(now);
                finished(f, key);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
                // A certificate not trusted or not naming the public host: the operator's to mend, viewers get 503.
                refusedPeers.occurred(held -> log.warn(
                        "cluster: node {} refused over TLS ({} more since the last line): {}",
                        owner,
                        held,
                        LogSafe.escape(cause.getCause().getMessage())));
            }
            ctx.close(); // the fetch, if any, fails in channelInactive
        }
    }
}
