package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.hls.DateRange;
import io.openivs.server.media.hls.LatencyMode;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.playback.PlaybackWindow;
import io.openivs.server.recording.StreamRecorder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A stream's renditions and attached consumers, driven frame by frame on the test's thread (its owner). */
class RenditionsTest {
    private long now = 1_700_000_000_000L;
    private final StreamHealth health = new StreamHealth(() -> now);
    private final List<Long> listed = new ArrayList<>();
    private final DefaultEventExecutor owner = new DefaultEventExecutor();
    private Renditions renditions;

    @AfterEach
    void close() throws Exception {
        if (renditions != null && !renditions.ended()) {
            renditions.end(false);
        }
        owner.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    private Renditions renditions(boolean fragmentedMp4, LatencyMode mode) {
        renditions = new Renditions(
                "us-west-2.123456789012.channel.abcd",
                fragmentedMp4,
                mode,
                () -> now,
                health,
                segment -> listed.add(segment.sequence()));
        return renditions;
    }

    private void startWithConfigs(Renditions r) {
        r.start(owner);
        r.onVideoConfig(MediaFixtures.VIDEO);
        r.onAudioConfig(MediaFixtures.AUDIO);
    }

    @Test
    void aTsChannelHasOneRenditionWhoseWindowIsPublishedAsSegmentsFinish() {
        Renditions r = renditions(false, LatencyMode.LOW);
        assertThat(r.all()).hasSize(1);
        startWithConfigs(r);
        PlaybackWindow atStart = r.main().window();
        assertThat(atStart).isNotNull(); // published at start: an empty (or continued) playlist
        MediaFixtures.feed(r, 0, 30 * 5 + 1); // five one-second GOPs, then the keyframe that ends the fifth
        List<Segment> segments = r.main().segments();
        assertThat(segments).isNotEmpty();
        assertThat(r.main().window()).isNotNull().isNotSameAs(atStart); // republished with the new segments
        assertThat(listed)
                .containsExactlyElementsOf(
                        segments.stream().map(Segment::sequence).toList());
        // Numbers start at the clock's seconds, so a later session never reuses an earlier one's URLs.
        assertThat(segments.get(0).sequence()).isEqualTo(now / 1000);
        assertThat(r.main().fragmentedMp4()).isFalse();
        assertThat(r.main().lowLatency((seq, i) -> "")).isNull();
        assertThat(r.main().sibling()).isNull();
    }

    @Test
    void anLlHlsChannelListsItsAudioOnlyRenditionBesideTheFullOne() {
        Renditions r = renditions(true, LatencyMode.LOW);
        assertThat(r.all()).hasSize(2);
        Rendition audio = r.all().get(1);
        assertThat(audio.audioOnly()).isTrue();
        startWithConfigs(r);
        assertThat(r.main().sibling()).isNull(); // not listed before a segment with both tracks
        MediaFixtures.feed(r, 0, 30 * 3 + 1);
        assertThat(r.main().sibling()).isSameAs(audio);
        assertThat(audio.sibling()).isSameAs(r.main());
        // Both renditions cut at the same points, so a playlist reports the other at the same sequence.
        assertThat(audio.segments())
                .extracting(Segment::sequence)
                .isEqualTo(r.main().segments().stream().map(Segment::sequence).toList());
        assertThat(r.main().window()).isNotNull();
        assertThat(r.main().lowLatency((seq, i) -> "")).isNotNull();
        assertThat(audio.window()).isNull(); // its requests go to the owner
        assertThat(audio.owner()).isSameAs(owner);
    }

    @Test
    void waitersHearOfAFinishedPartOnceEveryRenditionHasTheFrame() {
        Renditions r = renditions(true, LatencyMode.LOW);
        startWithConfigs(r);
        List<String> woken = new ArrayList<>();
        MediaFixtures.feed(r, 0, 1);
        r.main()
                .whenChanged(() -> woken.add("full sees "
                        + r.all().get(1).lowLatency((s, i) -> "").inProgress().size() + "/"
                        + r.main().lowLatency((s, i) -> "").inProgress().size()));
        MediaFixtures.feed(r, 1, 15); // past the ~1/3 s part target
        assertThat(woken).hasSize(1);
        // When woken, the audio_only rendition has the part too.
        String[] counts = woken.get(0).substring("full sees ".length()).split("/");
        assertThat(counts[0]).isEqualTo(counts[1]).isNotEqualTo("0");
    }

    @Test
    void aFinishedStreamListsItsLastSegmentAndEndsItsPlaylistsWithoutPartsOrPrefetch() {
        Renditions r = renditions(true, LatencyMode.LOW);
        startWithConfigs(r);
        MediaFixtures.feed(r, 0, 30 * 5 + 10); // two 2 s segments and a bit of the third
        int listedBefore = r.main().segments().size();
        assertThat(listedBefore).isPositive();
        assertThat(io.openivs.server.playback.PlaybackWindowAccess.media(
                        r.main().window()))
                .as("LL-HLS: the owner renders the live playlist")
                .isEmpty();
        boolean[] woken = {false};
        r.whenChanged(() -> woken[0] = true);

        r.finish();

        assertThat(woken[0]).as("blocking reloads are answered").isTrue();
        assertThat(r.main().finished()).isTrue();
        assertThat(r.ended()).as("still served until the publisher goes").isFalse();
        String media =
                io.openivs.server.playback.PlaybackWindowAccess.media(r.main().window());
        assertThat(media).doesNotContain("#EXT-X-PART:", "#EXT-X-PRELOAD-HINT", "#EXT-X-PREFETCH");
        assertThat(media.trim()).endsWith("#EXT-X-ENDLIST");
        assertThat(media.split("#EXTINF").length - 1)
                .as("the open segment was finished and listed")
                .isEqualTo(listedBefore + 1);
        assertThat(r.main().prefetch()).isNull();
        int before = r.main().segments().size();
        MediaFixtures.feed(r, 30 * 5 + 10, 30 * 9 + 1); // the publisher still sends until it is let go
        assertThat(r.main().segments()).hasSize(before);
    }

    @Test
    void anAttachedConsumerGetsEveryCallAndADetachedOneNothingMore() {
        Renditions r = renditions(false, LatencyMode.NORMAL);
        FrameHandOffTest.Recorder consumer = new FrameHandOffTest.Recorder();
        r.attach(consumer);
        startWithConfigs(r);
        MediaFixtures.feed(r, 0, 2);
        r.onTimedMetadata(new TimedMetadata(r.livePts(), new byte[] {1}));
        r.onDateRange(new DateRange("b", now, 30, new byte[0]));
        r.detach(consumer);
        MediaFixtures.feed(r, 2, 3);
        assertThat(consumer.calls)
                .containsExactly("start", "video-config", "audio-config", "K0", "a90", "v2970", "a3060", "range b");
        r.end(false);
        assertThat(consumer.calls).doesNotContain("end");
    }

    @Test
    void aDroppedPublishersPlaylistsAreParkedForTheNextToContinue() {
        Renditions first = renditions(true, LatencyMode.LOW);
        startWithConfigs(first);
        MediaFixtures.feed(first, 0, 30 * 3 + 1);
        List<Long> served =
                first.main().segments().stream().map(Segment::sequence).toList();
        List<String> woken = new ArrayList<>();
        first.main().whenChanged(() -> woken.add("ended"));
        Parked parked = first.end(true);
        assertThat(woken).containsExactly("ended"); // blocking reloads return at the end
        assertThat(first.main().window()).isNull();
        assertThat(first.main().writingPart(0, 0)).isFalse();

        now += 5_000;
        Renditions next = renditions(true, LatencyMode.LOW);
        next.continueFrom(parked);
        next.start(owner);
        // The old window, with the segment the drop ended, lists on.
        assertThat(next.main().segments())
                .extracting(Segment::sequence)
                .startsWith(served.toArray(Long[]::new))
                .hasSize(served.size() + 1);
        assertThat(next.main().window()).isNotNull(); // listed at once, before the new publisher's media
    }

    @Test
    void anFmp4ChannelRecordsTsSegmentsOfItsOwn() {
        Renditions r = renditions(true, LatencyMode.NORMAL);
        List<Byte> recorded = new ArrayList<>();
        List<String> ends = new ArrayList<>();
        r.recordTo(new StreamRecorder() {
            @Override
            public void segment(Segment segment) {
                io.netty.buffer.ByteBuf data = segment.retainedData(); // borrowed: read during the call
                recorded.add(data.getByte(data.readerIndex()));
                data.release();
            }

            @Override
            public void ended() {
                ends.add("ended");
            }
        });
        startWithConfigs(r);
        MediaFixtures.feed(r, 0, 30 * 4 + 1);
        r.end(false);
        assertThat(recorded).isNotEmpty();
        assertThat(recorded).containsOnly((byte) 0x47); // MPEG-TS sync bytes, not fMP4 boxes
        assertThat(r.main().fragmentedMp4()).isTrue();
        assertThat(ends).containsExactly("ended");
    }

    @Test
    void viewersOfEveryRenditionAreCounted() throws Exception {
        Renditions r = renditions(true, LatencyMode.LOW);
        r.main().viewer(java.net.InetAddress.getByName("192.0.2.1"));
        r.all().get(1).viewer(java.net.InetAddress.getByName("192.0.2.2"));
        r.main().viewer(null);
        assertThat(health.measure(now).viewers()).isEqualTo(3);
    }

    @Test
    void frameBuffersAreOnlyBorrowed() {
        Renditions r = renditions(true, LatencyMode.LOW);
        startWithConfigs(r);
        MediaFrame f = MediaFixtures.frame(io.openivs.server.media.TrackType.VIDEO, 0, true);
        r.onFrame(f);
        // An fMP4 segment holds the frame's bytes as a retained slice (no copy) while it is live; the caller's
        // own reference is never taken, and nothing is left held once the renditions let go.
        assertThat(f.refCnt()).isGreaterThanOrEqualTo(1);
        r.discard();
        assertThat(f.refCnt()).isEqualTo(1);
        f.release();
    }
}
