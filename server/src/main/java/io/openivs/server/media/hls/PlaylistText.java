package io.openivs.server.media.hls;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The number and date formats of playlist tags, appended without {@code String.format} or
 * {@code DateTimeFormatter}: playlists are rendered on the stream's owner thread each time a segment
 * (LL-HLS: a part) finishes, and per request for tokens and blocking reloads, and those general
 * formatters cost tens of times the few digits they write (and far more while the code is not
 * compiled yet, which for a once-per-segment path lasts minutes).
 */
public final class PlaylistText {
    private static final long[] POWERS = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    private PlaylistText() {}

    /**
     * {@code value} with exactly {@code places} decimals (at most 6), rounded half up: the text of
     * {@code String.format(Locale.ROOT, "%.<places>f", value)}.
     */
    public static StringBuilder appendFixed(StringBuilder out, double value, int places) {
        if (!(value >= 0 && value < 1e12) || places < 0 || places >= POWERS.length) {
            // Not a duration (negative, NaN, huge): the general path.
            return out.append(String.format(Locale.ROOT, "%." + places + "f", value));
        }
        long scale = POWERS[places];
        double exact = value * scale;
        long scaled = Math.round(exact);
        if (Math.abs(exact - Math.floor(exact) - 0.5) < 1e-6) {
            // Close to a tie, where the double's binary error decides Math.round: round the shortest
            // decimal form half up, as the general formatter does (0.5005 s, 45,045 ticks, -> 0.501).
            scaled = BigDecimal.valueOf(value)
                    .setScale(places, RoundingMode.HALF_UP)
                    .unscaledValue()
                    .longValueExact();
        }
        out.append(scaled / scale);
        return places == 0 ? out : pad(out.append('.'), scaled % scale, places);
    }

    /** {@code epochMillis} as ISO 8601 in UTC with milliseconds: {@code 2023-11-14T22:13:20.000Z}. */
    public static StringBuilder appendDateTime(StringBuilder out, long epochMillis) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(
                Math.floorDiv(epochMillis, 1000), (int) Math.floorMod(epochMillis, 1000) * 1_000_000, ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 0 || year > 9999) { // outside ISO 8601's four-digit years: not a stream's clock
            return out.append(Instant.ofEpochMilli(epochMillis));
        }
        pad(out, year, 4).append('-');
        pad(out, t.getMonthValue(), 2).append('-');
        pad(out, t.getDayOfMonth(), 2).append('T');
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2).append('.');
        return pad(out, t.getNano() / 1_000_000, 3).append('Z');
    }

    /** {@code value} (not negative) in at least {@code width} digits, zeros in front. */
    private static StringBuilder pad(StringBuilder out, long value, int width) {
        for (long p = POWERS[width - 1]; p > 1 && value < p; p /= 10) {
            out.append('0');
        }
        return out.append(value);
    }
}
