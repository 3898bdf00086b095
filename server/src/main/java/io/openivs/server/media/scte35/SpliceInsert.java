package io.openivs.server.media.scte35;

import io.openivs.server.media.ts.Crc32Mpeg2;

/**
 * Builds the SCTE-35 {@code splice_info_section} (ANSI/SCTE 35, 9.6) of an ad break: one
 * {@code splice_insert} that leaves the network now ({@code splice_immediate_flag}) for a fixed
 * break duration with auto-return. HLS carries its bytes in an EXT-X-DATERANGE's
 * {@code SCTE35-OUT} attribute (RFC 8216 4.3.2.7.1).
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

    private static int putInt(byte[] out, int at, int v) {
        out[at] = (byte) (v >>> 24);
        out[at + 1] = (byte) (v >>> 16);
        out[at + 2] = (byte) (v >>> 8);
        out[at + 3] = (byte) v;
        return at + 4;
    }
}
