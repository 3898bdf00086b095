package io.openivs.server.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.ts.TsPackets.Packet;
import io.openivs.server.media.ts.TsPackets.Pes;
import io.openivs.server.testing.SyntheticMedia;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TsSegmentWriterTest {

    private static final long AAC_FRAME = 1920; // 1024 samples at 48 kHz in 90 kHz ticks

    private final TsSegmentWriter writer = new TsSegmentWriter(UnpooledByteBufAllocator.DEFAULT);
    private final List<ByteBuf> segments = new ArrayList<>();

    @AfterEach
    void release() {
        segments.forEach(ByteBuf::release);
        writer.close();
    }

    private static final byte[] START_CODE = {0, 0, 0, 1};
    private static final byte[] AUD = {0, 0, 0, 1, 9, (byte) 0xF0};

    /**
     * A video frame as the pipeline carries it (one 4-byte length-prefixed slice NAL unit) sized
     * so that its Annex-B form in the segment (delimiter, parameter sets before an IDR, start
     * code, NAL unit) is {@code size} bytes.
     */
    private static MediaFrame video(long dts, long pts, boolean key, int size) {
        int nal = size - AUD.length - START_CODE.length - (key ? parameterSetBytes() : 0);
        byte[] au = new byte[4 + nal];
        Unpooled.wrappedBuffer(au).setInt(0, nal);
        au[4] = (byte) (key ? 0x65 : 0x41);
        return new MediaFrame(TrackType.VIDEO, dts, pts, key, Unpooled.wrappedBuffer(au));
    }

    private static int parameterSetBytes() {
        return 2 * START_CODE.length + SyntheticMedia.VIDEO.sps().length + SyntheticMedia.VIDEO.pps().length;
    }

    /** Test-side Annex-B of a length-prefixed access unit, as ISO/IEC 13818-1 wants H.264 in TS. */
    private static byte[] annexB(byte[] lengthPrefixed, boolean key) {
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(AUD);
        if (key) {
            out.writeBytes(START_CODE)
                    .writeBytes(SyntheticMedia.VIDEO.sps())
                    .writeBytes(START_CODE)
                    .writeBytes(SyntheticMedia.VIDEO.pps());
        }
        ByteBuf in = Unpooled.wrappedBuffer(lengthPrefixed);
        while (in.isReadable()) {
            int n = in.readInt();
            out.writeBytes(START_CODE).writeBytes(in, n);
        }
        return ByteBufUtil.getBytes(out);
    }

    /** NAL units of an Annex-B byte stream, split at its start codes (test data holds no 00 00 01 otherwise). */
    private static List<String> nalUnits(byte[] annexB) {
        String hex = HexFormat.of().formatHex(annexB);
        assertThat(hex).startsWith("00000001");
        return List.of(hex.substring(8).split("00000001"));
    }

    private static MediaFrame audio(long pts, int size) {
        byte[] raw = new byte[size];
        raw[0] = 0x21;
        return new MediaFrame(TrackType.AUDIO, pts, pts, true, Unpooled.wrappedBuffer(raw));
    }

    private ByteBuf segment(long sequence, long offset, MediaFrame... frames) {
        writer.startSegment(new SegmentStart(sequence, false, SyntheticMedia.VIDEO, SyntheticMedia.AUDIO, offset));
        for (MediaFrame f : frames) {
            writer.writeFrame(f);
            f.release();
        }
        ByteBuf out = writer.finishSegment();
        segments.add(out);
        return out;
    }

    @Test
    void segmentStartsWithPatThenPmtDescribingBothTracks() {
        List<Packet> packets = TsPackets.parse(segment(0, 0, video(0, 3000, true, 500)));
        assertThat(packets.get(0).pid()).isZero();
        assertThat(ByteBufUtil.hexDump(packets.get(0).payload(), 0, 17))
                .isEqualTo("0000b00d0001c100000001f0002ab104b2");
        Packet pmt = packets.get(1);
        assertThat(pmt.pid()).isEqualTo(0x1000);
        // pointer 0, table 2, PCR PID 0x100, H.264 on 0x100, AAC ADTS on 0x101, and no timed ID3 stream while
        // the segment has no metadata (TsMetadataStreamTest): the same PMT, CRC included, as ffmpeg writes.
        assertThat(ByteBufUtil.hexDump(pmt.payload(), 0, 27))
                .isEqualTo("0002b0170001c10000e100f000" + "1be100f000" + "0fe101f000" + "2f44b99b");
        assertThat(Crc32Mpeg2.compute(Unpooled.wrappedBuffer(pmt.payload()), 1, 26))
                .isZero();
    }

    @Test
    void keyframePesCarriesTimestampsPcrAndRandomAccess() {
        long offset = 90_000;
        List<Packet> packets =
                TsPackets.parse(segment(0, offset, video(6000, 9000, true, 1000), video(9000, 12000, false, 300)));
        List<Pes> pes = TsPackets.pes(packets, TsSegmentWriter.PID_VIDEO);
        assertThat(pes).hasSize(2);
        Pes key = pes.get(0);
        assertThat(key.streamId()).isEqualTo(0xE0);
        assertThat(key.dts()).isEqualTo(6000 + offset + TsSegmentWriter.TIMESTAMP_OFFSET);
        assertThat(key.pts()).isEqualTo(9000 + offset + TsSegmentWriter.TIMESTAMP_OFFSET);
        assertThat(key.randomAccess()).isTrue();
        assertThat(key.pcr()).isEqualTo(key.dts() - TsSegmentWriter.PCR_DELAY);
        assertThat(key.data()).hasSize(1000);
        assertThat(pes.get(1).randomAccess()).isFalse();
        assertThat(pes.get(1).pcr()).isEqualTo(pes.get(1).dts() - TsSegmentWriter.PCR_DELAY);
    }

    @Test
    void videoLargerThanAPesLengthCanSayIsUnbounded() {
        Pes pes = TsPackets.pes(TsPackets.parse(segment(0, 0, video(0, 0, true, 70_000))), TsSegmentWriter.PID_VIDEO)
                .get(0);
        assertThat(pes.declaredLength()).isZero();
        assertThat(pes.data()).hasSize(70_000);
        assertThat(pes.pts()).isEqualTo(pes.dts());
    }

    @Test
    void framesSpanningManyBlocksComeOutWholeInOneExactBuffer() {
        // ~300 KB: several of the writer's 64 KB blocks, with frames that straddle where one ends.
        List<byte[]> sent = new ArrayList<>();
        List<MediaFrame> frames = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            MediaFrame f = video(i * 3000L, i * 3000L, i == 0, 4000 + i * 37);
            ByteBuf au = f.payload();
            for (int j = 5; j < au.readableBytes(); j++) {
                au.setByte(j, i + j);
            }
            sent.add(annexB(ByteBufUtil.getBytes(au), i == 0));
            frames.add(f);
        }
        ByteBuf ts = segment(0, 0, frames.toArray(new MediaFrame[0]));
        assertThat(ts.readableBytes() % TsPacketizer.PACKET_SIZE).isZero();
        assertThat(ts.capacity()).isEqualTo(ts.readableBytes());
        List<Pes> pes = TsPackets.pes(TsPackets.parse(ts), TsSegmentWriter.PID_VIDEO);
        assertThat(pes).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(pes.get(i).data()).as("frame %d", i).isEqualTo(sent.get(i));
        }
    }

    @Test
    void lengthPrefixedFramesBecomeAnnexBWithDelimiterAndParameterSetsBeforeEachIdr() {
        // SEI and IDR slice, then a P slice: the pipeline's form, 4-byte lengths, no parameter sets.
        String sei = "0605" + "01".repeat(300);
        String idr = "6588" + "7f".repeat(5000);
        String p = "419a" + "23".repeat(700);
        MediaFrame key = new MediaFrame(
                TrackType.VIDEO,
                0,
                0,
                true,
                Unpooled.wrappedBuffer(HexFormat.of()
                        .parseHex(String.format("%08x", sei.length() / 2)
                                + sei
                                + String.format("%08x", idr.length() / 2)
                                + idr)));
        MediaFrame next = new MediaFrame(
                TrackType.VIDEO,
                3000,
                3000,
                false,
                Unpooled.wrappedBuffer(HexFormat.of().parseHex(String.format("%08x", p.length() / 2) + p)));
        MediaFrame key2 = new MediaFrame(
                TrackType.VIDEO,
                6000,
                6000,
                true,
                Unpooled.wrappedBuffer(HexFormat.of().parseHex(String.format("%08x", idr.length() / 2) + idr)));
        List<Pes> pes = TsPackets.pes(TsPackets.parse(segment(0, 0, key, next, key2)), TsSegmentWriter.PID_VIDEO);

        String sps = HexFormat.of().formatHex(SyntheticMedia.VIDEO.sps());
        String pps = HexFormat.of().formatHex(SyntheticMedia.VIDEO.pps());
        assertThat(pes).hasSize(3);
        assertThat(nalUnits(pes.get(0).data())).containsExactly("09f0", sps, pps, sei, idr);
        assertThat(nalUnits(pes.get(1).data())).containsExactly("09f0", p);
        assertThat(nalUnits(pes.get(2).data())).containsExactly("09f0", sps, pps, idr);
    }

    @Test
    void continuityCountersRunOnAcrossSegments() {
        List<Packet> all = new ArrayList<>();
        all.addAll(TsPackets.parse(segment(0, 0, video(0, 0, true, 2000), audio(0, 300), audio(AAC_FRAME, 300))));
        all.addAll(TsPackets.parse(segment(1, 0, video(3000, 3000, true, 2000), audio(2 * AAC_FRAME, 300))));
        Map<Integer, List<Packet>> byPid = all.stream().collect(Collectors.groupingBy(Packet::pid));
        assertThat(byPid).containsOnlyKeys(0, 0x1000, 0x100, 0x101);
        byPid.forEach((pid, packets) -> {
            for (int i = 1; i < packets.size(); i++) {
                assertThat(packets.get(i).continuity())
                        .as("PID %x packet %d", pid, i)
                        .isEqualTo((packets.get(i - 1).continuity() + 1) & 0xF);
            }
        });
        assertThat(byPid.get(0)).hasSize(2);
    }

    @Test
    void contiguousAudioFramesShareAPesOfAtMost100Ms() {
        MediaFrame[] frames = new MediaFrame[11];
        frames[0] = video(0, 0, true, 100);
        for (int i = 0; i < 10; i++) {
            frames[i + 1] = audio(i * AAC_FRAME, 200 + i);
        }
        List<Pes> pes = TsPackets.pes(TsPackets.parse(segment(0, 0, frames)), TsSegmentWriter.PID_AUDIO);
        long base = TsSegmentWriter.TIMESTAMP_OFFSET;
        assertThat(pes).extracting(Pes::pts).containsExactly(base, base + 4 * AAC_FRAME, base + 8 * AAC_FRAME);
        assertThat(pes).extracting(p -> adtsFrames(p.data())).containsExactly(4, 4, 2);
        assertThat(pes.get(0).streamId()).isEqualTo(0xC0);
    }

    @Test
    void aGapInAudioStartsANewPes() {
        List<Pes> pes = TsPackets.pes(
                TsPackets.parse(segment(
                        0, 0, video(0, 0, true, 100), audio(0, 200), audio(AAC_FRAME, 200), audio(5 * AAC_FRAME, 200))),
                TsSegmentWriter.PID_AUDIO);
        assertThat(pes).extracting(p -> adtsFrames(p.data())).containsExactly(2, 1);
        assertThat(pes.get(1).pts() - pes.get(0).pts()).isEqualTo(5 * AAC_FRAME);
    }

    /** Counts ADTS frames by walking their frame_length fields; fails if they do not tile the data. */
    private static int adtsFrames(byte[] data) {
        int count = 0;
        int i = 0;
        while (i < data.length) {
            assertThat(data[i] & 0xFF).isEqualTo(0xFF);
            assertThat(data[i + 1] & 0xF6).isEqualTo(0xF0);
            int length = ((data[i + 3] & 0x03) << 11) | ((data[i + 4] & 0xFF) << 3) | ((data[i + 5] & 0xE0) >> 5);
            i += length;
            count++;
        }
        assertThat(i).isEqualTo(data.length);
        return count;
    }
}
