package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.Prefetch;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.SegmentFollower;
import io.openivs.server.media.hls.Segmenter;
import io.openivs.server.media.hls.SegmenterConfig;
import io.openivs.server.media.hls.TestSegments;
import io.openivs.server.media.ts.TsSegmentWriter;
import io.openivs.server.playback.access.Verdict;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The LHLS prefetch form of a LOW MPEG-TS channel, through the playback layers without sockets:
 * a real segmenter and TS writer fed frame by frame on the channel's loop (which is also the
 * stream's owner here), the media playlist's prefetch lines across segment boundaries,
 * discontinuities and the publisher's stop, and the prefetch URIs streamed as the segment grows.
 */
class PrefetchPlaybackTest {
    private static final String NAME = ViewerRequestTest.NAME;
    private static final String CHANNEL = ViewerRequestTest.CHANNEL;
    private static final AudioConfig AUDIO = new AudioConfig(HexFormat.of().parseHex("1190"), 2, 48000, 2);

    private Verdict verdict = new Verdict(null, "*", "", null);
    private final EmbeddedChannel channel =
            ViewerChannel.open(name -> name.equals(NAME) ? this.live : null, () -> verdict);
    private final Stream live = new Stream(channel.eventLoop());
    private int frame;

    /** A LOW TS channel's rendition as playback sees it, over a real segmenter; the test thread is its owner. */
    private static final class Stream implements LiveRendition {
        final Segmenter segmenter = new Segmenter(
                SegmenterConfig.DEFAULT,
                new TsSegmentWriter(PooledByteBufAllocator.DEFAULT),
                () -> 1_700_000_000_000L,
                s -> {});
        final EventExecutor owner;
        final List<Runnable> waiting = new ArrayList<>();
        PlaybackWindow window;
        boolean ended;

        Stream(EventExecutor owner) {
            this.owner = owner;
            segmenter.startNumbersAt(100, 0);
        }

        /** As Renditions does after each frame: a new window when a segment finished, then the waiters. */
        void changed(boolean segmentFinished) {
            if (segmentFinished) {
                window = new PlaybackWindow(
                        NAME, segmenter.segments(), List.of(), 2, false, false, segmenter.prefetch(), List.of(), true);
            }
            if (segmentFinished || ended) {
                List<Runnable> now = new ArrayList<>(waiting);
                waiting.clear();
                now.forEach(Runnable::run);
            }
        }

        @Override
        public EventExecutor owner() {
            return owner;
        }

        @Override
        public boolean ended() {
            return ended;
        }

        @Override
        public List<Segment> segments() {
            return segmenter.segments();
        }

        @Override
        public int targetDurationSeconds() {
            return 2;
        }

        @Override
        public PlaybackWindow window() {
            return ended ? null : window;
        }

        @Override
        public void viewer(InetAddress address) {}

        @Override
        public void whenChanged(Runnable task) {
            if (ended) {
                task.run();
            } else {
                waiting.add(task);
            }
        }

        @Override
        public void stopWaiting(Runnable task) {
            waiting.remove(task);
        }

        @Override
        public Prefetch prefetch() {
            return ended ? null : segmenter.prefetch();
        }

        @Override
        public void followSegment(SegmentFollower follower) {
            segmenter.followSegment(follower);
        }
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
        live.segmenter.close();
    }

    private void start(VideoConfig video) {
        live.segmenter.onSessionStart();
        live.segmenter.onVideoConfig(video);
        live.segmenter.onAudioConfig(AUDIO);
    }

