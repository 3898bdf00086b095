package io.openivs.server.media.hls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlaylistTextTest {

    private static String fixed(double v, int places) {
        return PlaylistText.appendFixed(new StringBuilder(), v, places).toString();
    }

    @Test
    void durationsFromTheMediaClockReadAsStringFormatWritesThem() {
        // Every duration a 90 kHz clock can give up to ~12 s, and part durations with 5 places.
        for (long ticks = 0; ticks < 1_100_000; ticks += 7) {
            double seconds = ticks / 90_000.0;
            assertThat(fixed(seconds, 3)).as("%d ticks", ticks).isEqualTo(String.format(Locale.ROOT, "%.3f", seconds));
            assertThat(fixed(seconds, 5)).as("%d ticks", ticks).isEqualTo(String.format(Locale.ROOT, "%.5f", seconds));
        }
    }

    @Test
    void anyDurationReadsAsStringFormatWritesIt() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 300_000; i++) {
            // Random doubles, and decimal ties (x.yyy5) whose binary form sits on either side of the half.
            double v = i % 2 == 0 ? random.nextDouble(0, 100) : random.nextInt(0, 10_000_000) / 1e4 + 0.00005;
            int places = 1 + i % 5;
            assertThat(fixed(v, places)).as("%s", v).isEqualTo(String.format(Locale.ROOT, "%." + places + "f", v));
        }
    }

    @Test
    void otherValuesAndPlaces() {
        assertThat(fixed(0, 3)).isEqualTo("0.000");
        assertThat(fixed(2.0021, 3)).isEqualTo("2.002");
        assertThat(fixed(29.97002997, 3)).isEqualTo("29.970");
        assertThat(fixed(0.9995, 3)).isEqualTo("1.000"); // half up (0.9995 is stored just above)
        assertThat(fixed(12.5, 0)).isEqualTo("13");
        assertThat(fixed(0.00001, 5)).isEqualTo("0.00001");
        // Outside the fast path: the general formatter's text.
        assertThat(fixed(-1.5, 3)).isEqualTo("-1.500");
        assertThat(fixed(Double.NaN, 3)).isEqualTo("NaN");
        assertThat(fixed(1e15, 3)).isEqualTo("1000000000000000.000");
    }

    @Test
    void datesReadAsTheIsoFormatterWritesThem() {
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
                .withZone(ZoneOffset.UTC);
        SplittableRandom random = new SplittableRandom(7);
        long[] fixedPoints = {0, 1, 999, 1000, 951_782_400_000L /* 2000-02-29 */, 4_102_444_799_999L /* 2099-12-31 */};
        for (long ms : fixedPoints) {
            assertThat(PlaylistText.appendDateTime(new StringBuilder(), ms).toString())
                    .isEqualTo(iso.format(Instant.ofEpochMilli(ms)));
        }
        for (int i = 0; i < 200_000; i++) {
            long ms = random.nextLong(0, 253_402_300_799_999L); // up to 9999-12-31T23:59:59.999Z
            assertThat(PlaylistText.appendDateTime(new StringBuilder(), ms).toString())
                    .isEqualTo(iso.format(Instant.ofEpochMilli(ms)));
        }
        assertThat(PlaylistText.appendDateTime(new StringBuilder(), 1_700_000_000_123L)
                        .toString())
                .isEqualTo("2023-11-14T22:13:20.123Z");
    }
}
