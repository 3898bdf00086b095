package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Parking of blocking LL-HLS requests on the owner thread: woken by a change, or given up after three target durations. */
class LowLatencyPlaybackTest {

    private final DefaultEventLoop owner = new DefaultEventLoop();

    /** A stream between parts: segment 5 is being written and has no finished part yet. */
    private final class Stream implements LiveRendition {
        final List<Runnable> waiting = new ArrayList<>();
        long nextSequence = 5;

        @Override
        public EventExecutor owner() {
            return owner;
        }

        @Override
        public boolean ended() {
            return false;
        }

        @Override
        public List<Segment> segments() {
            return List.of();
        }

        @Override
        public int targetDurationSeconds() {
            return 1;
        }

        @Override
        public void viewer(java.net.InetAddress address) {}

        @Override
        public LowLatency lowLatency(LowLatency.PartUri partUri) {
            return new LowLatency(30_000, partUri, List.of(), nextSequence, false);
        }

        @Override
        public void whenChanged(Runnable task) {
            waiting.add(task);
        }

        @Override
        public void stopWaiting(Runnable task) {
            waiting.remove(task);
        }

        void segmentFinished() {
            nextSequence++;
            List<Runnable> now = new ArrayList<>(waiting);
            waiting.clear();
            now.forEach(Runnable::run);
        }
    }

    @AfterEach
    void stop() {
        owner.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private CompletableFuture<LowLatencyPlayback.Wait> park(Stream s, long msn, int part) {
        CompletableFuture<LowLatencyPlayback.Wait> answer = new CompletableFuture<>();
        owner.execute(() -> LowLatencyPlayback.whenReady(s, "", false, msn, part, answer::complete));
        return answer;
    }

    @Test
    void aParkedReloadIsAnsweredWhenItsSegmentIsFinished() throws Exception {
        Stream s = new Stream();
        CompletableFuture<LowLatencyPlayback.Wait> answer = park(s, 5, -1);
        Thread.sleep(200);
        assertThat(answer).isNotDone();
        owner.submit(s::segmentFinished).get();
        assertThat(answer.get(1, TimeUnit.SECONDS)).isEqualTo(LowLatencyPlayback.Wait.READY);
        assertThat(park(s, 4, 3).get(1, TimeUnit.SECONDS)).isEqualTo(LowLatencyPlayback.Wait.READY);
        assertThat(park(s, 9, 0).get(1, TimeUnit.SECONDS)).isEqualTo(LowLatencyPlayback.Wait.BAD_REQUEST);
    }

    @Test
    void aStalledStreamTimesOutAfterThreeTargetDurationsAndForgetsTheRequest() throws Exception {
        Stream s = new Stream();
        long began = System.nanoTime();
        CompletableFuture<LowLatencyPlayback.Wait> answer = park(s, 5, 0);
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(LowLatencyPlayback.Wait.TIMED_OUT);
        assertThat((System.nanoTime() - began) / 1_000_000).isBetween(2_900L, 6_000L);
        assertThat(owner.submit(() -> s.waiting.size()).get()).isZero();
    }
}
