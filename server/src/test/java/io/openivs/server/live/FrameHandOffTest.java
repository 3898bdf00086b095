package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.DateRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounded hand-off to a consumer on its own thread: drops and counts instead of stalling the owner. */
class FrameHandOffTest {
    /** Runs drains only when the test says so: a consumer that is behind. */
    private final List<Runnable> pending = new ArrayList<>();

    private final Recorder consumer = new Recorder();
    private final List<MediaFrame> offered = new ArrayList<>();
    private ExecutorService thread;

    /** What reached the consumer, in order. */
    static final class Recorder implements StreamConsumer {
        final List<String> calls = new ArrayList<>();

        @Override
        public void onSessionStart() {
            calls.add("start");
        }

        @Override
        public void onVideoConfig(VideoConfig config) {
            calls.add("video-config");
        }

        @Override
        public void onAudioConfig(AudioConfig config) {
            calls.add("audio-config");
        }

        @Override
        public void onFrame(MediaFrame frame) {
            assertThat(frame.refCnt()).isPositive(); // still held for the call
            calls.add((frame.isVideo() ? (frame.isKeyframe() ? "K" : "v") : "a") + frame.dts());
        }

        @Override
        public void onDateRange(DateRange range) {
            calls.add("range " + range.id());
        }

        @Override
        public void onSessionEnd() {
            calls.add("end");
        }
    }

    @AfterEach
    void stop() {
        if (thread != null) {
            thread.shutdownNow();
        }
        offered.forEach(
                f -> assertThat(f.refCnt()).as("released after the test").isZero());
    }

    private void offer(FrameHandOff handOff, TrackType track, long dts, boolean key) {
        MediaFrame f = MediaFixtures.frame(track, dts, key);
        offered.add(f);
        MediaFixtures.lend(handOff, f);
    }

    private void drainAll() {
        while (!pending.isEmpty()) {
            pending.remove(0).run();
        }
    }

    @Test
    void deliversEverythingInOrderOnTheConsumersThreadAndReleasesFramesAfter() {
        FrameHandOff handOff = new FrameHandOff(8, pending::add, consumer);
        handOff.onSessionStart();
        handOff.onVideoConfig(MediaFixtures.VIDEO);
        handOff.onAudioConfig(MediaFixtures.AUDIO);
        offer(handOff, TrackType.VIDEO, 0, true);
        offer(handOff, TrackType.AUDIO, 10, true);
        handOff.onDateRange(new DateRange("break-1", 0, 30, new byte[0]));
        offer(handOff, TrackType.VIDEO, 3000, false);
        handOff.onSessionEnd();

        assertThat(consumer.calls).isEmpty(); // nothing on the owner's thread
        assertThat(pending).hasSize(1); // one wake-up for the lot
        assertThat(offered).allSatisfy(f -> assertThat(f.refCnt()).isEqualTo(1)); // held while queued
        drainAll();
        assertThat(consumer.calls)
                .containsExactly("start", "video-config", "audio-config", "K0", "a10", "range break-1", "v3000", "end");
        assertThat(handOff.dropped()).isZero();
        assertThat(handOff.queued()).isZero();
    }

    @Test
    void aConsumerThatFallsBehindLosesFramesCountedUntilTheNextKeyframe() {
        FrameHandOff handOff = new FrameHandOff(5, pending::add, consumer);
        handOff.onSessionStart();
        offer(handOff, TrackType.VIDEO, 0, true);
        offer(handOff, TrackType.VIDEO, 1, false);
        offer(handOff, TrackType.VIDEO, 2, false);
        offer(handOff, TrackType.AUDIO, 3, true); // 5 queued with the session start: full for frames
        offer(handOff, TrackType.VIDEO, 4, false); // dropped
        offer(handOff, TrackType.AUDIO, 5, true); // dropped (still full)
        handOff.onVideoConfig(MediaFixtures.VIDEO); // the reserve takes it
        assertThat(handOff.dropped()).isEqualTo(2);

        drainAll(); // the consumer catches up
        offer(handOff, TrackType.VIDEO, 6, false); // video after a gap waits for a keyframe
        offer(handOff, TrackType.AUDIO, 7, true); // audio goes on
        offer(handOff, TrackType.VIDEO, 8, true);
        offer(handOff, TrackType.VIDEO, 9, false);
        drainAll();

        assertThat(handOff.dropped()).isEqualTo(3);
        assertThat(consumer.calls).containsExactly("start", "K0", "v1", "v2", "a3", "video-config", "a7", "K8", "v9");
    }

    @Test
    void closingReleasesWhatIsQueuedAndIgnoresLaterOffers() {
        FrameHandOff handOff = new FrameHandOff(16, pending::add, consumer);
        offer(handOff, TrackType.VIDEO, 0, true);
        offer(handOff, TrackType.AUDIO, 1, true);
        handOff.close();
        assertThat(offered).allSatisfy(f -> assertThat(f.refCnt()).isZero());
        offer(handOff, TrackType.VIDEO, 2, false);
        drainAll();
        assertThat(consumer.calls).isEmpty();
    }

    @Test
    void aRefusingExecutorDetachesTheConsumer() {
        FrameHandOff handOff = new FrameHandOff(
                16,
                task -> {
                    throw new java.util.concurrent.RejectedExecutionException("shutting down");
                },
                consumer);
        offer(handOff, TrackType.VIDEO, 0, true);
        offer(handOff, TrackType.VIDEO, 1, false);
        assertThat(offered).allSatisfy(f -> assertThat(f.refCnt()).isZero());
    }

    @Test
    void aRealConsumerThreadGetsEveryFrameOrACountOfTheOnesItMissed() throws Exception {
        thread = Executors.newSingleThreadExecutor();
        CountDownLatch done = new CountDownLatch(1);
        List<Long> seen = new ArrayList<>();
        StreamConsumer slow = new StreamConsumer() {
            @Override
            public void onSessionStart() {}

            @Override
            public void onVideoConfig(VideoConfig config) {}

            @Override
            public void onAudioConfig(AudioConfig config) {}

            @Override
            public void onFrame(MediaFrame frame) {
                seen.add(frame.dts());
                if (seen.size() % 64 == 0) {
                    Thread.onSpinWait();
                }
            }

            @Override
            public void onSessionEnd() {
                done.countDown();
            }
        };
        FrameHandOff handOff = new FrameHandOff(32, thread, slow);
        int frames = 20_000;
        for (int i = 0; i < frames; i++) {
            offer(handOff, TrackType.AUDIO, i, true);
        }
        handOff.onSessionEnd();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.size() + handOff.dropped()).isEqualTo(frames);
        assertThat(seen).isSorted();
    }
}
