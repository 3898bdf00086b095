package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Health, bitrates and viewers as the heartbeat reports them, on a clock the test moves. */
class StreamHealthTest {
    private long now = 1_000_000;
    private final StreamHealth health = new StreamHealth(() -> now);

    @Test
    void unknownUntilMediaThenHealthyWhileMediaKeepsUpWithTheClock() {
        health.start(now);
        now += 2_000;
        assertThat(health.measure(now).health()).isEqualTo(StreamHealth.UNKNOWN);
        assertThat(health.media(50_000)).isTrue(); // the first
        assertThat(health.media(50_033)).isFalse();
        now += 2_000;
        assertThat(health.measure(now).health()).isEqualTo(StreamHealth.HEALTHY);
        health.media(52_033); // 2 s of media in 2 s
        now += 2_000;
        StreamHealth.Reading r = health.measure(now);
        assertThat(r.health()).isEqualTo(StreamHealth.HEALTHY);
        assertThat(r.mediaMoved()).isTrue();
    }

    @Test
    void starvingWhenMediaAdvancesClearlySlowerThanTheWallClock() {
        health.start(now);
        health.media(0);
        now += 2_000;
        health.measure(now);
        health.media(1_500); // 1.5 s of media in 2 s: under 80 %
        now += 2_000;
        assertThat(health.measure(now).health()).isEqualTo(StreamHealth.STARVING);
        health.media(3_100); // 1.6 s in 2 s: exactly 80 %
        now += 2_000;
        assertThat(health.measure(now).health()).isEqualTo(StreamHealth.HEALTHY);
        now += 2_000; // nothing at all
        StreamHealth.Reading stalled = health.measure(now);
        assertThat(stalled.health()).isEqualTo(StreamHealth.STARVING);
        assertThat(stalled.mediaMoved()).isFalse();
    }

    @Test
    void bitratesAreTheBytesSinceTheLastBeatAndBeatsUnderHalfASecondApartKeepThem() {
        health.start(now);
        health.media(0);
        health.videoBytes(500_000);
        health.audioBytes(32_000);
        now += 2_000;
        health.measure(now);
        assertThat(health.videoBitrate()).isEqualTo(2_000_000);
        assertThat(health.audioBitrate()).isEqualTo(128_000);
        assertThat(health.bytes()).isEqualTo(532_000);
        health.videoBytes(1_000);
        now += 100;
        assertThat(health.measure(now).health()).isEqualTo(StreamHealth.HEALTHY);
        assertThat(health.videoBitrate()).isEqualTo(2_000_000);
    }

    @Test
    void viewersAreDistinctAddressesOfTheLastMinute() throws Exception {
        health.viewer(InetAddress.getByName("192.0.2.1"));
        health.viewer(InetAddress.getByName("192.0.2.1"));
        health.viewer(null);
        health.viewer(null); // unknown addresses count as one
        now += 30_000;
        health.viewer(InetAddress.getByName("192.0.2.2"));
        assertThat(health.measure(now).viewers()).isEqualTo(3);
        now += StreamHealth.VIEWER_WINDOW_MS - 10_000;
        assertThat(health.measure(now).viewers()).isEqualTo(1); // the first two went quiet over a minute ago
    }
}
