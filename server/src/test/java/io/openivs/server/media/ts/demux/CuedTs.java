package io.openivs.server.media.ts.demux;

import io.openivs.server.media.id3.Id3Tag;
import io.openivs.server.media.ts.Crc32Mpeg2;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Adds what an encoder sends beside its media to an MPEG-TS file (as ffmpeg writes one: PAT, one PMT):
 * a timed ID3 stream (type 0x15, a TXXX tag in a PES with a PTS) and an SCTE-35 stream (type 0x86,
 * splice_info_sections), both declared in a rewritten PMT and placed after the video PES they belong to.
 */
public final class CuedTs {
    public static final int METADATA_PID = 0x1F0;
    public static final int SCTE35_PID = 0x1F1;

    /** An ID3 tag at {@code pts}, or a splice_insert sent when the video reaches {@code sendAt}. */
    public sealed interface Cue permits Metadata, Splice {
        long sendAt();
    }

    /** A TXXX tag with {@code text}, shown at the video frame where it is sent. */
    public record Metadata(long sendAt, String text) implements Cue {}

    /**
     * A splice_insert leaving the network: at {@code spliceAt} (a 33-bit stream time) or, with -1, at once;
     * {@code durationTicks} -1 for none.
     */
    public record Splice(long sendAt, int eventId, long spliceAt, long durationTicks) implements Cue {}

    private final List<Cue> cues = new ArrayList<>();
    private final int[] cc = new int[8192];

    private CuedTs(List<Cue> cues) {
        this.cues.addAll(cues);
        this.cues.sort((a, b) -> Long.compare(a.sendAt(), b.sendAt()));
    }

    /** {@code ts} with {@code cues}; their times are on the file's own 90 kHz clock. */
    public static byte[] with(byte[] ts, List<Cue> cues) {
        return new CuedTs(cues).rewrite(ts);
    }

    /** The first video PTS of a file, for placing cues on its clock. */
    public static long firstVideoPts(byte[] ts) {
        int videoPid = videoPid(ts);
        for (int p = 0; p + 188 <= ts.length; p += 188) {
            if (pid(ts, p) == videoPid && (ts[p + 1] & 0x40) != 0) {
                return pesPts(ts, p);
            }
        }
        throw new IllegalArgumentException("no video PES");
    }

    private byte[] rewrite(byte[] ts) {
        int pmtPid = pmtPid(ts);
        int videoPid = videoPid(ts);
        ByteArrayOutputStream out = new ByteArrayOutputStream(ts.length + 64 * 188);
        int next = 0;
        for (int p = 0; p + 188 <= ts.length; p += 188) {
            int pid = pid(ts, p);
            if (pid == pmtPid && (ts[p + 1] & 0x40) != 0) {
                out.writeBytes(pmtWithCueStreams(ts, p));
                continue;
            }
            out.write(ts, p, 188);
            if (pid == videoPid && (ts[p + 1] & 0x40) != 0) {
                long pts = pesPts(ts, p);
                while (next < cues.size() && cues.get(next).sendAt() <= pts) {
                    Cue cue = cues.get(next++);
                    if (cue instanceof Metadata m) {
                        byte[] id3 = Id3Tag.userText(m.text());
                        out.writeBytes(packets(METADATA_PID, metadataPes(id3, pts)));
                    } else {
                        Splice s = (Splice) cue;
                        byte[] section = spliceInsert(s.eventId(), s.spliceAt(), s.durationTicks());
                        byte[] payload = new byte[section.length + 1]; // pointer_field 0
                        System.arraycopy(section, 0, payload, 1, section.length);
                        out.writeBytes(packets(SCTE35_PID, payload));
                    }
                }
            }
        }
        return out.toByteArray();
    }

