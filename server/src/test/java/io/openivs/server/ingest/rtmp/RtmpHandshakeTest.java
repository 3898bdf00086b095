package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RtmpHandshakeTest {
    // Written out independently of the production constants, from the public descriptions of the scheme.
    private static final byte[] TAIL =
            ByteBufUtil.decodeHexDump("F0EEC24A8068BEE82E00D0D1029E7E576EEC5D2D29806FAB93B8E636CFEB31AE");
    private static final byte[] PLAYER_TEXT = "Genuine Adobe Flash Player 001".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_TEXT =
            "Genuine Adobe Flash Media Server 001".getBytes(StandardCharsets.US_ASCII);

    @BeforeAll
    static void paranoidLeakDetection() {
        LeakRecorder.install();
    }

    @AfterAll
    static void nothingLeaked() {
        LeakRecorder.assertNoLeaks();
    }

    private static byte[] hmac(byte[] key, byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        for (byte[] p : parts) {
            mac.update(p);
        }
        return mac.doFinal();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static int offset(byte[] packet, int base) {
        return ((packet[base] & 0xFF)
                                + (packet[base + 1] & 0xFF)
                                + (packet[base + 2] & 0xFF)
                                + (packet[base + 3] & 0xFF))
                        % 728
                + base
                + 4;
    }

    /** HMAC over the packet without the 32 bytes at offset. */
    private static byte[] digestWithout(byte[] key, byte[] packet, int off) throws Exception {
        return hmac(key, Arrays.copyOfRange(packet, 0, off), Arrays.copyOfRange(packet, off + 32, packet.length));
    }

    /** A Flash-Player-style C1 with its digest at the layout with the given base (8 or 772). */
    private static byte[] digestC1(int base, long seed) throws Exception {
        byte[] c1 = new byte[1536];
        new Random(seed).nextBytes(c1);
        c1[0] = c1[1] = c1[2] = c1[3] = 0;
        c1[4] = 9;
        c1[5] = 0;
        c1[6] = 124;
        c1[7] = 2;
        int off = offset(c1, base);
        System.arraycopy(digestWithout(PLAYER_TEXT, c1, off), 0, c1, off, 32);
        return c1;
    }

    private static byte[] handshake(EmbeddedChannel ch, byte[] c1) {
        ByteBuf c0c1 = Unpooled.buffer().writeByte(3).writeBytes(c1);
        ch.writeInbound(c0c1);
        ByteBuf reply = ch.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(reply);
        reply.release();
        return bytes;
    }

    @Test
    void plainClientGetsItsC1EchoedAsS2AndBytesAfterC2PassOn() {
        EmbeddedChannel ch = new EmbeddedChannel(new RtmpHandshakeHandler(10_000));
        byte[] c1 = new byte[1536];
        new Random(1).nextBytes(c1);
        Arrays.fill(c1, 4, 8, (byte) 0); // zero version field: the plain handshake of the specification
        byte[] reply = handshake(ch, c1);
        assertThat(reply).hasSize(3073);
        assertThat(reply[0]).isEqualTo((byte) 3);
        assertThat(Arrays.copyOfRange(reply, 1537, 3073)).isEqualTo(c1);
        assertThat(RtmpHandshake.findClientDigest(c1)).isNull();

        // C2 plus the start of the chunk stream in the same read: the tail must reach the next handler.
        ByteBuf c2AndMore =
                Unpooled.buffer().writeBytes(Arrays.copyOfRange(reply, 1, 1537)).writeBytes(new byte[] {1, 2, 3});
        ch.writeInbound(c2AndMore);
        assertThat(ch.pipeline().get(RtmpHandshakeHandler.class))
                .as("handler removed after C2")
                .isNull();
        ByteBuf rest = ch.readInbound();
        assertThat(ByteBufUtil.getBytes(rest)).containsExactly(1, 2, 3);
        rest.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void digestClientAtEitherLayoutGetsMatchingServerDigests() throws Exception {
        for (int base : new int[] {8, 772}) {
            for (long seed = 0; seed < 20; seed++) {
                byte[] c1 = digestC1(base, seed);
                EmbeddedChannel ch = new EmbeddedChannel(new RtmpHandshakeHandler(10_000));
                byte[] reply = handshake(ch, c1);
                byte[] s1 = Arrays.copyOfRange(reply, 1, 1537);
                byte[] s2 = Arrays.copyOfRange(reply, 1537, 3073);

                int s1Off = offset(s1, base);
                assertThat(Arrays.copyOfRange(s1, s1Off, s1Off + 32))
                        .as("S1 digest, layout base %d", base)
                        .isEqualTo(digestWithout(SERVER_TEXT, s1, s1Off));
                assertThat(s1[4]).as("S1 announces a server version").isNotZero();

                int c1Off = offset(c1, base);
                byte[] s2Key = hmac(concat(SERVER_TEXT, TAIL), Arrays.copyOfRange(c1, c1Off, c1Off + 32));
                assertThat(Arrays.copyOfRange(s2, 1504, 1536))
                        .as("S2 digest, layout base %d", base)
                        .isEqualTo(hmac(s2Key, Arrays.copyOfRange(s2, 0, 1504)));
                ch.finishAndReleaseAll();
            }
        }
    }

    @Test
    void corruptedDigestFallsBackToThePlainHandshake() throws Exception {
        byte[] c1 = digestC1(8, 99);
        c1[100] ^= 1; // wherever it falls, one flipped bit breaks the HMAC
        assertThat(RtmpHandshake.findClientDigest(c1)).isNull();
        EmbeddedChannel ch = new EmbeddedChannel(new RtmpHandshakeHandler(10_000));
        assertThat(Arrays.copyOfRange(handshake(ch, c1), 1537, 3073)).isEqualTo(c1);
        ch.finishAndReleaseAll();
    }

    @Test
    void wrongVersionByteFailsAtOnce() {
        EmbeddedChannel ch = new EmbeddedChannel(new RtmpHandshakeHandler(10_000));
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {6})))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("version");
        assertThat((Object) ch.readOutbound()).as("no S0 sent").isNull();
        ch.finishAndReleaseAll();
    }
}
