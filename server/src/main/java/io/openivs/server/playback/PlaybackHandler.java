package io.openivs.server.playback;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.openivs.server.playback.PlaybackPath.Kind;
import io.openivs.server.playback.access.AccessGate;
import io.openivs.server.playback.access.AccessRequest;
import io.openivs.server.playback.access.PlaybackGate;
import io.openivs.server.playback.access.ResolutionClass;
import io.openivs.server.playback.access.Verdict;

/**
 * Routes playback requests, in layers: {@link ViewerRequest} reads what a request names, the
 * {@link PlaybackGate} decides whether the viewer may have it (token, origins, countries, on the
 * event loop when its snapshots allow), then the live rendition it names answers it, from its
 * published window on this connection's loop ({@link WindowAnswers}, nearly every request) or on
 * the stream's owner thread ({@link OwnerAnswers}). {@link Responses} builds what goes back. The URLs:
 * the channel's multivariant playlist ({@code /api/video/v1/{name}.m3u8}), its media playlist
 * ({@code {name}/live.m3u8}) and segments ({@code {name}/{sequence}.ts}, or {@code .m4s} plus
 * {@code init-{n}.mp4} for fMP4; see {@link PlaybackPath}); an LL-HLS stream's audio_only rendition
 * has the same files under {@code {name}/audio_only/}.
 */
@ChannelHandler.Sharable
final class PlaybackHandler extends SimpleChannelInboundHandler<HttpRequest> {
    private final PlaybackSource source;
    private final AccessGate gate;
    private final boolean trustForwardedFor;
    /** In a cluster: the secret, owners and edge viewers; null standing alone. */
    private final PlaybackCluster cluster;
    /** Relays streams other nodes own (edge playback), or null standing alone. */
    private EdgeRelay edge;

    final PlaybackCounters counters = new PlaybackCounters();

    PlaybackHandler(PlaybackSource source, AccessGate gate, boolean trustForwardedFor) {
        this(source, gate, trustForwardedFor, null);
    }

    PlaybackHandler(PlaybackSource source, AccessGate gate, boolean trustForwardedFor, PlaybackCluster cluster) {
        this.source = source;
        this.gate = gate;
        this.trustForwardedFor = trustForwardedFor;
        this.cluster = cluster;
    }

    /** Set once, before the listener binds (registering its channels publishes it to their loops). */
    void edge(EdgeRelay edge) {
        this.edge = edge;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpRequest msg) {
        if (msg.uri().startsWith(EdgeRelay.PREFIX + "/")) {
            internal(ctx, msg);
            return;
        }
        ViewerRequest req = ViewerRequest.read(msg, ctx.channel().remoteAddress(), trustForwardedFor, counters);
        if (req.error() != null) {
            Responses.send(ctx, req, Responses.status(req.error()), "*");
            return;
        }
        AccessRequest access = req.access();
        // Access first, before looking at the stream: without a token, a private channel's state stays hidden.
        Verdict verdict = gate.decide(access);
        if (verdict != null) {
            serve(ctx, req, verdict);
        } else {
            gate.settle(access).thenAccept(v -> serve(ctx, req, v));
        }
    }

    /** Any thread (the event loop, or whichever settled the verdict). */
    private void serve(ChannelHandlerContext ctx, ViewerRequest req, Verdict verdict) {
        if (!verdict.allowed()) {
            Responses.send(ctx, req, Responses.forbidden(req, verdict.denied()), "*");
            return;
        }
        PlaybackPath url = req.path();
        LiveRendition live = rendition(url);
        if (live == null) {
            EdgeOwners.Owner owner = edge == null || source.find(url.name()) != null
                    ? null
                    : cluster.owners().owner(url.name());
            if (owner != null) {
                counters.served(url.kind());
                if (url.kind() != Kind.SEGMENT && url.kind() != Kind.PART) {
                    cluster.viewers().viewer(owner.streamId(), req.client(), System.currentTimeMillis());
                }
                edge.relay(ctx, req, verdict, owner);
                return;
            }
            Responses.send(ctx, req, Responses.status(HttpResponseStatus.NOT_FOUND), verdict.allowOrigin());
            return;
        }
        counters.served(url.kind());
        if (url.kind() != Kind.SEGMENT && url.kind() != Kind.PART) {
            live.viewer(req.client()); // a viewer fetches playlists; counting segments too would only cost
        }
        if (!WindowAnswers.answer(ctx, req, verdict, live.window())) {
            OwnerAnswers.answer(ctx, req, verdict, live);
        }
    }

    /**
     * The internal endpoint: another node relaying a stream this node owns. Only with the cluster secret
     * (anything else gets a bare 403); answered from this node's own streams, never relayed further, as
     * to a public viewer with the relayed viewer's maximum resolution (the edge checked access). These
     * requests are the edges' upstream fetches, counted apart from viewers and not counted as viewers.
     */
    private void internal(ChannelHandlerContext ctx, HttpRequest msg) {
        boolean authentic = cluster != null
                && EdgeRelay.authentic(cluster.secret(), msg.headers().get(EdgeRelay.SECRET_HEADER));
        msg.setUri(msg.uri().substring(EdgeRelay.PREFIX.length()));
        ViewerRequest req = ViewerRequest.read(msg, ctx.channel().remoteAddress(), false);
        if (!authentic) {
            Responses.send(ctx, req, Responses.status(HttpResponseStatus.FORBIDDEN), "*");
            return;
        }
        if (req.error() != null) {
            Responses.send(ctx, req, Responses.status(req.error()), "*");
            return;
        }
        Verdict verdict =
                new Verdict(null, "*", "", ResolutionClass.named(msg.headers().get(EdgeRelay.RESOLUTION_HEADER)));
        LiveRendition live = rendition(req.path());
        if (live == null) {
            Responses.send(ctx, req, Responses.status(HttpResponseStatus.NOT_FOUND), "*");
            return;
        }
        counters.servedEdge(req.path().kind());
        if (!WindowAnswers.answer(ctx, req, verdict, live.window())) {
            OwnerAnswers.answer(ctx, req, verdict, live);
        }
    }

    /** The live rendition a URL names, or null: offline, or a file of the other container or rendition. */
    private LiveRendition rendition(PlaybackPath url) {
        LiveRendition live = source.find(url.name());
        if (url.audioOnly() && live != null) {
            LiveRendition audio = live.sibling();
            live = audio != null && audio.audioOnly() ? audio : null;
        }
        if (url.rendition() != null && live != null) {
            live = live.rendition(url.rendition());
        }
        Kind kind = url.kind();
        // A segment URL of the other container, or an init segment or part of a TS channel, names nothing.
        if (live == null
                || kind == Kind.SEGMENT && live.fragmentedMp4() != url.fmp4()
                || (kind == Kind.INIT || kind == Kind.PART) && !live.fragmentedMp4()) {
            return null;
        }
        return live;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