    /** The file's PMT packet with the two streams added to its ES loop. */
    private static byte[] pmtWithCueStreams(byte[] ts, int p) {
        int at = p + 4 + ((ts[p + 3] & 0x20) != 0 ? 1 + (ts[p + 4] & 0xFF) : 0);
        int section = at + 1 + (ts[at] & 0xFF);
        int length = ((ts[section + 1] & 0x0F) << 8) | (ts[section + 2] & 0xFF);
        byte[] body = Arrays.copyOfRange(ts, section, section + 3 + length - 4); // CRC dropped
        byte[] extra = {
            0x15,
            (byte) (0xE0 | METADATA_PID >> 8),
            (byte) METADATA_PID,
            (byte) 0xF0,
            0,
            (byte) 0x86,
            (byte) (0xE0 | SCTE35_PID >> 8),
            (byte) SCTE35_PID,
            (byte) 0xF0,
            0
        };
        byte[] s = new byte[body.length + extra.length + 4];
        System.arraycopy(body, 0, s, 0, body.length);
        System.arraycopy(extra, 0, s, body.length, extra.length);
        int newLength = s.length - 3;
        s[1] = (byte) ((s[1] & 0xF0) | (newLength >> 8));
        s[2] = (byte) newLength;
        putInt(s, s.length - 4, Crc32Mpeg2.compute(s, s.length - 4));
        byte[] packet = new byte[188];
        Arrays.fill(packet, (byte) 0xFF);
        System.arraycopy(ts, p, packet, 0, 4);
        packet[3] = (byte) (0x10 | (ts[p + 3] & 0x0F)); // payload only, its continuity counter kept
        packet[4] = 0; // pointer_field
        System.arraycopy(s, 0, packet, 5, s.length);
        return packet;
    }

    private static byte[] metadataPes(byte[] id3, long pts) {
        byte[] pes = new byte[14 + id3.length];
        pes[2] = 1;
        pes[3] = (byte) 0xBD; // private_stream_1, as timed ID3 is carried
        int length = 8 + id3.length;
        pes[4] = (byte) (length >> 8);
        pes[5] = (byte) length;
        pes[6] = (byte) 0x84; // '10', data_alignment_indicator
        pes[7] = (byte) 0x80; // PTS only
        pes[8] = 5;
        pes[9] = (byte) (0x21 | ((pts >> 29) & 0x0E));
        pes[10] = (byte) (pts >> 22);
        pes[11] = (byte) (0x01 | ((pts >> 14) & 0xFE));
        pes[12] = (byte) (pts >> 7);
        pes[13] = (byte) (0x01 | ((pts << 1) & 0xFE));
        System.arraycopy(id3, 0, pes, 14, id3.length);
        return pes;
    }

    /** A splice_info_section with one splice_insert, written field by field (ANSI/SCTE 35 9.6, 9.7.3). */
    public static byte[] spliceInsert(int eventId, long spliceAt, long durationTicks) {
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.write(eventId >>> 24);
        c.write(eventId >>> 16);
        c.write(eventId >>> 8);
        c.write(eventId);
        c.write(0x7F); // not cancelled
        boolean immediate = spliceAt < 0;
        c.write(0x80 | 0x40 | (durationTicks >= 0 ? 0x20 : 0) | (immediate ? 0x10 : 0) | 0x0F);
        if (!immediate) {
            write33(c, 0xFE, spliceAt); // time_specified_flag, reserved
        }
        if (durationTicks >= 0) {
            write33(c, 0xFE, durationTicks); // auto_return, reserved
        }
        c.write(0);
        c.write(1); // unique_program_id
        c.write(0);
        c.write(0); // avail_num, avails_expected
        byte[] command = c.toByteArray();
        int sectionLength = 11 + command.length + 2 + 4;
        byte[] s = new byte[3 + sectionLength];
        s[0] = (byte) 0xFC;
        s[1] = (byte) (0x30 | sectionLength >> 8);
        s[2] = (byte) sectionLength;
        // protocol_version, not encrypted, pts_adjustment 0, cw_index 0
        s[10] = (byte) 0xFF; // tier
        s[11] = (byte) (0xF0 | command.length >> 8);
        s[12] = (byte) command.length;
        s[13] = 0x05; // splice_insert
        System.arraycopy(command, 0, s, 14, command.length);
        putInt(s, s.length - 4, Crc32Mpeg2.compute(s, s.length - 4));
        return s;
    }

