package io.openivs.server.ingest.srt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The pure SRT parts: sequence arithmetic, handshake and key material codecs, payload crypto. */
class SrtCodecTest {

    @Test
    void sequenceNumbersWrapAt31Bits() {
        assertThat(SeqNo.diff(5, SeqNo.MAX)).isEqualTo(6);
        assertThat(SeqNo.diff(SeqNo.MAX, 5)).isEqualTo(-6);
        assertThat(SeqNo.add(SeqNo.MAX, 1)).isZero();
        assertThat(SeqNo.diff(100, 40)).isEqualTo(60);
    }

    @Test
    void handshakeRoundTripsWithItsExtensions() {
        KeyMaterial km = SrtCrypto.wrap("a passphrase", salt(), 1, new byte[16]);
        Handshake hs = new Handshake(
                5,
                2,
                Handshake.FLAG_HSREQ | Handshake.FLAG_KMREQ | Handshake.FLAG_CONFIG,
                12345,
                1500,
                8192,
                Handshake.TYPE_CONCLUSION,
                777,
                0xCAFE,
                new byte[16],
                new Handshake.SrtHs(0x010503, 0xBF, 120, 200),
                km,
                -1,
                "#!::r=sk_us-west-2_abc,m=publish",
                false);
        ByteBuf buf = Unpooled.buffer();
        hs.write(buf);
        Handshake back = Handshake.parse(buf);
        assertThat(back.streamId()).isEqualTo("#!::r=sk_us-west-2_abc,m=publish");
        assertThat(back.hs()).isEqualTo(hs.hs());
        assertThat(back.km()).isEqualTo(km);
        assertThat(back.initialSequence()).isEqualTo(12345);
        assertThat(back.socketId()).isEqualTo(777);
        assertThat(back.cookie()).isEqualTo(0xCAFE);
        assertThat(back.response()).isFalse();
    }

    @Test
    void streamIdWordsAreByteReversedOnTheWire() {
        Handshake hs = new Handshake(
                5,
                0,
                Handshake.FLAG_CONFIG,
                1,
                1500,
                8192,
                Handshake.TYPE_CONCLUSION,
                1,
                1,
                new byte[16],
                null,
                null,
                -1,
                "abcdef",
                false);
        ByteBuf buf = Unpooled.buffer();
        hs.write(buf);
        // type 5, 2 words, then "dcba" and "\0\0fe"
        assertThat(ByteBufUtil.hexDump(buf, Handshake.SIZE, 12)).isEqualTo("00050002" + "64636261" + "00006665");
    }

    @Test
    void truncatedOrOverrunningHandshakesAreRefused() {
        assertThatThrownBy(() -> Handshake.parse(Unpooled.buffer(40).writeZero(40)))
                .isInstanceOf(IllegalArgumentException.class);
        ByteBuf buf = Unpooled.buffer();
        new Handshake(
                        5,
                        0,
                        0,
                        1,
                        1500,
                        8192,
                        Handshake.TYPE_CONCLUSION,
                        1,
                        1,
                        new byte[16],
                        null,
                        null,
                        -1,
                        null,
                        false)
                .write(buf);
        buf.writeShort(Handshake.EXT_SID).writeShort(100).writeInt(0); // claims 400 bytes, has 4
        assertThatThrownBy(() -> Handshake.parse(buf)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wrongPassphraseDoesNotUnwrap() {
        byte[] sek = new byte[24];
        new SecureRandom().nextBytes(sek);
        KeyMaterial km = SrtCrypto.wrap("the right passphrase", salt(), 1, sek);
        assertThatThrownBy(() -> SrtCrypto.unwrap(km, "the wrong passphrase"))
                .isInstanceOf(SrtCrypto.BadSecretException.class);
    }

    @Test
    void payloadCryptoIsAesCtrWithTheIvFromSaltAndSequence() throws Exception {
        for (int keyLength : new int[] {16, 24, 32}) {
            byte[] sek = new byte[keyLength];
            new SecureRandom().nextBytes(sek);
            byte[] salt = salt();
            SrtCrypto crypto = SrtCrypto.unwrap(SrtCrypto.wrap("a passphrase", salt, 2, sek), "a passphrase");
            byte[] plain = new byte[1316];
            new SecureRandom().nextBytes(plain);
            int seq = 0x1234_5678;
            // The reference: the JDK's own AES-CTR with the IV the draft defines.
            byte[] iv = new byte[16];
            System.arraycopy(salt, 0, iv, 0, 14);
            iv[10] ^= 0x12;
            iv[11] ^= 0x34;
            iv[12] ^= 0x56;
            iv[13] ^= 0x78;
            Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
            ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sek, "AES"), new IvParameterSpec(iv));
            byte[] expected = ctr.doFinal(plain);

            ByteBuf buf = Unpooled.buffer().writeZero(3).writeBytes(plain);
            assertThat(crypto.apply(buf, 3, plain.length, seq, SrtPacket.KK_ODD))
                    .isTrue();
            assertThat(ByteBufUtil.getBytes(buf, 3, plain.length)).isEqualTo(expected);
            assertThat(crypto.apply(buf, 3, plain.length, seq, SrtPacket.KK_ODD))
                    .isTrue();
            assertThat(ByteBufUtil.getBytes(buf, 3, plain.length)).isEqualTo(plain);
            assertThat(crypto.apply(buf, 3, plain.length, seq, SrtPacket.KK_EVEN))
                    .as("no even key")
                    .isFalse();
        }
    }

