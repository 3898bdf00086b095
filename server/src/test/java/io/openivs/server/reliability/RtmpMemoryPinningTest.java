package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.openivs.server.ingest.rtmp.ChunkDecoder;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Issue 15, item 1: an anonymous RTMP peer that declares large messages and sends one chunk of each must not
 * make the server hold the declared lengths (on main, each such connection pinned 16 MiB of direct memory for
 * ~300 bytes sent), and a real encoder still publishes beside such peers.
 */
@Tag("reliability")
class RtmpMemoryPinningTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    private static final int ATTACKERS = 12;
    private static final int DECLARED = 8 * 1024 * 1024;

    private static long usedDirectMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT)
                .metric()
                .usedDirectMemory();
    }

    @Test
    void declaredMessageLengthsPinNoMemoryBeforePublish() throws Exception {
        int port = node.server().server().rtmpPort();
        long before = usedDirectMemory();
        List<RawRtmpClient> attackers = new ArrayList<>();
        try {
            for (int i = 0; i < ATTACKERS; i++) {
                RawRtmpClient c = new RawRtmpClient(port).handshake();
                // Two chunk streams, each declaring an 8 MiB command message and sending its first 128 bytes.
                attackers.add(c);
                for (int csid : new int[] {3, 4}) {
                    byte[] header = RawRtmpClient.type0Header(csid, DECLARED, RawRtmpClient.COMMAND_AMF0, 0);
                    if (!c.trySend(header) || !c.trySend(new byte[128])) {
                        break; // the server has already closed the connection: fine
                    }
                }
            }
            // Whatever the server does with them, it has read them within this time.
            long peak = 0;
            for (int i = 0; i < 20; i++) {
                peak = Math.max(peak, usedDirectMemory() - before);
                Thread.sleep(100);
            }
            // On main: 12 x 16 MiB = 192 MiB. Pool chunks allocated for other work may show up as noise.
            assertThat(peak)
                    .as("direct memory held for %d anonymous peers' declared lengths", ATTACKERS)
                    .isLessThan(16L * 1024 * 1024);
            // A length no command needs is refused outright.
            for (RawRtmpClient c : attackers) {
                assertThat(c.closedByServerWithin(2000))
                        .as("attacker connection closed")
                        .isTrue();
            }
        } finally {
            for (RawRtmpClient c : attackers) {
                c.close();
            }
        }
    }

    @Test
    void aPublishersDeclaredLengthsPinOnlyWhatArrived() {
        // After publish: four chunk streams declaring 8 MiB messages, one 128-byte chunk each. On main each held
        // its 8 MiB; now each holds the initial buffer (256 KiB) until more arrives.
        List<EmbeddedChannel> channels = new ArrayList<>();
        long before = usedDirectMemory();
        try {
            for (int i = 0; i < 4; i++) {
                EmbeddedChannel ch = new EmbeddedChannel(new ChunkDecoder(DECLARED));
                channels.add(ch);
                for (int csid : new int[] {4, 5}) {
                    ch.writeInbound(Unpooled.wrappedBuffer(RawRtmpClient.type0Header(csid, DECLARED, 9, 1)));
                    ch.writeInbound(Unpooled.wrappedBuffer(new byte[128]));
                }
                assertThat((Object) ch.readInbound())
                        .as("no message is complete")
                        .isNull();
            }
            assertThat(usedDirectMemory() - before)
                    .as("direct memory for 8 messages of 128 bytes received")
                    .isLessThan(16L * 1024 * 1024); // on main: 64 MiB
        } finally {
            channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        }
    }

    @Test
    void aRealEncoderPublishesBesideAttackers() throws Exception {
        int port = node.server().server().rtmpPort();
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("beside").insecureIngest(true));
        String arn = created.channel().arn();
        List<RawRtmpClient> attackers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawRtmpClient c = new RawRtmpClient(port).handshake();
                attackers.add(c);
                if (c.trySend(RawRtmpClient.type0Header(3, DECLARED, RawRtmpClient.COMMAND_AMF0, 0))) {
                    c.trySend(new byte[128]);
                }
            }
            CompletableFuture<FfmpegTool.Result> ffmpeg = Publishing.publish(
                    "rtmp://127.0.0.1:" + port + "/app/" + created.streamKey().value(), 8);
            String state = Publishing.await(
                    Duration.ofSeconds(20),
                    () -> node.ivs().getStream(b -> b.channelArn(arn)).stream().stateAsString());
            assertThat(state).isEqualTo("LIVE");
            FfmpegTool.Result r = ffmpeg.get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.stderr()).isZero();
        } finally {
            for (RawRtmpClient c : attackers) {
                c.close();
            }
        }
    }
}
