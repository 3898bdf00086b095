package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.net.LogSafe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishing side of the RTMP command exchange (NetConnection connect, createStream, publish, unpublish)
 * on top of decoded {@link RtmpMessage}s. Playback is refused: this is an ingest endpoint.
 *
 * <p>All state is touched only on the channel's event loop; the authorizer's answer and
 * {@link PublisherControl#disconnect} hop onto it. The publish session's {@code closed} is called exactly
 * once, from whichever ending comes first. Stream names are stream keys and are never logged.
 *
 * <p>Just past 500 lines: the command exchange is one state machine, and its states read best in one place.
 */
public final class RtmpServerHandler extends SimpleChannelInboundHandler<RtmpMessage> {
    private static final Logger log = LoggerFactory.getLogger(RtmpServerHandler.class);

    static final int SERVER_CHUNK_SIZE = 4096;
    static final int WINDOW_ACK_SIZE = 2_500_000;
    static final int PEER_BANDWIDTH = 2_500_000;
    /** The one message stream createStream hands out; a connection publishes at most one stream at a time. */
    static final int PUBLISH_STREAM_ID = 1;

    private enum State {
        AWAITING_CONNECT,
        CONNECTED,
        AUTHORIZING,
        PUBLISHING,
        CLOSED
    }

    private final PublishAuthorizer authorizer;
    private final boolean secure;
    private ChannelHandlerContext ctx;
    private ReceiveLowWater lowWater;
    private State state = State.AWAITING_CONNECT;
    private String app;
    private int publishStreamId = PUBLISH_STREAM_ID;
    private PublishSession session;
    /** Metadata that arrived while the authorizer was deciding; handed over once the session starts. */
    private Map<String, Object> earlyMetadata;

    public RtmpServerHandler(PublishAuthorizer authorizer, boolean secure) {
        this.authorizer = authorizer;
        this.secure = secure;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.lowWater = new ReceiveLowWater(
                ctx.channel(),
                ctx.pipeline().get(ChunkDecoder.class),
                ctx.pipeline().get(TlsRecordBoundaries.class));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (lowWater.batching()) {
            lowWater.update();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RtmpMessage msg) {
        if (state == State.CLOSED) {
            return;
        }
        switch (msg.typeId()) {
            case RtmpMessageType.AUDIO:
                if (state == State.PUBLISHING && msg.content().isReadable()) {
                    session.onAudio(msg.timestamp(), msg.content());
                }
                return;
            case RtmpMessageType.VIDEO:
                if (state == State.PUBLISHING && msg.content().isReadable()) {
                    session.onVideo(msg.timestamp(), msg.content());
                }
                return;
            case RtmpMessageType.COMMAND_AMF0:
            case RtmpMessageType.COMMAND_AMF3:
                onCommand(ctx, RtmpCommand.decode(msg), msg.messageStreamId());
                return;
            case RtmpMessageType.DATA_AMF0:
            case RtmpMessageType.DATA_AMF3:
                onData(msg);
                return;
            default:
                // User control (buffer length, ping responses), peer bandwidth, shared objects, aggregates: not used by
                // publishers.
                break;
        }
    }

    private void onCommand(ChannelHandlerContext ctx, RtmpCommand cmd, int messageStreamId) {
        String name = cmd.name();
        if (state == State.AWAITING_CONNECT && !"connect".equals(name)) {
            throw new RtmpProtocolException("command before connect");
        }
        switch (name) {
            case "connect":
                onConnect(ctx, cmd);
                break;
            case "releaseStream":
                reply(ctx, RtmpCommand.of("_result", cmd.transactionId(), null, Amf0.UNDEFINED), 0);
                break;
            case "FCPublish":
                reply(
                        ctx,
                        RtmpCommand.of(
                                "onFCPublish",
                                0,
                                null,
                                status("status", "NetStream.Publish.Start", "FCPublish received.")),
                        0);
                break;
            case "createStream":
                reply(ctx, RtmpCommand.of("_result", cmd.transactionId(), null, (double) PUBLISH_STREAM_ID), 0);
                break;
            case "publish":
                onPublish(ctx, cmd, messageStreamId);
                break;
            case "FCUnpublish":
            case "deleteStream":
            case "closeStream":
                endPublish("unpublished");
                break;
            case "play":
            case "play2":
                ctx.writeAndFlush(onStatus(
                                messageStreamId,
                                "error",
                                "NetStream.Play.Failed",
                                "Playback is not offered on the ingest endpoint."))
                        .addListener(ChannelFutureListener.CLOSE);
                state = State.CLOSED;
                break;
            default:
                if (cmd.transactionId() != 0) {
                    reply(
                            ctx,
                            RtmpCommand.of(
                                    "_error",
                                    cmd.transactionId(),
                                    null,
                                    status("error", "NetConnection.Call.Failed", "Method not supported.")),
                            0);
                }
        }
    }

    private void onConnect(ChannelHandlerContext ctx, RtmpCommand cmd) {
        if (state != State.AWAITING_CONNECT) {
            throw new RtmpProtocolException("second connect on one connection");
        }
        app = appName(cmd.commandObject());
        state = State.CONNECTED;
        ctx.write(ControlMessages.windowAckSize(ctx.alloc(), WINDOW_ACK_SIZE));
        ctx.write(
                ControlMessages.setPeerBandwidth(ctx.alloc(), PEER_BANDWIDTH, ControlMessages.PEER_BANDWIDTH_DYNAMIC));
        ctx.write(ControlMessages.setChunkSize(ctx.alloc(), SERVER_CHUNK_SIZE));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("fmsVer", "FMS/3,0,1,123");
        properties.put("capabilities", 31.0);
        Map<String, Object> info = status("status", "NetConnection.Connect.Success", "Connection succeeded.");
        info.put("objectEncoding", 0.0);
        reply(ctx, RtmpCommand.of("_result", cmd.transactionId(), properties, info), 0);
    }

    private void onPublish(ChannelHandlerContext ctx, RtmpCommand cmd, int messageStreamId) {
        if (state != State.CONNECTED) {
            refuse(ctx, "A stream is already being published on this connection.");
            return;
        }
        publishStreamId = messageStreamId == 0 ? PUBLISH_STREAM_ID : messageStreamId;
        Object streamName = cmd.argument(0);
        if (!(streamName instanceof String) || ((String) streamName).isEmpty()) {
            refuse(ctx, "No stream name given.");
            return;
        }
        state = State.AUTHORIZING;
        CompletionStage<PublishSession> decision;
        try {
            decision = authorizer.authorize(app, (String) streamName, secure, remoteAddress());
            if (decision == null) {
                decision = CompletableFuture.failedFuture(new IllegalStateException("authorizer returned no decision"));
            }
        } catch (RuntimeException e) {
            decision = CompletableFuture.failedFuture(e);
        }
        decision.whenComplete((s, error) -> {
            if (!onLoop(() -> onDecision(ctx, s, error)) && s != null) {
                closeQuietly(s, "server stopped");
            }
        });
    }

    /** Runs {@code task} on the connection's event loop: now if this is it; false if the loop refuses it. */
    private boolean onLoop(Runnable task) {
        EventExecutor loop = ctx.executor();
        if (loop.inEventLoop()) {
            task.run();
            return true;
        }
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void onDecision(ChannelHandlerContext ctx, PublishSession s, Throwable error) {
        if (state != State.AUTHORIZING || !ctx.channel().isActive()) {
            if (s != null) {
                closeQuietly(s, "connection closed before publishing started");
            }
            return;
        }
        if (error != null || s == null) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof PublishRefusedException) {
                log.info(
                        "RTMP publish refused: app={} remote={}: {}",
                        LogSafe.escape(app),
                        remoteAddress(),
                        LogSafe.escape(cause.getMessage()));
                // A wrong key is answered late, later with each recent failure from the address: guessing keys is slow.
                PeerAdmission.Gate gate = ctx.pipeline().get(PeerAdmission.Gate.class);
                long delay = gate == null ? 0 : gate.refusedPublishDelayMillis();
                state = State.CLOSED;
                if (delay <= 0) {
                    refuse(ctx, cause.getMessage());
                } else {
                    String description = cause.getMessage();
                    ctx.executor().schedule(() -> refuse(ctx, description), delay, TimeUnit.MILLISECONDS);
                }
            } else {
                // Only the type: a message from an arbitrary failure could quote the stream key.
                log.warn(
                        "RTMP publish authorization failed: app={} remote={}: {}",
                        LogSafe.escape(app),
                        remoteAddress(),
                        cause == null ? "no session" : cause.getClass().getName());
                refuse(ctx, "Publishing is not possible right now.");
            }
            return;
        }
        session = s;
        state = State.PUBLISHING;
        ChunkDecoder decoder = ctx.pipeline().get(ChunkDecoder.class);
        if (decoder != null) {
            decoder.trust(); // media-sized messages from now on
        }
        PeerAdmission.Gate gate = ctx.pipeline().get(PeerAdmission.Gate.class);
        if (gate != null) {
            gate.authorised();
        }
        ctx.write(ControlMessages.streamBegin(ctx.alloc(), publishStreamId));
        ctx.writeAndFlush(onStatus(publishStreamId, "status", "NetStream.Publish.Start", "Publishing started."));
        log.info("RTMP publish started: app={} remote={} tls={}", LogSafe.escape(app), remoteAddress(), secure);
        try {
            s.started(new Control(s));
            if (earlyMetadata != null && session == s) {
                s.onMetadata(earlyMetadata);
            }
        } catch (RuntimeException e) {
            log.warn("RTMP publish session failed to start", e);
            endPublish("session failed to start");
            ctx.close();
        } finally {
            earlyMetadata = null;
        }
    }

    private void refuse(ChannelHandlerContext ctx, String description) {
        state = State.CLOSED;
        ctx.writeAndFlush(onStatus(publishStreamId, "error", "NetStream.Publish.BadName", description))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void onData(RtmpMessage msg) {
        ByteBuf body = msg.content().duplicate();
        if (msg.typeId() == RtmpMessageType.DATA_AMF3 && (!body.isReadable() || body.readByte() != 0)) {
            return; // a real AMF3 body: no publisher sends one
        }
        List<Object> values;
        try {
            values = Amf0.readAll(body);
        } catch (Amf0Exception e) {
            // Metadata is advisory: a broken data message is dropped, the stream goes on.
            log.debug("RTMP data message dropped from {}: {}", remoteAddress(), LogSafe.escape(e.getMessage()));
            return;
        }
        int i = 0;
        if (i < values.size() && "@setDataFrame".equals(values.get(i))) {
            i++;
        }
        if (i + 1 < values.size() && "onMetaData".equals(values.get(i)) && values.get(i + 1) instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> metadata = (Map<String, Object>) values.get(i + 1);
            if (state == State.PUBLISHING) {
                session.onMetadata(metadata);
            } else if (state == State.AUTHORIZING) {
                earlyMetadata = metadata;
            }
            return;
        }
        // Other data messages (onTextData, onCuePoint, ...) are dropped: timed metadata and ad breaks come
        // through the control API (PutMetadata, InsertAdBreak), not from the encoder.
    }

    /** Ends the current publish, if any, telling its session why. Idempotent. */
    private void endPublish(String reason) {
        PublishSession s = session;
        if (s == null) {
            return;
        }
        session = null;
        if (state == State.PUBLISHING) {
            state = State.CONNECTED;
        }
        if (lowWater.batching()) {
            lowWater.batch(0); // commands after an unpublish are answered at once
        }
        log.info(
                "RTMP publish ended: app={} remote={}: {}",
                LogSafe.escape(app),
                remoteAddress(),
                LogSafe.escape(reason));
        closeQuietly(s, reason);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        endPublish("connection closed");
        state = State.CLOSED;
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String reason = describe(cause);
        if (session != null) {
            log.info("RTMP connection from {} failed: {}", remoteAddress(), LogSafe.escape(reason));
        } else {
            log.debug("RTMP connection from {} failed: {}", remoteAddress(), LogSafe.escape(reason));
        }
        endPublish(reason);
        state = State.CLOSED;
        ctx.close();
    }

    private static String describe(Throwable cause) {
        Throwable c = cause;
        while (c.getCause() != null && !(c instanceof RtmpProtocolException) && !(c instanceof Amf0Exception)) {
            c = c.getCause();
        }
        if (c instanceof RtmpProtocolException) {
            return "protocol error: " + c.getMessage();
        }
        if (c instanceof Amf0Exception) {
            return "protocol error: malformed AMF0: " + c.getMessage();
        }
        if (c instanceof ReadTimeoutException) {
            return "read timeout";
        }
        if (c instanceof IOException) {
            return "connection error: " + c.getMessage();
        }
        return "internal error: " + c.getClass().getSimpleName();
    }

    private void reply(ChannelHandlerContext ctx, RtmpCommand cmd, int messageStreamId) {
        ctx.writeAndFlush(cmd.encode(ctx.alloc(), messageStreamId));
    }

    private RtmpMessage onStatus(int messageStreamId, String level, String code, String description) {
        return RtmpCommand.of("onStatus", 0, null, status(level, code, description))
                .encode(ctx.alloc(), messageStreamId);
    }

    private static Map<String, Object> status(String level, String code, String description) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("level", level);
        info.put("code", code);
        info.put("description", description);
        return info;
    }

    /** The application from connect's "app" (or the tcUrl path when absent), without query or slashes. */
    static String appName(Object commandObject) {
        String app = null;
        if (commandObject instanceof Map) {
            Map<?, ?> props = (Map<?, ?>) commandObject;
            if (props.get("app") instanceof String) {
                app = (String) props.get("app");
            } else if (props.get("tcUrl") instanceof String) {
                String url = (String) props.get("tcUrl");
                int scheme = url.indexOf("://");
                int path = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
                app = path < 0 ? "" : url.substring(path + 1);
            }
        }
        if (app == null) {
            return "";
        }
        int query = app.indexOf('?');
        if (query >= 0) {
            app = app.substring(0, query);
        }
        int from = 0;
        int to = app.length();
        while (from < to && app.charAt(from) == '/') {
            from++;
        }
        while (to > from && app.charAt(to - 1) == '/') {
            to--;
        }
        return app.substring(from, to);
    }

    private InetSocketAddress remoteAddress() {
        SocketAddress a = ctx.channel().remoteAddress();
        return a instanceof InetSocketAddress ? (InetSocketAddress) a : null;
    }

    private static void closeQuietly(PublishSession s, String reason) {
        try {
            s.closed(reason);
        } catch (RuntimeException e) {
            log.warn("RTMP publish session threw from closed()", e);
        }
    }

    /** The handle one session gets; it can only end its own publish, not a later one on the same connection. */
    private final class Control implements PublisherControl {
        private final PublishSession owner;
        private final InetSocketAddress remote = RtmpServerHandler.this.remoteAddress();
        private final ChunkDecoder decoder = ctx.pipeline().get(ChunkDecoder.class);

        Control(PublishSession owner) {
            this.owner = owner;
        }

        @Override
        public void disconnect(String reason) {
            try {
                ctx.executor().execute(() -> {
                    if (session == owner) {
                        endPublish(reason);
                        state = State.CLOSED;
                        ctx.close();
                    }
                });
            } catch (RejectedExecutionException e) {
                ctx.channel().close(); // event loop shutting down: the channel is going away anyway
            }
        }

        @Override
        public void receiveInBatches(int bytes) {
            if (!ReceiveLowWater.USABLE) {
                return;
            }
            onLoop(
                    () -> { // refused only while the loop shuts down: nothing to batch then
                        if (session == owner && state == State.PUBLISHING) {
                            lowWater.batch(bytes);
                        }
                    });
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public io.netty.util.concurrent.EventExecutor executor() {
            return ctx.executor();
        }

        @Override
        public long bytesReceived() {
            return decoder == null ? 0 : decoder.bytesReceived();
        }
    }
}