    @Test
    void bothKeysUnwrapFromOneMessage() throws Exception {
        byte[] seks = new byte[32];
        new SecureRandom().nextBytes(seks);
        SrtCrypto crypto = SrtCrypto.unwrap(SrtCrypto.wrap("a passphrase", salt(), 3, seks), "a passphrase");
        ByteBuf even = Unpooled.buffer().writeZero(32);
        ByteBuf odd = Unpooled.buffer().writeZero(32);
        assertThat(crypto.apply(even, 0, 32, 9, SrtPacket.KK_EVEN)).isTrue();
        assertThat(crypto.apply(odd, 0, 32, 9, SrtPacket.KK_ODD)).isTrue();
        assertThat(ByteBufUtil.getBytes(even)).isNotEqualTo(ByteBufUtil.getBytes(odd));
    }

    @Test
    void cookiesAreBoundToTheAddressAndExpire() {
        ListenerHandshake hs = new ListenerHandshake(120);
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 4000);
        InetSocketAddress b = new InetSocketAddress("127.0.0.1", 4001);
        long now = 1_700_000_000_000L;
        int cookie = hs.cookie(a, now / 60_000);
        assertThat(hs.cookieValid(cookie, a, now)).isTrue();
        assertThat(hs.cookieValid(cookie, a, now + 60_000)).isTrue();
        assertThat(hs.cookieValid(cookie, a, now + 120_000)).isFalse();
        assertThat(hs.cookieValid(cookie, b, now)).isFalse();
    }

    @Test
    void liveHsv5CallersWithAStreamIdPassTheFormCheck() {
        Handshake.SrtHs live =
                new Handshake.SrtHs(0x010502, Handshake.SrtHs.TSBPDSND | Handshake.SrtHs.TLPKTDROP, 0, 120);
        assertThat(ListenerHandshake.check(conclusion(live, "key"))).isZero();
        assertThat(ListenerHandshake.check(conclusion(live, null))).isEqualTo(SrtReject.BAD_REQUEST);
        assertThat(ListenerHandshake.check(conclusion(null, "key"))).isEqualTo(SrtReject.VERSION);
        Handshake.SrtHs fileMode = new Handshake.SrtHs(0x010502, Handshake.SrtHs.STREAM, 0, 0);
        assertThat(ListenerHandshake.check(conclusion(fileMode, "key"))).isEqualTo(SrtReject.MESSAGE_API);
    }

    @Test
    void streamIdsNameTheKeyPlainOrInAccessControlSyntax() {
        assertThat(StreamIdSyntax.publishResource("sk_us-west-2_abc")).contains("sk_us-west-2_abc");
        assertThat(StreamIdSyntax.publishResource("#!::r=sk_us-west-2_abc,m=publish"))
                .contains("sk_us-west-2_abc");
        assertThat(StreamIdSyntax.publishResource("#!::m=publish,r=sk_x,u=someone"))
                .contains("sk_x");
        assertThat(StreamIdSyntax.publishResource("#!::r=sk_x,m=request")).isEmpty();
        assertThat(StreamIdSyntax.publishResource("#!::m=publish")).isEmpty();
        assertThat(StreamIdSyntax.publishResource("")).isEmpty();
    }

    private static Handshake conclusion(Handshake.SrtHs hs, String sid) {
        return new Handshake(
                5, 0, 5, 1, 1500, 8192, Handshake.TYPE_CONCLUSION, 1, 1, new byte[16], hs, null, -1, sid, false);
    }

    private static byte[] salt() {
        byte[] s = new byte[16];
        new SecureRandom().nextBytes(s);
        return Arrays.copyOf(s, 16);
    }
}
