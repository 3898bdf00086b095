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

    private Id3Tag() {}

    /** A tag holding one TXXX frame with {@code text} as its value. */
    public static byte[] userText(String text) {
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        int frameBody = 1 + 1 + value.length; // encoding, empty description's terminator, value
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
        tag[i++] = 0; // description "" and its terminator
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
