package io.openivs.server.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void eachLatencyLandsInTheFirstBucketWhoseBoundItDoesNotExceed() {
        LatencyHistogram h = new LatencyHistogram();
        h.observe(300_000); // 0.3 ms
        h.observe(500_000); // 0.5 ms: le="0.0005" includes it
        h.observe(500_001);
        h.observe(30_000_000); // 30 ms: le="0.05"
        h.observe(20_000_000_000L); // 20 s: only +Inf
        long[] c = h.counts();
        assertThat(c).hasSize(LatencyHistogram.BOUNDS.length);
        assertThat(c[0]).isEqualTo(2);
        assertThat(c[1]).isEqualTo(1);
        assertThat(c[6]).isEqualTo(1);
        assertThat(LatencyHistogram.BOUNDS[6]).isEqualTo(0.05);
        assertThat(c[c.length - 1]).isEqualTo(1);
        assertThat(h.sumSeconds()).isCloseTo(20.031300001, org.assertj.core.data.Offset.offset(1e-9));

        LatencyHistogram both = new LatencyHistogram();
        both.add(h);
        both.add(h);
        assertThat(both.counts()[0]).isEqualTo(4);
    }
}
