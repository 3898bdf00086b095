package io.openivs.server.media.hls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Viewers take segment bytes from a published window on their own threads while the owner evicts segments. */
class SegmentHoldTest {

    private static Segment segment(String text) {
        ByteBuf data =
                PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        return Segment.builder(1, 180_000, data)
                .tracks(SegmenterTest.VIDEO, SegmenterTest.AUDIO)
                .build();
    }

    @Test
    void aViewerMidDownloadKeepsItsBytesAndALaterOneFindsNone() {
        Segment s = segment("first segment");
        ByteBuf downloading = s.tryRetainedData();
        s.release(); // left the window
        assertThat(downloading.toString(StandardCharsets.US_ASCII)).isEqualTo("first segment");
        assertThat(s.tryRetainedData()).isNull();
        assertThat(s.size()).isEqualTo(13);
        downloading.release();
        assertThat(downloading.refCnt()).isZero();
    }

    @Test
    void racingReadersNeverGetAnotherSegmentsBytes() throws Exception {
        for (int round = 0; round < 200; round++) {
            Segment s = segment("segment " + round);
            String expected = "segment " + round;
            AtomicInteger wrong = new AtomicInteger();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Thread t = new Thread(() -> {
                    ByteBuf b;
                    while ((b = s.tryRetainedData()) != null) {
                        if (!b.toString(StandardCharsets.US_ASCII).equals(expected)) {
                            wrong.incrementAndGet();
                        }
                        b.release();
                    }
                });
                t.start();
                readers.add(t);
            }
            s.release();
            // The pool hands the freed memory out again at once: a reader that retained it would see this.
            ByteBuf reused = PooledByteBufAllocator.DEFAULT
                    .directBuffer()
                    .writeBytes("x".repeat(20).getBytes());
            for (Thread t : readers) {
                t.join(10_000);
            }
            reused.release();
            assertThat(wrong.get()).isZero();
        }
    }
}
