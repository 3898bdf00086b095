package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The command exchange driven message by message, without sockets or chunking. */
class RtmpServerHandlerTest {
    private static final String KEY = "sk_us-west-2_secretKEY123";

    private final List<String> askedApps = new ArrayList<>();
    private final AtomicReference<CompletableFuture<PublishSession>> decision = new AtomicReference<>();
    private EmbeddedChannel channel;

    @BeforeAll
    static void paranoidLeakDetection() {
        LeakRecorder.install();
    }

    @AfterAll
    static void nothingLeaked() {
        LeakRecorder.assertNoLeaks();
    }

    @AfterEach
    void tearDown() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void open(boolean secure) {
        PublishAuthorizer authorizer = (app, name, tls, remote) -> {
            askedApps.add(app + "|" + name + "|" + tls);
            CompletableFuture<PublishSession> f = new CompletableFuture<>();
            decision.set(f);
            return f;
        };
        channel = new EmbeddedChannel(new RtmpServerHandler(authorizer, secure));
    }

    private void send(String name, double txn, Object commandObject, int streamId, Object... args) {
        channel.writeInbound(RtmpCommand.of(name, txn, commandObject, args).encode(ByteBufAllocator.DEFAULT, streamId));
    }

    private void sendMedia(int typeId, long ts, int... bytes) {
        ByteBuf body = Unpooled.buffer();
        for (int b : bytes) {
            body.writeByte(b);
        }
        channel.writeInbound(new RtmpMessage(typeId, 1, ts, body));
    }

    /** Outbound messages: commands decoded, control messages as "control:type:value". */
    private List<Object> sent() {
        List<Object> out = new ArrayList<>();
        RtmpMessage m;
        while ((m = channel.readOutbound()) != null) {
            try {
                if (m.typeId() == RtmpMessageType.COMMAND_AMF0) {
                    out.add(RtmpCommand.decode(m));
                } else {
                    out.add("control:" + m.typeId() + ":"
                            + m.content().getInt(m.content().readerIndex() + (m.typeId() == 4 ? 2 : 0)));
                }
            } finally {
                m.release();
            }
        }
        return out;
    }

    private static Map<?, ?> info(Object command) {
        return (Map<?, ?>) ((RtmpCommand) command).argument(0);
    }

