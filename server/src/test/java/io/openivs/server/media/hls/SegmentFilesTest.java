package io.openivs.server.media.hls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentFiles;
import io.openivs.server.media.SegmentMemory;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.ts.TsSegmentWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Finished segments in tmpfs files (sent with sendfile): the same bytes as in memory, one descriptor
 * per segment in the window and none after it, the budget and the fallback.
 */
class SegmentFilesTest {
    private static final Path SHM = Path.of("/dev/shm");
    private static final SegmentMemory POOLED = SegmentMemory.pooled(PooledByteBufAllocator.DEFAULT);

    private static SegmentFiles files(int max) {
        Path dir = SegmentFiles.tmpfs(SHM.toString());
        assumeTrue(dir != null, "needs a tmpfs /dev/shm (Linux)");
        return new SegmentFiles(dir, max, POOLED);
    }

    /** Open descriptors of this process, and how many are segment files. */
    private static int[] descriptors() throws IOException {
        String prefix = "/dev/shm/openivs-" + ProcessHandle.current().pid() + "-";
        int all = 0;
        int segments = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                all++;
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith(prefix)) {
                        segments++;
                    }
                } catch (IOException e) {
                    // the listing's own descriptor, closed by now
                }
            }
        }
        return new int[] {all, segments};
    }

    private static List<ByteBuf> blocks(byte[] bytes, int blockSize) {
        List<ByteBuf> out = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += blockSize) {
            out.add(Unpooled.wrappedBuffer(bytes, at, Math.min(blockSize, bytes.length - at)));
        }
        return out;
    }

    private static byte[] sent(FileRegion region) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var sink = Channels.newChannel(out);
        while (region.transferred() < region.count()) {
            region.transferTo(sink, region.transferred());
        }
        return out.toByteArray();
    }

    @Test
    void aFinishedSegmentIsTheSameBytesReadOrSentFromItsFile() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")));
        SegmentFiles files = files(16);
        byte[] bytes = new byte[250_000];
        new Random(7).nextBytes(bytes);
        int[] before = descriptors();
        ByteBuf data = files.copyOf(blocks(bytes, 65_536), bytes.length);
        assertThat(SegmentFiles.inFile(data)).isTrue();
        assertThat(bytes(data)).isEqualTo(bytes);
        assertThat(descriptors()[1]).isEqualTo(before[1] + 1);
        Segment s = Segment.builder(1, 180_000, data)
                .tracks(SegmenterTest.VIDEO, SegmenterTest.AUDIO)
                .build();

        ByteBuf head = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 250000\r\n\r\n", US_ASCII);
        FileRegion region = s.tryRetainedRegion(head);
        assertThat(region).isNotNull();
        ByteBuf otherHead = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 250001\r\n\r\n", US_ASCII);
        assertThat(s.tryRetainedRegion(otherHead))
                .as("one head per segment file")
                .isNull();
        FileRegion second = s.tryRetainedRegion(head.duplicate());
        s.release(); // the segment leaves the window while viewers' sendfiles are still going
        assertThat(s.tryRetainedRegion(head)).isNull();
        assertThat(descriptors()[1]).as("the viewers' regions keep the file").isEqualTo(before[1] + 1);
        byte[] answer = sent(region);
        assertThat(new String(answer, 0, head.readableBytes(), US_ASCII)).isEqualTo(head.toString(US_ASCII));
        assertThat(Arrays.copyOfRange(answer, head.readableBytes(), answer.length))
                .isEqualTo(bytes);
        assertThat(sent(second)).isEqualTo(answer);
        second.release();
        region.release();
        assertThat(descriptors()[1]).as("closed with the last reference").isEqualTo(before[1]);
        assertThat(files.openFiles()).isZero();
    }

    @Test
    void segmentsRollingOutOfTheWindowLeaveNoDescriptorBehind() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")));
        SegmentFiles files = files(64);
        List<Segment> listed = new ArrayList<>();
        int[] before = descriptors();
        int window = SegmenterConfig.DEFAULT.windowSize();
        int maxOpen = 0;
        int maxAll = 0;
        try (Segmenter segmenter = new Segmenter(
                SegmenterConfig.DEFAULT,
                new TsSegmentWriter(PooledByteBufAllocator.DEFAULT, files),
                () -> 1_700_000_000_000L,
                listed::add)) {
            segmenter.onSessionStart();
            segmenter.onVideoConfig(SegmenterTest.VIDEO);
            segmenter.onAudioConfig(SegmenterTest.AUDIO);
            // 200 segments of 2 s (keyframe every 60 frames at 30 fps), a viewer reading each as it is listed.
            for (int i = 0; i < 200 * 60 + 1; i++) {
                long dts = i * SegmenterTest.FRAME;
                byte[] au = new byte[4 + 2000];
                Unpooled.wrappedBuffer(au).setInt(0, 2000);
                au[4] = (byte) (i % 60 == 0 ? 0x65 : 0x41);
                MediaFrame f = new MediaFrame(TrackType.VIDEO, dts, dts, i % 60 == 0, Unpooled.wrappedBuffer(au));
                int segments = listed.size();
                segmenter.onFrame(f);
                f.release();
                if (listed.size() > segments) {
                    Segment newest = listed.get(listed.size() - 1);
                    FileRegion r = newest.tryRetainedRegion(Unpooled.copiedBuffer("head\r\n\r\n", US_ASCII));
                    assertThat(r).as("segment %d in a file", newest.sequence()).isNotNull();
                    assertThat(sent(r)).hasSize(8 + newest.size());
                    r.release();
                    int[] now = descriptors();
                    maxOpen = Math.max(maxOpen, now[1] - before[1]);
                    maxAll = Math.max(maxAll, now[0] - before[0]);
                }
            }
            assertThat(listed).hasSizeGreaterThanOrEqualTo(200);
            assertThat(files.openFiles()).isEqualTo(window);
        }
        assertThat(maxOpen).as("segment files open at once: the window's").isEqualTo(window);
        assertThat(maxAll).as("all descriptors at most the window's more").isLessThanOrEqualTo(window + 2);
        assertThat(files.openFiles()).isZero();
        assertThat(descriptors()[1]).isEqualTo(before[1]);
        assertThat(files.fallbacks()).isZero();
    }

    @Test
    void pastItsBudgetASegmentStaysInMemoryAndIsSentByCopying() throws IOException {
        SegmentFiles files = files(2);
        byte[] bytes = "a segment".getBytes();
        ByteBuf a = files.copyOf(blocks(bytes, 4), bytes.length);
        ByteBuf b = files.copyOf(blocks(bytes, 4), bytes.length);
        ByteBuf c = files.copyOf(blocks(bytes, 4), bytes.length);
        assertThat(SegmentFiles.inFile(a) && SegmentFiles.inFile(b)).isTrue();
        assertThat(SegmentFiles.inFile(c)).isFalse();
        assertThat(bytes(c)).isEqualTo(bytes);
        assertThat(files.fallbacks()).isEqualTo(1);
        Segment s = Segment.builder(1, 180_000, c)
                .tracks(SegmenterTest.VIDEO, SegmenterTest.AUDIO)
                .build();
        assertThat(s.tryRetainedRegion(Unpooled.EMPTY_BUFFER)).isNull();
        ByteBuf copy = s.tryRetainedData();
        assertThat(bytes(copy)).isEqualTo(bytes);
        copy.release();
        s.release();
        a.release();
        ByteBuf d = files.copyOf(blocks(bytes, 4), bytes.length);
        assertThat(SegmentFiles.inFile(d))
                .as("a file freed is room for the next")
                .isTrue();
        b.release();
        d.release();
        assertThat(files.openFiles()).isZero();
    }

    @Test
    void withoutATmpfsEverySegmentStaysInMemory() {
        assertThat(SegmentFiles.tmpfs("off")).isNull();
        assertThat(SegmentFiles.tmpfs("/proc")).isNull(); // not tmpfs (procfs), nor writable
        SegmentFiles files = new SegmentFiles(null, 100, POOLED);
        ByteBuf data = files.copyOf(blocks(new byte[] {1, 2, 3}, 2), 3);
        assertThat(SegmentFiles.inFile(data)).isFalse();
        assertThat(bytes(data)).containsExactly(1, 2, 3);
        data.release();
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }
}
