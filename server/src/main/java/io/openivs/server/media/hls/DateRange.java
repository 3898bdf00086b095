package io.openivs.server.media.hls;

import java.util.HexFormat;

/**
 * An EXT-X-DATERANGE of a media playlist (RFC 8216 4.3.2.7), here an SCTE-35 ad break:
 * ID, START-DATE, DURATION and SCTE35-OUT.
 *
 * @param id unique among the stream's date ranges
 * @param startMillis START-DATE, epoch milliseconds
 * @param durationSeconds DURATION: the API fixes an ad break's length when it is inserted; NaN for none (an
 *     encoder's break of unannounced length)
 * @param scte35Out the splice_info_section for SCTE35-OUT, or null for none
 */
public record DateRange(String id, long startMillis, double durationSeconds, byte[] scte35Out) {

    /** The same range starting at {@code millis}. */
    public DateRange startingAt(long millis) {
        return new DateRange(id, millis, durationSeconds, scte35Out);
    }

    /** SCTE35-OUT's value: the section as a hexadecimal-sequence, {@code 0x...}. */
    public String scte35OutHex() {
        return "0x" + HexFormat.of().withUpperCase().formatHex(scte35Out);
    }
}
