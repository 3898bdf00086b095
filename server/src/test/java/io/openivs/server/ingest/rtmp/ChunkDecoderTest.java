package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkDecoderTest {
    private EmbeddedChannel channel;
    private ChunkDecoder decoder;

    @BeforeAll
    static void paranoidLeakDetection() {
        LeakRecorder.install();
    }

    @AfterAll
    static void nothingLeaked() {
        LeakRecorder.assertNoLeaks();
    }

    @BeforeEach
    void setUp() {
        decoder = new ChunkDecoder(64 * 1024);
        channel = new EmbeddedChannel(decoder);
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    /** A decoded message with its payload copied out, so assertions need not manage reference counts. */
    private record Msg(int typeId, int streamId, long timestamp, byte[] payload) {}

    private List<Msg> feed(byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
        return drain();
    }

    private List<Msg> drain() {
        List<Msg> messages = new ArrayList<>();
        RtmpMessage m;
        while ((m = channel.readInbound()) != null) {
            messages.add(new Msg(m.typeId(), m.messageStreamId(), m.timestamp(), ByteBufUtil.getBytes(m.content())));
            m.release();
        }
        return messages;
    }

    @Test
    void typeZeroHeaderCarriesEverything() {
        byte[] payload = ChunkBytes.pattern(100, 1);
        List<Msg> out = feed(new ChunkBytes()
                .type0(3, 1234, 100, RtmpMessageType.COMMAND_AMF0, 0x01020304)
                .bytes(payload)
                .toByteArray());
        assertThat(out).hasSize(1);
        Msg m = out.get(0);
        assertThat(m.typeId()).isEqualTo(20);
        assertThat(m.streamId()).as("message stream id is little-endian").isEqualTo(0x01020304);
        assertThat(m.timestamp()).isEqualTo(1234);
        assertThat(m.payload()).isEqualTo(payload);
    }

    @Test
    void messageLongerThanChunkSizeIsReassembledFromTypeThreeChunks() {
        byte[] payload = ChunkBytes.pattern(300, 2);
        byte[] bytes = new ChunkBytes()
                .type0(4, 10, 300, RtmpMessageType.VIDEO, 1)
                .bytes(payload, 0, 128)
                .type3(4)
                .bytes(payload, 128, 256)
                .type3(4)
                .bytes(payload, 256, 300)
                .toByteArray();
        List<Msg> out = feed(bytes);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).payload()).isEqualTo(payload);
        assertThat(out.get(0).timestamp()).isEqualTo(10);
    }

    @Test
    void typesOneTwoAndThreeApplyTimestampDeltas() {
        byte[] a = ChunkBytes.pattern(20, 3);
        byte[] b = ChunkBytes.pattern(30, 4);
        byte[] bytes = new ChunkBytes()
                .type0(6, 1000, 20, RtmpMessageType.AUDIO, 1)
                .bytes(a)
                .type1(6, 33, 30, RtmpMessageType.VIDEO)
                .bytes(b) // new length and type, stream id kept
                .type2(6, 34)
                .bytes(b) // only a new delta
                .type3(6)
                .bytes(b) // everything repeated, delta 34 again
                .toByteArray();
        List<Msg> out = feed(bytes);
        assertThat(out).extracting(Msg::timestamp).containsExactly(1000L, 1033L, 1067L, 1101L);
        assertThat(out).extracting(Msg::typeId).containsExactly(8, 9, 9, 9);
        assertThat(out).extracting(Msg::streamId).containsOnly(1);
        assertThat(out.get(3).payload()).isEqualTo(b);
    }

    @Test
    void typeThreeRightAfterTypeZeroReusesTheAbsoluteTimestampAsDelta() {
        byte[] p = ChunkBytes.pattern(10, 5);
        List<Msg> out = feed(new ChunkBytes()
                .type0(5, 40, 10, RtmpMessageType.AUDIO, 1)
                .bytes(p)
                .type3(5)
                .bytes(p)
                .toByteArray());
        assertThat(out).extracting(Msg::timestamp).containsExactly(40L, 80L);
    }

    @Test
    void twoAndThreeByteBasicHeadersReachTheWholeChunkStreamIdRange() {
        byte[] p = ChunkBytes.pattern(5, 6);
        List<Msg> out = feed(new ChunkBytes()
                .type0(64, 1, 5, RtmpMessageType.AUDIO, 1)
                .bytes(p)
                .type0(319, 2, 5, RtmpMessageType.AUDIO, 1)
                .bytes(p)
                .type0(320, 3, 5, RtmpMessageType.AUDIO, 1)
                .bytes(p)
                .type0(65599, 4, 5, RtmpMessageType.AUDIO, 1)
                .bytes(p)
                .type3(65599)
                .bytes(p)
                .toByteArray());
        assertThat(out).extracting(Msg::timestamp).containsExactly(1L, 2L, 3L, 4L, 8L);
    }

    @Test
    void extendedTimestampOnTypeZeroAndOnItsTypeThreeContinuations() {
        long ts = 0x12345678L;
        byte[] payload = ChunkBytes.pattern(200, 7);
        byte[] bytes = new ChunkBytes()
                .type0(4, ts, 200, RtmpMessageType.VIDEO, 1)
                .bytes(payload, 0, 128)
                .type3(4)
                .u32(ts)
                .bytes(payload, 128, 200) // the continuation repeats the extended field
                .toByteArray();
        List<Msg> out = feed(bytes);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).timestamp()).isEqualTo(ts);
        assertThat(out.get(0).payload()).isEqualTo(payload);
    }

    @Test
    void extendedDeltaCarriesIntoTypeThreeNewMessagesAndTimestampsWrapAt32Bits() {
        byte[] p = ChunkBytes.pattern(4, 8);
        List<Msg> out = feed(new ChunkBytes()
                .type0(4, 0xFFFFFFF0L, 4, RtmpMessageType.VIDEO, 1)
                .bytes(p)
                .type2(4, 0x01000000L)
                .bytes(p) // extended delta
                .type3(4)
                .u32(0x01000000L)
                .bytes(p) // new message reusing the extended delta
                .toByteArray());
        assertThat(out)
                .extracting(Msg::timestamp)
                .containsExactly(
                        0xFFFFFFF0L,
                        (0xFFFFFFF0L + 0x01000000L) & 0xFFFFFFFFL,
                        (0xFFFFFFF0L + 0x02000000L) & 0xFFFFFFFFL);
    }

    @Test
    void interleavedChunkStreamsAreReassembledIndependently() {
        byte[] audio = ChunkBytes.pattern(200, 9);
        byte[] video = ChunkBytes.pattern(300, 10);
        byte[] bytes = new ChunkBytes()
                .type0(6, 100, 300, RtmpMessageType.VIDEO, 1)
                .bytes(video, 0, 128)
                .type0(4, 90, 200, RtmpMessageType.AUDIO, 1)
                .bytes(audio, 0, 128)
                .type3(6)
                .bytes(video, 128, 256)
                .type3(4)
                .bytes(audio, 128, 200) // audio completes first
                .type3(6)
                .bytes(video, 256, 300)
                .toByteArray();
        List<Msg> out = feed(bytes);
        assertThat(out).extracting(Msg::typeId).containsExactly(8, 9);
        assertThat(out.get(0).payload()).isEqualTo(audio);
        assertThat(out.get(0).timestamp()).isEqualTo(90);
        assertThat(out.get(1).payload()).isEqualTo(video);
        assertThat(out.get(1).timestamp()).isEqualTo(100);
    }

    @Test
    void setChunkSizeTakesEffectForTheVeryNextChunkAndIsNotPassedOn() {
        byte[] big = ChunkBytes.pattern(1000, 11);
        List<Msg> out = feed(new ChunkBytes()
                .setChunkSize(4096)
                .type0(4, 0, 1000, RtmpMessageType.VIDEO, 1)
                .bytes(big)
                .toByteArray());
        assertThat(out).hasSize(1);
        assertThat(out.get(0).payload()).isEqualTo(big);
        assertThat(decoder.chunkSize()).isEqualTo(4096);
    }

    @Test
    void abortDiscardsThePartialMessage() {
        byte[] first = ChunkBytes.pattern(300, 12);
        byte[] second = ChunkBytes.pattern(50, 13);
        List<Msg> out = feed(new ChunkBytes()
                .type0(6, 0, 300, RtmpMessageType.VIDEO, 1)
                .bytes(first, 0, 128)
                .type0(2, 0, 4, RtmpMessageType.ABORT, 0)
                .u32(6)
                .type0(6, 33, 50, RtmpMessageType.VIDEO, 1)
                .bytes(second)
                .toByteArray());
        assertThat(out).hasSize(1);
        assertThat(out.get(0).payload()).isEqualTo(second);
        assertThat(out.get(0).timestamp()).isEqualTo(33);
    }

    /**
     * A 300-byte video message (extended timestamp, on every chunk) and an audio message of 129-256 bytes on
     * a three-byte chunk stream id, their 128-byte chunks interleaved; the audio completes first.
     */
    private static ChunkBytes interleaved(byte[] audio, byte[] video) {
        return new ChunkBytes()
                .type0(6, 0xFFFFFF, 300, RtmpMessageType.VIDEO, 1)
                .bytes(video, 0, 128)
                .type0(330, 90, audio.length, RtmpMessageType.AUDIO, 1)
                .bytes(audio, 0, 128)
                .type3(6)
                .u32(0xFFFFFF)
                .bytes(video, 128, 256)
                .type3(330)
                .bytes(audio, 128, audio.length)
                .type3(6)
                .u32(0xFFFFFF)
                .bytes(video, 256, 300);
    }

    @Test
    void bytesArrivingOneAtATimeDecodeTheSameAsAllAtOnce() {
        byte[] audio = ChunkBytes.pattern(200, 14);
        byte[] video = ChunkBytes.pattern(300, 15);
        byte[] bytes = interleaved(audio, video).toByteArray();
        List<Msg> out = new ArrayList<>();
        for (byte b : bytes) {
            out.addAll(feed(new byte[] {b}));
        }
        assertThat(out).extracting(Msg::typeId).containsExactly(8, 9);
        assertThat(out.get(0).payload()).isEqualTo(audio);
        assertThat(out.get(1).payload()).isEqualTo(video);
        assertThat(out.get(1).timestamp()).isEqualTo(0xFFFFFF);
        assertThat(decoder.bytesReceived()).isEqualTo(bytes.length);
    }

    @ParameterizedTest(name = "audio of {0} bytes")
    @ValueSource(ints = {200, 138})
    void bytesWantedNeverPassesTheNextMessageEndAndIsZeroOnlyWhenNothingIsPending(int audioLength) {
        // With 138 bytes the audio's last chunk (10 bytes) ends sooner than the video chunk before it is read.
        byte[] bytes = interleaved(ChunkBytes.pattern(audioLength, 16), ChunkBytes.pattern(300, 17))
                .type0(4, 100, 40, RtmpMessageType.AUDIO, 1)
                .bytes(ChunkBytes.pattern(40, 18))
                .toByteArray();
        // Where each message completes: found by feeding a twin decoder a byte at a time.
        List<Integer> ends = new ArrayList<>();
        EmbeddedChannel twin = new EmbeddedChannel(new ChunkDecoder(64 * 1024));
        for (int i = 0; i < bytes.length; i++) {
            twin.writeInbound(Unpooled.wrappedBuffer(bytes, i, 1));
            for (RtmpMessage m; (m = twin.readInbound()) != null; ) {
                m.release();
                ends.add(i + 1);
            }
        }
        twin.finishAndReleaseAll();
        assertThat(ends).hasSize(3);

        for (int fed = 1; fed <= bytes.length; fed++) {
            feed(new byte[] {bytes[fed - 1]});
            int wanted = decoder.bytesWanted();
            int at = fed;
            int nextEnd = ends.stream().filter(e -> e > at).findFirst().orElse(Integer.MAX_VALUE);
            if (ends.contains(fed) && fed != ends.get(0)) {
                // The audio that ends first leaves the video half-gathered; the others end everything in progress.
                assertThat(wanted).as("after byte %d", fed).isZero();
            } else {
                assertThat(wanted).as("after byte %d", fed).isPositive().isLessThanOrEqualTo(nextEnd - fed);
            }
        }
        // Where the rest of a message is one chunk's payload, the count is exact.
        byte[] frame = ChunkBytes.pattern(100, 19);
        byte[] one = new ChunkBytes()
                .type0(7, 0, 100, RtmpMessageType.VIDEO, 1)
                .bytes(frame)
                .toByteArray();
        feed(java.util.Arrays.copyOf(one, one.length - 60));
        assertThat(decoder.bytesWanted()).isEqualTo(60);
        assertThat(feed(java.util.Arrays.copyOfRange(one, one.length - 60, one.length)))
                .hasSize(1);
        assertThat(decoder.bytesWanted()).isZero();
    }

    @Test
    void bytesUntilAcknowledgementCountsDownTheWindow() {
        assertThat(decoder.bytesUntilAcknowledgement())
                .as("no window asked for")
                .isEqualTo(Integer.MAX_VALUE);
        byte[] window = new ChunkBytes()
                .type0(2, 0, 4, RtmpMessageType.WINDOW_ACK_SIZE, 0)
                .u32(1000)
                .toByteArray();
        feed(window);
        byte[] audio = new ChunkBytes()
                .type0(4, 0, 100, RtmpMessageType.AUDIO, 1)
                .bytes(ChunkBytes.pattern(100, 20))
                .toByteArray();
        feed(audio);
        assertThat(decoder.bytesUntilAcknowledgement()).isEqualTo(1000 - window.length - audio.length);
        feed(java.util.Arrays.copyOf(audio, 50)); // half a chunk, held in the decoder
        assertThat(decoder.bytesUntilAcknowledgement()).isEqualTo(1000 - window.length - audio.length - 50);
    }

    @Test
    void acknowledgementIsSentAfterEachWindow() {
        byte[] p = ChunkBytes.pattern(90, 16);
        ChunkBytes bytes = new ChunkBytes()
                .type0(2, 0, 4, RtmpMessageType.WINDOW_ACK_SIZE, 0)
                .u32(200);
        for (int i = 0; i < 5; i++) {
            bytes.type0(4, i, 90, RtmpMessageType.AUDIO, 1).bytes(p);
        }
        byte[] all = bytes.toByteArray(); // 16 + 5 * 102 = 526 bytes: windows complete at >=200 and >=400
        feed(all);
        List<Long> acked = new ArrayList<>();
        RtmpMessage m;
        while ((m = channel.readOutbound()) != null) {
            assertThat(m.typeId()).isEqualTo(RtmpMessageType.ACKNOWLEDGEMENT);
            acked.add(m.content().getUnsignedInt(0));
            m.release();
        }
        assertThat(acked).containsExactly(220L, 424L);
    }

    @Test
    void chunkSizeWithTopBitSetIsAProtocolError() {
        assertThatThrownBy(() -> channel.writeInbound(
                        new ChunkBytes().setChunkSize(0x80000000L).toByteBuf()))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("chunk size");
    }

    @Test
    void chunkSizeAboveTheCapOrZeroIsAProtocolError() {
        assertThatThrownBy(() -> channel.writeInbound(
                        new ChunkBytes().setChunkSize(16 * 1024 * 1024 + 1).toByteBuf()))
                .isInstanceOf(RtmpProtocolException.class);
        EmbeddedChannel other = new EmbeddedChannel(new ChunkDecoder());
        assertThatThrownBy(() ->
                        other.writeInbound(new ChunkBytes().setChunkSize(0).toByteBuf()))
                .isInstanceOf(RtmpProtocolException.class);
        other.finishAndReleaseAll();
    }

    @Test
    void inputAfterAProtocolErrorIsDiscarded() {
        ByteBuf bytes = new ChunkBytes()
                .setChunkSize(0x80000000L)
                .type0(3, 0, 3, RtmpMessageType.COMMAND_AMF0, 0)
                .bytes(new byte[3])
                .toByteBuf();
        assertThatThrownBy(() -> channel.writeInbound(bytes)).isInstanceOf(RtmpProtocolException.class);
        channel.writeInbound(new ChunkBytes()
                .type0(3, 0, 3, RtmpMessageType.COMMAND_AMF0, 0)
                .bytes(new byte[3])
                .toByteBuf());
        assertThat(drain()).isEmpty();
    }

    @Test
    void messageLongerThanTheCapIsAProtocolErrorBeforeItsBytesArrive() {
        assertThatThrownBy(() -> channel.writeInbound(new ChunkBytes()
                        .type0(4, 0, 64 * 1024 + 1, RtmpMessageType.VIDEO, 1)
                        .toByteBuf()))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("length");
    }

    @Test
    void unfinishedMessagesAcrossChunkStreamsAreBoundedTogether() {
        // Each message is within the 64 KiB cap, but three unfinished ones exceed twice the cap.
        ChunkBytes bytes = new ChunkBytes();
        for (int csid = 4; csid < 7; csid++) {
            bytes.type0(csid, 0, 60 * 1024, RtmpMessageType.VIDEO, 1).bytes(new byte[128]);
        }
        assertThatThrownBy(() -> channel.writeInbound(bytes.toByteBuf()))
                .isInstanceOf(RtmpProtocolException.class)
                .hasMessageContaining("unfinished");
    }

    @Test
    void firstChunkOnAStreamMustCarryAFullHeader() {
        assertThatThrownBy(() -> channel.writeInbound(
                        new ChunkBytes().type1(9, 0, 4, RtmpMessageType.AUDIO).toByteBuf()))
                .isInstanceOf(RtmpProtocolException.class);
    }

    @Test
    void newHeaderInTheMiddleOfAMessageIsAProtocolError() {
        ByteBuf bytes = new ChunkBytes()
                .type0(4, 0, 300, RtmpMessageType.VIDEO, 1)
                .bytes(new byte[128])
                .type0(4, 0, 10, RtmpMessageType.VIDEO, 1)
                .bytes(new byte[10])
                .toByteBuf();
        assertThatThrownBy(() -> channel.writeInbound(bytes)).isInstanceOf(RtmpProtocolException.class);
    }

    @Test
    void partialMessagesAreReleasedWhenTheConnectionGoesAway() {
        // Paranoid leak detection (checked after all tests) would report the 300-byte buffer if it were kept.
        feed(new ChunkBytes()
                .type0(6, 0, 300, RtmpMessageType.VIDEO, 1)
                .bytes(new byte[128])
                .toByteArray());
        assertThat(channel.close().isSuccess()).isTrue();
        assertThat(drain()).isEmpty();
    }
}
