package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChunkEncoderTest {

    @BeforeAll
    static void paranoidLeakDetection() {
        LeakRecorder.install();
    }

    @AfterAll
    static void nothingLeaked() {
        LeakRecorder.assertNoLeaks();
    }

    private static byte[] encode(EmbeddedChannel encoder, RtmpMessage message) {
        encoder.writeOutbound(message);
        ByteBuf out = encoder.readOutbound();
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return bytes;
    }

    @Test
    void writesTypeZeroThenTypeThreeChunksAtDefaultChunkSize() {
        EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
        byte[] payload = ChunkBytes.pattern(300, 1);
        byte[] bytes =
                encode(encoder, new RtmpMessage(RtmpMessageType.COMMAND_AMF0, 1, 500, Unpooled.wrappedBuffer(payload)));
        byte[] expected = new ChunkBytes()
                .type0(3, 500, 300, RtmpMessageType.COMMAND_AMF0, 1)
                .bytes(payload, 0, 128)
                .type3(3)
                .bytes(payload, 128, 256)
                .type3(3)
                .bytes(payload, 256, 300)
                .toByteArray();
        assertThat(bytes).isEqualTo(expected);
        encoder.finishAndReleaseAll();
    }

    @Test
    void protocolControlGoesOnChunkStreamTwoAndSetChunkSizeAppliesToLaterMessages() {
        EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
        byte[] control = encode(encoder, ControlMessages.setChunkSize(ByteBufAllocator.DEFAULT, 4096));
        assertThat(control).isEqualTo(new ChunkBytes().setChunkSize(4096).toByteArray());
        byte[] payload = ChunkBytes.pattern(1000, 2);
        byte[] bytes =
                encode(encoder, new RtmpMessage(RtmpMessageType.COMMAND_AMF0, 0, 0, Unpooled.wrappedBuffer(payload)));
        assertThat(bytes).hasSize(12 + 1000); // one chunk
        encoder.finishAndReleaseAll();
    }

    @Test
    void encodedMessagesDecodeBackIncludingExtendedTimestamps() {
        EmbeddedChannel encoder = new EmbeddedChannel(new ChunkEncoder());
        EmbeddedChannel decoder = new EmbeddedChannel(new ChunkDecoder());
        long[] timestamps = {0, 33, 0xFFFFFE, 0xFFFFFF, 0xFFFFFFFFL};
        for (long ts : timestamps) {
            byte[] payload = ChunkBytes.pattern(777, (int) ts);
            decoder.writeInbound(Unpooled.wrappedBuffer(
                    encode(encoder, new RtmpMessage(RtmpMessageType.VIDEO, 1, ts, Unpooled.wrappedBuffer(payload)))));
            RtmpMessage back = decoder.readInbound();
            assertThat(back.timestamp()).isEqualTo(ts);
            assertThat(back.typeId()).isEqualTo(RtmpMessageType.VIDEO);
            assertThat(back.messageStreamId()).isEqualTo(1);
            assertThat(ByteBufUtil.getBytes(back.content())).isEqualTo(payload);
            back.release();
        }
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}
