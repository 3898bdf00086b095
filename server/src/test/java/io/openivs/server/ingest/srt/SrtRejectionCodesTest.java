package io.openivs.server.ingest.srt;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.Channel;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamState;

/**
 * A caller refused by the server learns why from the SRT rejection code in the handshake answer (what libsrt
 * shows an encoder as its connect failure's reason): an unknown key, no passphrase on an encrypted channel, the
 * wrong passphrase, and a second publisher on a live channel each have their own. Played by a raw HSv5 caller
 * (induction, cookie, conclusion) against the whole server, the channel made live by the real ffmpeg.
 */
class SrtRejectionCodesTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    @Test
    void refusalsCarryTheirSrtRejectionCodes() throws Exception {
        CreateChannelResponse created = node.ivs().createChannel(b -> b.name("srt-reasons"));
        Channel channel = created.channel();
        String key = created.streamKey().value();
        String passphrase = channel.srt().passphrase();
        InetSocketAddress server =
                new InetSocketAddress("127.0.0.1", node.server().server().srtPort());

        assertThat(refusal(server, "sk_us-west-2_nokey", null)).isEqualTo(SrtReject.FORBIDDEN);
        assertThat(refusal(server, "#!::r=sk_us-west-2_nokey,m=publish", null)).isEqualTo(SrtReject.FORBIDDEN);
        assertThat(refusal(server, key, null)).as("no passphrase").isEqualTo(SrtReject.UNSECURE);
        assertThat(refusal(server, key, km("not the channel's passphrase")))
                .as("wrong passphrase")
                .isEqualTo(SrtReject.BAD_SECRET);

        String url = "srt://127.0.0.1:" + server.getPort() + "?mode=caller&latency=200000&pbkeylen=24&streamid="
                + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&passphrase="
                + URLEncoder.encode(passphrase, StandardCharsets.UTF_8);
        // Stopped once the second publisher is refused; its exit code still says whether it published without an
        // error.
        Publishing.Stoppable publisher = Publishing.startStoppable(url, 10);
        Publishing.await(Duration.ofSeconds(20), () -> live(channel) ? true : null);
        assertThat(refusal(server, "#!::r=" + key + ",m=publish", km(passphrase)))
                .as("a second publisher, with the right passphrase")
                .isEqualTo(SrtReject.CONFLICT);
        FfmpegTool.Result published = publisher.stop();
        assertThat(published.exitCode()).as(published.stderr()).isZero();
    }

    private static boolean live(Channel channel) {
        try {
            return node.ivs().getStream(b -> b.channelArn(channel.arn())).stream()
                            .state()
                    == StreamState.LIVE;
        } catch (ChannelNotBroadcastingException e) {
            return false;
        }
    }

    private static KeyMaterial km(String passphrase) {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        return SrtCrypto.wrap(passphrase, salt, 1, new byte[16]);
    }

    /** Connects as a caller from a fresh socket; the handshake type of the server's answer to the conclusion. */
    private static int refusal(InetSocketAddress server, String streamId, KeyMaterial km) throws Exception {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            c.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocate(2048);
            int callerSocket = 1 + new java.util.Random().nextInt(0x3FFF_FFFF);
            int cookie = Publishing.await(Duration.ofSeconds(10), () -> {
                try {
                    c.send(SrtHandshakeFloodTest.Flooder.induction(callerSocket, 100), server);
                    Thread.sleep(100);
                    int got = SrtHandshakeFloodTest.Flooder.cookie(c, in, 0);
                    return got != 0 ? got : null;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            return Publishing.await(Duration.ofSeconds(20), () -> {
                try {
                    // The conclusion is repeated until answered, as a caller does (the authorisation is async).
                    c.send(SrtHandshakeFloodTest.Flooder.conclusion(callerSocket, 100, cookie, streamId, km), server);
                    Thread.sleep(250);
                    while (true) {
                        in.clear();
                        if (c.receive(in) == null) {
                            return null;
                        }
                        in.flip();
                        // Header (16 bytes), then version, encryption and extension fields, ISN, MTU, window: the type.
                        if (in.limit() >= 16 + 24 && in.getInt(16 + 20) != Handshake.TYPE_INDUCTION) {
                            return in.getInt(16 + 20);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }
}
