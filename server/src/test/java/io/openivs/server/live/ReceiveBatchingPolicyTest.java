package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The receive-batching policy around keyframes (the socket side is ingest.rtmp.ReceiveBatchingTest):
 * on a clock and timer the test moves, with the batch sizes the socket was told recorded.
 */
class ReceiveBatchingPolicyTest {
    private long nanos = 1_000_000_000L;
    private final List<Integer> applied = new ArrayList<>();
    private final List<Long> delays = new ArrayList<>();
    private Runnable scheduled;
    private final ReceiveBatching batching = new ReceiveBatching(false, () -> nanos);

    ReceiveBatchingPolicyTest() {
        batching.start(applied::add, (task, delayMs) -> {
            scheduled = task;
            delays.add(delayMs);
            return new CompletableFuture<>();
        });
    }

    private void advanceMs(long ms) {
        nanos += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    private void runTimer() {
        Runnable task = scheduled;
        scheduled = null;
        task.run();
    }

    @Test
    void theAllowanceIs160msOfTheBitrateAsAPowerOfTwoFrom1To16KiB() {
        assertThat(ReceiveBatching.batchFor(false, true, 820_000)).isEqualTo(16 * 1024);
        assertThat(ReceiveBatching.batchFor(false, true, 20_000_000)).isEqualTo(16 * 1024);
        assertThat(ReceiveBatching.batchFor(false, true, 420_000)).isEqualTo(8 * 1024);
        assertThat(ReceiveBatching.batchFor(false, true, 60_000)).isEqualTo(1024);
        assertThat(ReceiveBatching.batchFor(false, true, 50_000)).isZero(); // under 1 KiB
        assertThat(ReceiveBatching.batchFor(false, false, 4_000_000)).isZero(); // media stalled
        assertThat(ReceiveBatching.batchFor(true, true, 4_000_000)).isZero(); // LL-HLS
        ReceiveBatching lowLatency = new ReceiveBatching(true, () -> nanos);
        lowLatency.allow(true, 4_000_000);
        assertThat(lowLatency.allowed()).isZero();
    }

    @Test
    void nothingIsBatchedUntilTheGopIsKnown() {
        batching.allow(true, 4_000_000);
        batching.accepted(0, true); // first keyframe: the interval is not known yet
        advanceMs(33);
        batching.accepted(33, false);
        assertThat(applied).isEmpty();
    }

    @Test
    void batchesBetweenKeyframesAndStopsShortlyBeforeTheNextIsDue() {
        batching.allow(true, 4_000_000);
        batching.accepted(0, true);
        advanceMs(2_000);
        batching.accepted(2_000, true); // a 2 s GOP
        assertThat(applied).containsExactly(16 * 1024);
        assertThat(delays).containsExactly(ReceiveBatching.HOLD_CHECK_MS);
        advanceMs(1_000);
        batching.accepted(3_000, false);
        runTimer(); // media came since: still 850 ms before the keyframe is due
        assertThat(applied).containsExactly(16 * 1024);
        assertThat(delays).containsExactly(1_000L, 850L); // the next check when the keyframe is due
        advanceMs(850);
        batching.accepted(3_850, false); // due now: off for the frame that ends the segment
        assertThat(applied).containsExactly(16 * 1024, 0);
        advanceMs(150);
        batching.accepted(4_000, true); // here: on again
        assertThat(applied).containsExactly(16 * 1024, 0, 16 * 1024);
        assertThat(batching.applied()).isEqualTo(16 * 1024);
    }

    @Test
    void theHoldCheckEndsBatchingWhenMediaStopped() {
        batching.allow(true, 4_000_000);
        batching.accepted(0, true);
        advanceMs(2_000);
        batching.accepted(2_000, true);
        advanceMs(1_000);
        runTimer(); // nothing came in the last second: what the publisher sent last must not wait
        assertThat(applied).containsExactly(16 * 1024, 0);
        assertThat(scheduled).isNull();
    }

    @Test
    void theHeartbeatsAllowanceAppliesFromTheNextFrameAndNoneAfterTheSessionEnds() {
        batching.accepted(0, true);
        advanceMs(2_000);
        batching.accepted(2_000, true);
        assertThat(applied).isEmpty(); // nothing allowed yet
        batching.allow(true, 420_000);
        advanceMs(33);
        batching.accepted(2_033, false);
        assertThat(applied).containsExactly(8 * 1024);
        batching.stop();
        advanceMs(1_000);
        runTimer();
        assertThat(applied).containsExactly(8 * 1024); // a stopped stream leaves the socket alone
    }
}
