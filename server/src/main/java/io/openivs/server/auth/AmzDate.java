package io.openivs.server.auth;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The two request-time formats SigV4 knows: ISO 8601 basic ({@code 20240101T000000Z}) and the HTTP {@code Date} header. */
final class AmzDate {
    static final long INVALID = Long.MIN_VALUE;

    private static final DateTimeFormatter BASIC =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private AmzDate() {}

    /** @return epoch seconds of a {@code yyyyMMdd'T'HHmmss'Z'} value, or {@link #INVALID} */
    static long parseBasic(CharSequence s) {
        if (s == null || s.length() != 16 || s.charAt(8) != 'T' || s.charAt(15) != 'Z') {
            return INVALID;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 4, 6);
        int day = digits(s, 6, 8);
        int hour = digits(s, 9, 11);
        int minute = digits(s, 11, 13);
        int second = digits(s, 13, 15);
        if ((year | month | day | hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 59) {
            return INVALID;
        }
        try {
            return LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3600L + minute * 60L + second;
        } catch (DateTimeException e) {
            return INVALID;
        }
    }

    /** @return epoch seconds of an RFC 1123 HTTP date ({@code Mon, 01 Jan 2024 00:00:00 GMT}), or {@link #INVALID} */
    static long parseHttpDate(String s) {
        if (s == null) {
            return INVALID;
        }
        try {
            return ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toEpochSecond();
        } catch (DateTimeException e) {
            return INVALID;
        }
    }

    static String formatBasic(long epochSecond) {
        return BASIC.format(Instant.ofEpochSecond(epochSecond));
    }

    private static int digits(CharSequence s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }
}
