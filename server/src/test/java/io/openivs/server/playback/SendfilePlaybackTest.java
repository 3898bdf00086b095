package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.SegmentFiles;
import io.openivs.server.media.SegmentMemory;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.TestSegments;
import io.openivs.server.net.EventLoops;
import io.openivs.server.playback.access.AccessGate;
import io.openivs.server.playback.access.AccessRequest;
import io.openivs.server.playback.access.Verdict;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Public segments over a real socket from segments kept in tmpfs files (sendfile): the bytes and
 * head a viewer gets are the segment's and the window's, request after request on one keep-alive
 * connection, and the files close once the segments are gone.
 */
class SendfilePlaybackTest {
    private static final String NAME = ViewerRequestTest.NAME;
    private static final String CHANNEL = ViewerRequestTest.CHANNEL;

    private static final AccessGate PUBLIC = new AccessGate() {
        @Override
        public Verdict decide(AccessRequest r) {
            return new Verdict(null, "*", "", null);
        }

        @Override
        public CompletionStage<Verdict> settle(AccessRequest r) {
            return CompletableFuture.completedFuture(decide(r));
        }
    };

    @Test
    void aKeepAliveViewerGetsEachSegmentsHeadAndBytesFromItsFile() throws Exception {
        SegmentFiles files = new SegmentFiles(
                SegmentFiles.tmpfs("/dev/shm"), 16, SegmentMemory.pooled(PooledByteBufAllocator.DEFAULT));
        assumeTrue(SegmentFiles.tmpfs("/dev/shm") != null, "needs a tmpfs /dev/shm (Linux)");
        List<Segment> segments = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        Random random = new Random(13);
        for (int seq = 10; seq <= 12; seq++) {
            byte[] b = new byte[200_000 + 1_000 * seq];
            random.nextBytes(b);
            bytes.add(b);
            ByteBuf data = files.copyOf(List.of(Unpooled.wrappedBuffer(b)), b.length);
            assertThat(SegmentFiles.inFile(data)).isTrue();
            segments.add(TestSegments.segment(seq, data, TestSegments.HD));
        }
        PlaybackWindow window = new PlaybackWindow(NAME, segments, List.of(), 2, false, false);
        LiveRendition live = new TestRendition(segments, () -> window, () -> {}, address -> {});
        try (EventLoops loops = new EventLoops(1);
                PlaybackServer server = PlaybackServer.builder(
                                loops, "127.0.0.1", 0, name -> name.equals(NAME) ? live : null)
                        .gate(PUBLIC)
                        .open();
                Socket viewer = new Socket("127.0.0.1", server.port())) {
            viewer.setSoTimeout(30_000);
            OutputStream out = viewer.getOutputStream();
            InputStream in = viewer.getInputStream();
            for (int round = 0; round < 3; round++) { // the same segment again: the head is written once
                for (int i = 0; i < 3; i++) {
                    out.write(("GET " + CHANNEL + "/" + (10 + i) + ".ts HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    String head = readHead(in);
                    assertThat(head)
                            .startsWith("HTTP/1.1 200 OK\r\n")
                            .contains("content-type: video/mp2t\r\n")
                            .contains("content-length: " + bytes.get(i).length + "\r\n")
                            .contains("cache-control: public, max-age=31536000, immutable\r\n");
                    assertThat(in.readNBytes(bytes.get(i).length)).isEqualTo(bytes.get(i));
                }
            }
            // A HEAD answer is the same head with no body, from the buffer path.
            out.write(("HEAD " + CHANNEL + "/11.ts HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(in)).contains("content-length: " + bytes.get(1).length + "\r\n");
        }
        segments.forEach(TestSegments::release);
        assertThat(files.openFiles()).as("no segment file left open").isZero();
    }

    private static String readHead(InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            assertThat(c).as("connection open").isNotNegative();
            head.append((char) c);
        }
        return head.toString().toLowerCase(java.util.Locale.ROOT).replace("http/1.1 200 ok", "HTTP/1.1 200 OK");
    }
}