    /** {@code count} frames of 30 fps video with audio, a keyframe every second. */
    private void feed(int count) {
        for (int end = frame + count; frame < end; frame++) {
            long dts = Math.round(frame * 1000 / 30.0) * 90;
            int before = live.segmenter.segments().size();
            long last =
                    before == 0 ? -1 : live.segmenter.segments().get(before - 1).sequence();
            lend(new MediaFrame(TrackType.VIDEO, dts, dts, frame % 30 == 0, Unpooled.wrappedBuffer(new byte[] {
                0, 0, 0, 3, (byte) (frame % 30 == 0 ? 0x65 : 0x41), 1, 2
            })));
            lend(new MediaFrame(
                    TrackType.AUDIO, dts + 90, dts + 90, true, Unpooled.wrappedBuffer(new byte[] {0x21, 0x10})));
            List<Segment> now = live.segmenter.segments();
            live.changed(!now.isEmpty() && now.get(now.size() - 1).sequence() != last);
        }
        channel.runPendingTasks();
    }

    private void lend(MediaFrame f) {
        try {
            live.segmenter.onFrame(f);
        } finally {
            f.release();
        }
    }

    private void request(String path, String version) {
        channel.writeInbound(channel.alloc()
                .buffer()
                .writeBytes(
                        ("GET " + path + " " + version + "\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        channel.runPendingTasks();
    }

    /** All bytes written to the viewer so far. */
    private byte[] written() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private String playlist() {
        request(CHANNEL + "/live.m3u8" + verdict.childQuery(), "HTTP/1.1");
        String text = new String(written(), StandardCharsets.UTF_8);
        assertThat(text).startsWith("HTTP/1.1 200 OK");
        return text.substring(text.indexOf("\r\n\r\n") + 4);
    }

    private static List<String> prefetchLines(String playlist) {
        return playlist.lines().filter(l -> l.startsWith("#EXT-X-PREFETCH")).toList();
    }

    /** The playlist's EXT-X-START lines. */
    private static List<String> startLines(String playlist) {
        return playlist.lines().filter(l -> l.startsWith("#EXT-X-START:")).toList();
    }

    /** EXT-X-START at the end of the finished segments (their EXTINFs summed), so a player starts at the first prefetch. */
    private static String startAtEnd(String playlist) {
        double listed = playlist.lines()
                .filter(l -> l.startsWith("#EXTINF:"))
                .mapToDouble(l -> Double.parseDouble(l.substring(8, l.indexOf(','))))
                .sum();
        return String.format(java.util.Locale.ROOT, "#EXT-X-START:TIME-OFFSET=%.3f", listed);
    }

    private static long lastListed(String playlist) {
        return playlist.lines()
                .filter(l -> !l.startsWith("#") && !l.isEmpty())
                .mapToLong(l -> Long.parseLong(l.substring(0, l.indexOf('.'))))
                .max()
                .orElse(-1);
    }

    /** A chunked response read from the start: its status line, and its body's chunks decoded so far. */
    private record Chunked(String head, byte[] body, int chunks, boolean complete) {
        static Chunked parse(byte[] raw) {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            int at = text.indexOf("\r\n\r\n") + 4;
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int chunks = 0;
            boolean complete = false;
            while (at < text.length()) {
                int eol = text.indexOf("\r\n", at);
                int size = Integer.parseInt(text.substring(at, eol), 16);
                if (size == 0) {
                    complete = true;
                    break;
                }
                body.write(raw, eol + 2, size);
                chunks++;
                at = eol + 2 + size + 2;
            }
            return new Chunked(text.substring(0, text.indexOf("\r\n\r\n")), body.toByteArray(), chunks, complete);
        }
    }

    private byte[] segmentBytes(long sequence) {
        Segment s = live.segmenter.segments().stream()
                .filter(x -> x.sequence() == sequence)
                .findFirst()
                .orElseThrow();
        ByteBuf data = s.retainedData();
        byte[] bytes = new byte[data.readableBytes()];
        data.readBytes(bytes);
        data.release();
        return bytes;
    }

    @Test
    void thePlaylistListsTheSegmentBeingWrittenAndTheNextAsPrefetchAcrossSegmentBoundaries() {
        start(TestSegments.SD);
        feed(30 * 4 + 1); // two 2 s segments finished, the third begun
        String first = playlist();
        long last = lastListed(first);
        assertThat(prefetchLines(first))
                .containsExactly("#EXT-X-PREFETCH:" + (last + 1) + ".ts", "#EXT-X-PREFETCH:" + (last + 2) + ".ts");
        // Players that read the prefetch form start at the first of them, not at the newest finished segment.
        assertThat(startLines(first)).containsExactly(startAtEnd(first));
        // After the last finished segment, with no EXTINF of their own.
        List<String> lines = first.lines().toList();
        assertThat(lines.subList(lines.size() - 3, lines.size()))
                .containsExactly(
                        last + ".ts", "#EXT-X-PREFETCH:" + (last + 1) + ".ts", "#EXT-X-PREFETCH:" + (last + 2) + ".ts");

        feed(30 * 2); // the next boundary: the first prefetch segment is listed under the URI it was prefetched as
        String second = playlist();
        assertThat(lastListed(second)).isEqualTo(last + 1);
        assertThat(second.lines().toList()).contains((last + 1) + ".ts");
        assertThat(prefetchLines(second))
                .containsExactly("#EXT-X-PREFETCH:" + (last + 2) + ".ts", "#EXT-X-PREFETCH:" + (last + 3) + ".ts");
        assertThat(startLines(second)).containsExactly(startAtEnd(second));

        // A private channel's viewer: the token goes on prefetch URIs as on every other.
        verdict = new Verdict(null, "*", "?token=abc", null);
        assertThat(prefetchLines(playlist()))
                .containsExactly(
                        "#EXT-X-PREFETCH:" + (last + 2) + ".ts?token=abc",
                        "#EXT-X-PREFETCH:" + (last + 3) + ".ts?token=abc");
    }

    @Test
    void nothingIsPrefetchedAcrossADiscontinuityUntilItsSegmentIsListed() {
        start(TestSegments.SD);
        feed(30 * 4 + 15);
        long last = lastListed(playlist());
        // A new codec configuration mid-segment: that segment ends, the next starts a discontinuity.
        live.segmenter.onVideoConfig(TestSegments.HD);
        live.changed(true);
        String atChange = playlist();
        assertThat(lastListed(atChange)).isEqualTo(last + 1);
        assertThat(prefetchLines(atChange))
                .as("the next segment follows a discontinuity")
                .isEmpty();
        assertThat(startLines(atChange)).as("nothing to start at").isEmpty();
        request(CHANNEL + "/" + (last + 2) + ".ts", "HTTP/1.1");
        assertThat(new String(written(), StandardCharsets.ISO_8859_1))
                .as("no longer listed")
                .startsWith("HTTP/1.1 404");
        feed(30 * 3); // the discontinuous segment begins on the next keyframe and is finished two seconds on
        String after = playlist();
        assertThat(after).contains("#EXT-X-DISCONTINUITY\n");
        assertThat(lastListed(after)).isEqualTo(last + 2);
        assertThat(prefetchLines(after))
                .containsExactly("#EXT-X-PREFETCH:" + (last + 3) + ".ts", "#EXT-X-PREFETCH:" + (last + 4) + ".ts");
        assertThat(startLines(after)).containsExactly(startAtEnd(after));
    }

    @Test
    void theSegmentBeingWrittenStreamsAsItGrowsAndIsTheListedSegment() {
        start(TestSegments.SD);
        feed(30 * 4 + 1);
        long writing = lastListed(playlist()) + 1;
        request(CHANNEL + "/" + writing + ".ts", "HTTP/1.1");
        byte[] raw = written();
        Chunked atOnce = Chunked.parse(raw);
        assertThat(atOnce.head())
                .startsWith("HTTP/1.1 200 OK")
                .contains(
                        "transfer-encoding: chunked",
                        "content-type: video/mp2t",
                        "cache-control: public, max-age=31536000, immutable")
                .doesNotContain("content-length");
        assertThat(atOnce.body()).as("the keyframe written so far").isNotEmpty();
        assertThat(atOnce.body()[0]).isEqualTo((byte) 0x47);
        assertThat(atOnce.complete()).isFalse();

        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(raw);
        feed(10);
        byte[] more = written();
        assertThat(more).as("frames written meanwhile").isNotEmpty();
        all.writeBytes(more);
        feed(50); // past the segment's end
        all.writeBytes(written());
        Chunked whole = Chunked.parse(all.toByteArray());
        assertThat(whole.complete()).isTrue();
        assertThat(whole.chunks()).isGreaterThan(10);
        assertThat(whole.body()).as("streamed bytes are the segment as listed").isEqualTo(segmentBytes(writing));

        // Finished: the same URL is served whole from memory.
        request(CHANNEL + "/" + writing + ".ts", "HTTP/1.1");
        String again = new String(written(), StandardCharsets.ISO_8859_1);
        assertThat(again).contains("content-length: " + segmentBytes(writing).length);
    }

    @Test
    void theNextSegmentWaitsUntilItBeginsThenStreams() {
        start(TestSegments.SD);
        feed(30 * 4 + 1);
        long next = lastListed(playlist()) + 2;
        request(CHANNEL + "/" + next + ".ts", "HTTP/1.1");
        assertThat(written()).as("parked until it begins").isEmpty();
        request(CHANNEL + "/" + (next + 1) + ".ts", "HTTP/1.1");
        assertThat(new String(written(), StandardCharsets.ISO_8859_1))
                .as("not listed")
                .startsWith("HTTP/1.1 404");
        request(CHANNEL + "/" + next + ".ts", "HTTP/1.0");
        assertThat(written()).isEmpty();
        feed(60); // the segment before it finishes on the next keyframe, which begins it
        byte[] begun = written();
        Chunked streamed = Chunked.parse(begun);
        assertThat(streamed.head()).startsWith("HTTP/1.1 200 OK").contains("transfer-encoding: chunked");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(begun);
        feed(61);
        byte[] rest = written();
        // The HTTP/1.0 request was answered whole after the chunked one ended: split them.
        String restText = new String(rest, StandardCharsets.ISO_8859_1);
        int plain = restText.indexOf("HTTP/1.1 200 OK");
        assertThat(plain).as("the HTTP/1.0 viewer's answer, once finished").isPositive();
        all.write(rest, 0, plain);
        assertThat(Chunked.parse(all.toByteArray()).body()).isEqualTo(segmentBytes(next));
        assertThat(restText.substring(plain))
                .contains("content-length: " + segmentBytes(next).length)
                .doesNotContain("transfer-encoding");
    }

    @Test
    void whenThePublisherStopsTheSegmentBeingWrittenEndsWholeAndTheNextIsNotFound() {
        start(TestSegments.SD);
        feed(30 * 4 + 20);
        long writing = lastListed(playlist()) + 1;
        request(CHANNEL + "/" + writing + ".ts", "HTTP/1.1");
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        streamed.writeBytes(written());
        request(CHANNEL + "/" + (writing + 1) + ".ts", "HTTP/1.1");
        assertThat(written()).isEmpty();

        live.segmenter.onSessionEnd(); // the publisher went: the open segment is finished as it is
        live.ended = true;
        live.changed(true);
        channel.runPendingTasks();
        byte[] rest = written();
        String text = new String(rest, StandardCharsets.ISO_8859_1);
        int notFound = text.indexOf("HTTP/1.1 404");
        assertThat(notFound).as("the segment that never comes: %s", text).isPositive();
        streamed.write(rest, 0, notFound);
        Chunked whole = Chunked.parse(streamed.toByteArray());
        assertThat(whole.complete()).isTrue();
        assertThat(whole.body()).isEqualTo(segmentBytes(writing));
        assertThat(channel.isOpen()).isTrue();
    }
}
