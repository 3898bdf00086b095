package io.openivs.server.media.scte35;

import io.openivs.server.media.ts.Crc32Mpeg2;

/**
 * Builds the SCTE-35 {@code splice_info_section} (ANSI/SCTE 35, 9.6) of an ad break: one
 * {@code splice_insert} that leaves the network now ({@code splice_immediate_flag}) for a fixed
 * break duration with auto-return. HLS carries its bytes in an EXT-X-DATERANGE's
 * {@code SCTE35-OUT} attribute (RFC 8216 4.3.2.7.1). Also reads the splice_insert an encoder sends in its
 * MPEG-TS ({@link #parse}).
 */
public final class SpliceInsert {

    private static final int TABLE_ID = 0xFC;
    private static final int SPLICE_INSERT = 0x05;
    private static final int COMMAND_LENGTH = 15; // event id 4, flags 2, break_duration 5, program id 2, avails 2
    private static final int SECTION_LENGTH = 1 + 5 + 1 + 3 + 1 + COMMAND_LENGTH + 2 + 4;

    private SpliceInsert() {}

    /**
     * @param eventId splice_event_id, unique among the stream's breaks
     * @param durationTicks break_duration in 90 kHz ticks (33 bits)
     */
    public static byte[] out(int eventId, long durationTicks) {
        byte[] s = new byte[3 + SECTION_LENGTH];
        int i = 0;
        s[i++] = (byte) TABLE_ID;
        // section_syntax_indicator 0, private_indicator 0, sap_type '11' (not specified), section_length
        s[i++] = (byte) (0x30 | (SECTION_LENGTH >> 8));
        s[i++] = (byte) SECTION_LENGTH;
        s[i++] = 0; // protocol_version
        i += 5; // encrypted_packet 0, encryption_algorithm 0, pts_adjustment 0
        s[i++] = 0; // cw_index
        // tier 0xFFF (all), splice_command_length
        s[i++] = (byte) 0xFF;
        s[i++] = (byte) (0xF0 | (COMMAND_LENGTH >> 8));
        s[i++] = (byte) COMMAND_LENGTH;
        s[i++] = SPLICE_INSERT;
        i = putInt(s, i, eventId);
        s[i++] = 0x7F; // splice_event_cancel_indicator 0, reserved
        // out_of_network 1, program_splice 1, duration 1, splice_immediate 1, event_id_compliance 1, reserved
        s[i++] = (byte) 0xFF;
        // break_duration: auto_return 1, reserved, 33-bit duration
        s[i++] = (byte) (0xFE | ((durationTicks >>> 32) & 1));
        i = putInt(s, i, (int) durationTicks);
        s[i++] = 0;
        s[i++] = 1; // unique_program_id
        s[i++] = 0; // avail_num
        s[i++] = 0; // avails_expected
        s[i++] = 0;
        s[i++] = 0; // descriptor_loop_length
        putInt(s, i, Crc32Mpeg2.compute(s, i));
        return s;
    }

    /**
     * A splice_insert read from an encoder's section.
     *
     * @param ptsTime where the splice happens (33-bit stream time, pts_adjustment applied), or -1 for "immediately"
     * @param durationTicks break_duration in 90 kHz ticks, or -1 when the section gives none
     */
    public record Parsed(
            int eventId, boolean cancel, boolean outOfNetwork, long ptsTime, long durationTicks, boolean autoReturn) {}

    /**
     * Reads a complete splice_info_section (table id to CRC): its splice_insert, or null for any other
     * command, an encrypted or malformed section, or a CRC mismatch.
     */
    public static Parsed parse(byte[] s) {
        if (s.length < 20 || (s[0] & 0xFF) != TABLE_ID) {
            return null;
        }
        int length = 3 + (((s[1] & 0x0F) << 8) | (s[2] & 0xFF));
        if (length > s.length || length < 20 || Crc32Mpeg2.compute(s, length - 4) != getInt(s, length - 4)) {
            return null;
        }
        if ((s[4] & 0x80) != 0) {
            return null; // encrypted_packet
        }
        long ptsAdjustment = ((long) (s[4] & 1) << 32) | (getInt(s, 5) & 0xFFFF_FFFFL);
        int commandLength = ((s[11] & 0x0F) << 8) | (s[12] & 0xFF);
        int i = 14;
        int end = Math.min(length - 4, commandLength == 0xFFF ? length - 4 : i + commandLength);
        if ((s[13] & 0xFF) != SPLICE_INSERT || end - i < 5) {
            return null;
        }
        int eventId = getInt(s, i);
        boolean cancel = (s[i + 4] & 0x80) != 0;
        i += 5;
        if (cancel) {
            return new Parsed(eventId, true, false, -1, -1, false);
        }
        if (i >= end) {
            return null;
        }
        int flags = s[i++] & 0xFF;
        boolean out = (flags & 0x80) != 0;
        boolean program = (flags & 0x40) != 0;
        boolean duration = (flags & 0x20) != 0;
        boolean immediate = (flags & 0x10) != 0;
        long pts = -1;
        if (!program) {
            return null; // component splices: not for one-program ingest
        }
        if (!immediate) {
            if (i >= end) {
                return null;
            }
            if ((s[i] & 0x80) != 0) {
                if (end - i < 5) {
                    return null;
                }
                pts = (read33(s, i) + ptsAdjustment) & ((1L << 33) - 1);
                i += 5;
            } else {
                i += 1;
            }
        }
        long ticks = -1;
        boolean autoReturn = false;
        if (duration) {
            if (end - i < 5) {
                return null;
            }
            autoReturn = (s[i] & 0x80) != 0;
            ticks = read33(s, i);
        }
        return new Parsed(eventId, false, out, pts, ticks, autoReturn);
    }

    private static long read33(byte[] s, int i) {
        return ((long) (s[i] & 1) << 32) | (getInt(s, i + 1) & 0xFFFF_FFFFL);
    }

    private static int getInt(byte[] s, int i) {
        return ((s[i] & 0xFF) << 24) | ((s[i + 1] & 0xFF) << 16) | ((s[i + 2] & 0xFF) << 8) | (s[i + 3] & 0xFF);
    }

    private static int putInt(byte[] out, int at, int v) {
        out[at] = (byte) (v >>> 24);
        out[at + 1] = (byte) (v >>> 16);
        out[at + 2] = (byte) (v >>> 8);
        out[at + 3] = (byte) v;
        return at + 4;
    }
}
