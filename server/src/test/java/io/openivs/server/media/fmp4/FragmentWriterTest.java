package io.openivs.server.media.fmp4;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.openivs.server.testing.SyntheticMedia;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fMP4 video sample path: frames' length-prefixed NAL units become mdat samples as they are. */
class FragmentWriterTest {

    // SEI then IDR slice, then a P slice: 4-byte lengths, as FLV delivers them and avc1 samples hold them.
    private static final byte[] KEY = HexFormat.of().parseHex("00000003" + "060102" + "00000006" + "65888421aabb");
    private static final byte[] P = HexFormat.of().parseHex("00000005" + "419a02ccdd");

    private final FragmentWriter writer = new FragmentWriter(UnpooledByteBufAllocator.DEFAULT);
    private final List<ByteBuf> toRelease = new ArrayList<>();

    @AfterEach
    void release() {
        toRelease.forEach(ByteBuf::release);
        writer.close();
    }

    /** The video samples of a one-fragment moof/mdat, cut out of the mdat by the trun's sizes. */
    private static List<byte[]> videoSamples(ByteBuf fragment) {
        byte[] bytes = ByteBufUtil.getBytes(fragment);
        List<Mp4Boxes> top = Mp4Boxes.parse(bytes);
        assertThat(top).extracting(Mp4Boxes::type).containsExactly("moof", "mdat");
        Mp4Boxes moof = top.get(0);
        Mp4Boxes trun = moof.child("traf", "trun");
        int count = trun.i32(4);
        int at = moof.start() + trun.i32(8);
        List<byte[]> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int size = trun.i32(12 + 16 * i + 4);
            samples.add(Arrays.copyOfRange(bytes, at, at + size));
            at += size;
        }
        return samples;
    }

    @Test
    void videoSampleBytesEqualTheLengthPrefixedFrames() {
        writer.configure(SyntheticMedia.VIDEO, null);
        // 30 fps, as the config says: a frame is 3000 ticks.
        writer.addVideo(0, 3000, true, Unpooled.wrappedBuffer(KEY));
        writer.addVideo(3000, 6000, false, Unpooled.wrappedBuffer(P));
        ByteBuf fragment = writer.finish();
        toRelease.add(fragment);
        assertThat(videoSamples(fragment)).containsExactly(KEY, P);
    }

    @Test
    void samplesAreRetainedSlicesOfTheFramesNotCopies() {
        writer.configure(SyntheticMedia.VIDEO, null);
        byte[] key = KEY.clone();
        ByteBuf frame = Unpooled.wrappedBuffer(key);
        writer.addVideo(0, 0, true, frame);
        assertThat(frame.refCnt()).as("the fragment holds the frame").isEqualTo(2);
        ByteBuf fragment = writer.finish();
        key[key.length - 1] = 0x42;
        assertThat(videoSamples(fragment).get(0)[key.length - 1]).isEqualTo((byte) 0x42);
        fragment.release();
        assertThat(frame.refCnt()).as("released with the fragment").isEqualTo(1);
        frame.release();
    }

    @Test
    void aSampleThatWouldKeepAMuchLargerBufferAliveIsCopied() {
        writer.configure(SyntheticMedia.VIDEO, null);
        // A frame that arrived in one RTMP chunk is a slice of the connection's receive buffer.
        ByteBuf received =
                Unpooled.buffer(64 * 1024).writeZero(100).writeBytes(P).writeZero(30_000);
        toRelease.add(received);
        writer.addVideo(0, 0, true, received.slice(100, P.length));
        assertThat(received.refCnt()).isEqualTo(1);
        received.setByte(100 + P.length - 1, 0x42);
        ByteBuf fragment = writer.finish();
        toRelease.add(fragment);
        assertThat(videoSamples(fragment)).containsExactly(P);
    }
}