    private void connectAndCreateStream() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("app", "app/");
        props.put("tcUrl", "rtmp://127.0.0.1/app/");
        send("connect", 1, props, 0);
        send("releaseStream", 2, null, 0, KEY);
        send("FCPublish", 3, null, 0, KEY);
        send("createStream", 4, null, 0);
        sent();
    }

    @Test
    void connectIsAnsweredWithControlSettingsThenSuccess() {
        open(false);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("app", "live?token=x");
        send("connect", 1, props, 0);
        List<Object> out = sent();
        assertThat(out).hasSize(4);
        assertThat(out.subList(0, 3)).containsExactly("control:5:2500000", "control:6:2500000", "control:1:4096");
        RtmpCommand result = (RtmpCommand) out.get(3);
        assertThat(result.name()).isEqualTo("_result");
        assertThat(result.transactionId()).isEqualTo(1.0);
        assertThat(info(result).get("code")).isEqualTo("NetConnection.Connect.Success");
    }

    @Test
    void createStreamReturnsStreamOneAndFcPublishIsAcknowledged() {
        open(false);
        send("connect", 1, Map.of("app", "app"), 0);
        sent();
        send("releaseStream", 2, null, 0, KEY);
        send("FCPublish", 3, null, 0, KEY);
        send("createStream", 4, null, 0);
        List<Object> out = sent();
        assertThat(out).extracting(o -> ((RtmpCommand) o).name()).containsExactly("_result", "onFCPublish", "_result");
        assertThat(((RtmpCommand) out.get(2)).transactionId()).isEqualTo(4.0);
        assertThat(((RtmpCommand) out.get(2)).argument(0)).isEqualTo(1.0);
        assertThat(out.toString()).doesNotContain(KEY);
    }

    @Test
    void acceptedPublishStartsSessionDeliversMediaAndEndsOnceOnUnpublish() {
        open(true);
        connectAndCreateStream();
        send("publish", 5, null, 1, KEY, "live");
        assertThat(askedApps).containsExactly("app|" + KEY + "|true");

        // Before the decision: media is dropped, metadata is kept for the session.
        sendMedia(RtmpMessageType.VIDEO, 0, 0x17, 0x00);
        ByteBuf meta = Unpooled.buffer();
        Amf0.write(meta, "@setDataFrame");
        Amf0.write(meta, "onMetaData");
        Amf0.writeEcmaArray(meta, Map.of("width", 640.0));
        channel.writeInbound(new RtmpMessage(RtmpMessageType.DATA_AMF0, 1, 0, meta));
        assertThat(sent()).isEmpty();

        RecordingSession session = new RecordingSession();
        decision.get().complete(session);
        List<Object> out = sent();
        assertThat(out.get(0)).isEqualTo("control:4:1"); // Stream Begin for stream 1
        assertThat(((RtmpCommand) out.get(1)).name()).isEqualTo("onStatus");
        assertThat(info(out.get(1)).get("code")).isEqualTo("NetStream.Publish.Start");
        assertThat(session.wasStarted()).isTrue();
        assertThat(session.metadata()).containsExactly(Map.of("width", 640.0));
        assertThat(session.control().bytesReceived()).isZero(); // no chunk decoder in this pipeline

        sendMedia(RtmpMessageType.VIDEO, 40, 0x17, 0x01, 0, 0, 0);
        sendMedia(RtmpMessageType.AUDIO, 43, 0xAF, 0x01, 0x21);
        sendMedia(RtmpMessageType.AUDIO, 44); // empty tag body: nothing to deliver
        assertThat(session.video()).containsExactly(new RecordingSession.Tag(40, 0x17, 0x01, 5));
        assertThat(session.audio()).containsExactly(new RecordingSession.Tag(43, 0xAF, 0x01, 3));

        send("FCUnpublish", 6, null, 1, KEY);
        send("deleteStream", 7, null, 0, 1.0);
        channel.close();
        assertThat(session.closedReasons()).containsExactly("unpublished");
    }

    @Test
    void amf3DataMessageWithAmf0BodyCarriesMetadata() {
        open(false);
        connectAndCreateStream();
        send("publish", 5, null, 1, KEY, "live");
        RecordingSession session = new RecordingSession();
        decision.get().complete(session);
        ByteBuf meta = Unpooled.buffer().writeByte(0);
        Amf0.write(meta, "onMetaData");
        Amf0.write(meta, Map.of("framerate", 30.0));
        channel.writeInbound(new RtmpMessage(RtmpMessageType.DATA_AMF3, 1, 0, meta));
        assertThat(session.metadata()).containsExactly(Map.of("framerate", 30.0));
    }

    @Test
    void refusalSendsBadNameWithoutTheKeyAndCloses() {
        open(false);
        connectAndCreateStream();
        send("publish", 5, null, 1, KEY, "live");
        decision.get().completeExceptionally(new PublishRefusedException("unknown stream key"));
        List<Object> out = sent();
        assertThat(out).hasSize(1);
        Map<?, ?> info = info(out.get(0));
        assertThat(info.get("level")).isEqualTo("error");
        assertThat(info.get("code")).isEqualTo("NetStream.Publish.BadName");
        assertThat(info.get("description")).isEqualTo("unknown stream key");
        assertThat(out.toString()).doesNotContain(KEY);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anyOtherAuthorizerFailureIsARefusalWithAGenericDescription() {
        open(false);
        connectAndCreateStream();
        send("publish", 5, null, 1, KEY, "live");
        decision.get().completeExceptionally(new IllegalStateException("database down while looking up " + KEY));
        List<Object> out = sent();
        assertThat(info(out.get(0)).get("code")).isEqualTo("NetStream.Publish.BadName");
        assertThat(out.toString()).doesNotContain(KEY).doesNotContain("database");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void sessionGrantedAfterTheConnectionWentAwayIsClosedWithoutStarting() {
        open(false);
        connectAndCreateStream();
        send("publish", 5, null, 1, KEY, "live");
        channel.close();
        RecordingSession session = new RecordingSession();
        decision.get().complete(session);
        assertThat(session.wasStarted()).isFalse();
        assertThat(session.closedReasons()).containsExactly("connection closed before publishing started");
    }

    @Test
    void disconnectFromTheSessionClosesTheConnectionAndReportsTheReasonOnce() {
        open(false);
        connectAndCreateStream();
        send("publish", 5, null, 1, KEY, "live");
        RecordingSession session = new RecordingSession();
        decision.get().complete(session);
        sent();
        session.control().disconnect("StopStream");
        session.control().disconnect("again");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(session.closedReasons()).containsExactly("StopStream");
    }

    @Test
    void playIsRefused() {
        open(false);
        connectAndCreateStream();
        send("play", 5, null, 1, "anything");
        List<Object> out = sent();
        assertThat(info(out.get(0)).get("code")).isEqualTo("NetStream.Play.Failed");
        assertThat(info(out.get(0)).get("level")).isEqualTo("error");
        assertThat(channel.isOpen()).isFalse();
        assertThat(askedApps).isEmpty();
    }

    @Test
    void commandsBeforeConnectCloseTheConnection() {
        open(false);
        send("publish", 1, null, 1, KEY, "live");
        assertThat(channel.isOpen()).isFalse();
        assertThat(askedApps).isEmpty();
    }

    @Test
    void malformedCommandClosesTheConnectionAndEndsThePublish() {
        open(false);
        connectAndCreateStream();
        send("publish", 5, null, 1, KEY, "live");
        RecordingSession session = new RecordingSession();
        decision.get().complete(session);
        channel.writeInbound(new RtmpMessage(
                RtmpMessageType.COMMAND_AMF0, 0, 0, Unpooled.wrappedBuffer(new byte[] {0x02, 0x00, 0x7F})));
        assertThat(channel.isOpen()).isFalse();
        assertThat(session.closedReasons()).hasSize(1);
        assertThat(session.closedReasons().get(0)).startsWith("protocol error");
    }

    @Test
    void appNameIsTakenFromAppOrTcUrlWithoutQueryOrSlashes() {
        assertThat(RtmpServerHandler.appName(Map.of("app", "/app/"))).isEqualTo("app");
        assertThat(RtmpServerHandler.appName(Map.of("app", "app?x=1"))).isEqualTo("app");
        assertThat(RtmpServerHandler.appName(Map.of("tcUrl", "rtmps://host:443/app/")))
                .isEqualTo("app");
        assertThat(RtmpServerHandler.appName(null)).isEmpty();
    }
}
