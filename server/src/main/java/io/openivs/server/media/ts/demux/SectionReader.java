package io.openivs.server.media.ts.demux;

import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/**
 * Gathers the PSI-style sections of one PID (here SCTE-35's splice_info_section) from TS packet payloads:
 * pointer_field, sections spanning packets, several sections in one packet, stuffing. A section is at most
 * {@link #MAX_SECTION_BYTES} (the 12-bit section_length's bound), so one PID holds at most that much.
 */
final class SectionReader {
    static final int MAX_SECTION_BYTES = 3 + 0xFFF;

    private final byte[] section = new byte[MAX_SECTION_BYTES];
    private int have;
    private int need = -1; // -1: not inside a section
    private final Consumer<byte[]> complete;

    SectionReader(Consumer<byte[]> complete) {
        this.complete = complete;
    }

    /** A packet's payload {@code [i, end)}; {@code start}: payload_unit_start_indicator. */
    void payload(ByteBuf buf, int i, int end, boolean start) {
        if (start) {
            int pointer = buf.getUnsignedByte(i++);
            if (need > 0) {
                take(buf, i, Math.min(end, i + pointer)); // the end of the section in progress
            }
            need = -1;
            i += pointer;
            sections(buf, i, end);
        } else if (need > 0) {
            take(buf, i, end); // a new section starts only in a packet with the start indicator
        }
    }

    /** The packet was damaged (continuity gap): what is in progress cannot be completed. */
    void lost() {
        need = -1;
        have = 0;
    }

    /** Sections starting at {@code i}, until stuffing (0xFF) or the packet's end. */
    private void sections(ByteBuf buf, int i, int end) {
        while (i + 3 <= end && buf.getUnsignedByte(i) != 0xFF) {
            int length = 3 + (buf.getUnsignedShort(i + 1) & 0x0FFF);
            have = 0;
            need = length;
            i = take(buf, i, end);
            if (need > 0) {
                return;
            }
        }
        need = -1;
    }

    /** Copies what the section still needs from {@code [i, end)}; hands it on when whole. Returns where it stopped. */
    private int take(ByteBuf buf, int i, int end) {
        int n = Math.min(need - have, end - i);
        if (n <= 0) {
            return i;
        }
        buf.getBytes(i, section, have, n);
        have += n;
        if (have == need) {
            byte[] whole = new byte[need];
            System.arraycopy(section, 0, whole, 0, need);
            need = -1;
            have = 0;
            complete.accept(whole);
        }
        return i + n;
    }
}
