package io.openivs.server.media.id3;

import java.nio.charset.StandardCharsets;

/**
 * Builds ID3v2.4 tags (id3.org, "ID3 tag version 2.4.0 - Main Structure") for timed metadata.
 * IVS carries a PutMetadata string as a user-defined text frame, {@code TXXX}, in UTF-8 with an
 * empty description (reference §9; the exact frame IVS uses is unconfirmed, TXXX is what HLS
 * players, hls.js included, surface as a text cue).
 */
public final class Id3Tag {

    private static final int HEADER = 10;
    private static final int ENCODING_UTF8 = 3;
    /** The TXXX description of the IVS player's per-segment latency stamp (see {@link #segmentMetadata}). */
    public static final String SEGMENT_METADATA = "segmentmetadata";

    private Id3Tag() {}

    /** A tag holding one TXXX frame with {@code text} as its value. */
    public static byte[] userText(String text) {
        return userText("", text);
    }

    /**
     * The latency stamp a segment starts with: a TXXX frame described {@code segmentmetadata} whose
     * value is the JSON the Amazon IVS player reads its live latency from ({@code cmd} {@code
     * ld_lat_data}; {@code transc_r}, {@code transc_s}, {@code ingest_r}: epoch milliseconds at which
     * the server received, sent on and took in the segment's first frame). Without transcoding
     * between them the three are the same instant. The player's figure is then its server-corrected
     * clock minus {@code transc_r} as that frame plays.
     */
    public static byte[] segmentMetadata(long receivedMillis) {
        String json = "{\"cmd\":\"ld_lat_data\",\"transc_s\":" + receivedMillis + ",\"transc_r\":" + receivedMillis
                + ",\"ingest_r\":" + receivedMillis + "}";
        return userText(SEGMENT_METADATA, json);
    }

    /** A tag holding one TXXX frame with {@code description} (ASCII) and {@code text} as its value. */
    public static byte[] userText(String description, String text) {
        byte[] described = description.getBytes(StandardCharsets.US_ASCII);
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        int frameBody = 1 + described.length + 1 + value.length; // encoding, description and terminator, value
        int frameSize = HEADER + frameBody;
        byte[] tag = new byte[HEADER + frameSize];
        int i = 0;
        tag[i++] = 'I';
        tag[i++] = 'D';
        tag[i++] = '3';
        tag[i++] = 4; // version 2.4.0
        tag[i++] = 0;
        tag[i++] = 0; // flags
        i = syncsafe(tag, i, frameSize);
        tag[i++] = 'T';
        tag[i++] = 'X';
        tag[i++] = 'X';
        tag[i++] = 'X';
        i = syncsafe(tag, i, frameBody); // v2.4 frame sizes are syncsafe too
        tag[i++] = 0;
        tag[i++] = 0; // frame flags
        tag[i++] = ENCODING_UTF8;
        System.arraycopy(described, 0, tag, i, described.length);
        i += described.length;
        tag[i++] = 0; // the description's terminator
        System.arraycopy(value, 0, tag, i, value.length);
        return tag;
    }

    /** Writes {@code size} as four 7-bit bytes, so no 0xFF byte can look like an MPEG sync word. */
    private static int syncsafe(byte[] out, int at, int size) {
        if (size >= 1 << 28) {
            throw new IllegalArgumentException("ID3 size " + size);
        }
        out[at] = (byte) ((size >> 21) & 0x7F);
        out[at + 1] = (byte) ((size >> 14) & 0x7F);
        out[at + 2] = (byte) ((size >> 7) & 0x7F);
        out[at + 3] = (byte) (size & 0x7F);
        return at + 4;
    }
}