    private static void write33(ByteArrayOutputStream c, int high, long v) {
        c.write(high | (int) ((v >>> 32) & 1));
        c.write((int) (v >>> 24));
        c.write((int) (v >>> 16));
        c.write((int) (v >>> 8));
        c.write((int) v);
    }

    /** {@code payload} in TS packets of {@code pid}, the last one padded with adaptation-field stuffing. */
    private byte[] packets(int pid, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < payload.length; ) {
            byte[] packet = new byte[188];
            packet[0] = 0x47;
            packet[1] = (byte) ((i == 0 ? 0x40 : 0) | pid >> 8);
            packet[2] = (byte) pid;
            int n = Math.min(184, payload.length - i);
            int counter = cc[pid]++ & 0x0F;
            if (n == 184) {
                packet[3] = (byte) (0x10 | counter);
                System.arraycopy(payload, i, packet, 4, n);
            } else {
                packet[3] = (byte) (0x30 | counter);
                int stuffing = 184 - n - 1;
                packet[4] = (byte) stuffing;
                if (stuffing > 0) {
                    packet[5] = 0;
                    Arrays.fill(packet, 6, 5 + stuffing, (byte) 0xFF);
                }
                System.arraycopy(payload, i, packet, 5 + stuffing, n);
            }
            out.writeBytes(packet);
            i += n;
        }
        return out.toByteArray();
    }

    private static int pid(byte[] ts, int p) {
        return ((ts[p + 1] & 0x1F) << 8) | (ts[p + 2] & 0xFF);
    }

    private static int payload(byte[] ts, int p) {
        return p + 4 + ((ts[p + 3] & 0x20) != 0 ? 1 + (ts[p + 4] & 0xFF) : 0);
    }

    private static int pmtPid(byte[] ts) {
        for (int p = 0; p + 188 <= ts.length; p += 188) {
            if (pid(ts, p) == 0 && (ts[p + 1] & 0x40) != 0) {
                int s = payload(ts, p);
                s += 1 + (ts[s] & 0xFF);
                return ((ts[s + 10] & 0x1F) << 8) | (ts[s + 11] & 0xFF);
            }
        }
        throw new IllegalArgumentException("no PAT");
    }

    private static int videoPid(byte[] ts) {
        int pmt = pmtPid(ts);
        for (int p = 0; p + 188 <= ts.length; p += 188) {
            if (pid(ts, p) == pmt && (ts[p + 1] & 0x40) != 0) {
                int s = payload(ts, p);
                s += 1 + (ts[s] & 0xFF);
                int end = s + 3 + (((ts[s + 1] & 0x0F) << 8) | (ts[s + 2] & 0xFF)) - 4;
                int info = ((ts[s + 10] & 0x0F) << 8) | (ts[s + 11] & 0xFF);
                for (int e = s + 12 + info; e + 5 <= end; ) {
                    if ((ts[e] & 0xFF) == 0x1B) {
                        return ((ts[e + 1] & 0x1F) << 8) | (ts[e + 2] & 0xFF);
                    }
                    e += 5 + (((ts[e + 3] & 0x0F) << 8) | (ts[e + 4] & 0xFF));
                }
            }
        }
        throw new IllegalArgumentException("no H.264 stream");
    }

    private static long pesPts(byte[] ts, int p) {
        int i = payload(ts, p) + 9;
        return ((long) (ts[i] & 0x0E) << 29)
                | ((long) (ts[i + 1] & 0xFF) << 22)
                | ((long) (ts[i + 2] & 0xFE) << 14)
                | ((long) (ts[i + 3] & 0xFF) << 7)
                | ((ts[i + 4] & 0xFF) >> 1);
    }

    private static void putInt(byte[] out, int at, int v) {
        out[at] = (byte) (v >>> 24);
        out[at + 1] = (byte) (v >>> 16);
        out[at + 2] = (byte) (v >>> 8);
        out[at + 3] = (byte) v;
    }
}
