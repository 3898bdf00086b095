package io.openivs.server.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.ts.TsPackets.Packet;
import io.openivs.server.testing.SyntheticMedia;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The timed ID3 stream is in the PMT only while a segment carries metadata: Amazon's IVS player
 * stalls on a declared stream that never has data. A segment whose first PES is metadata (a live
 * segment's latency stamp) lists it in its one PMT; otherwise a PMT with a new version adds it right
 * before the first metadata PES, and the next segment's PMT drops it under yet another version.
 */
class TsMetadataStreamTest {

    private static final String ID3_FORMAT = "ffff49443320ff4944332000";

    private final TsSegmentWriter writer = new TsSegmentWriter(UnpooledByteBufAllocator.DEFAULT);
    private final List<ByteBuf> segments = new ArrayList<>();

    @AfterEach
    void release() {
        segments.forEach(ByteBuf::release);
        writer.close();
    }

    private List<Packet> segment(long sequence, boolean withMetadata) {
        writer.startSegment(new SegmentStart(sequence, false, SyntheticMedia.VIDEO, SyntheticMedia.AUDIO, 0));
        byte[] au = new byte[400];
        au[3] = 1;
        au[4] = 0x65;
        MediaFrame key = new MediaFrame(
                TrackType.VIDEO, sequence * 180_000, sequence * 180_000, true, Unpooled.wrappedBuffer(au));
        writer.writeFrame(key);
        key.release();
        if (withMetadata) {
            writer.writeMetadata(new TimedMetadata(sequence * 180_000 + 3000, "ID3 tag".getBytes()));
        }
        ByteBuf out = writer.finishSegment();
        segments.add(out);
        return TsPackets.parse(out);
    }

    private static List<Packet> pmts(List<Packet> packets) {
        return packets.stream().filter(p -> p.pid() == 0x1000).toList();
    }

    /** version_number of a PMT packet (pointer field 0, then the section). */
    private static int version(Packet pmt) {
        return (pmt.payload()[6] >> 1) & 0x1F;
    }

    private static boolean declaresMetadata(Packet pmt) {
        return ByteBufUtil.hexDump(pmt.payload()).contains("15e102f00f260d" + ID3_FORMAT + "0f");
    }

    @Test
    void segmentsWithoutMetadataDeclareNoMetadataStream() {
        for (int i = 0; i < 3; i++) {
            List<Packet> packets = segment(i, false);
            assertThat(pmts(packets)).hasSize(1);
            assertThat(declaresMetadata(pmts(packets).get(0))).isFalse();
            assertThat(version(pmts(packets).get(0)))
                    .as("unchanged content keeps its version")
                    .isZero();
            assertThat(packets).noneMatch(p -> p.pid() == TsSegmentWriter.PID_METADATA);
        }
    }

    @Test
    void metadataIsPrecededByAPmtThatAddsItsStreamUnderTheNextVersion() {
        segment(0, false);
        List<Packet> packets = segment(1, true);
        List<Packet> pmts = pmts(packets);
        assertThat(pmts).hasSize(2);
        assertThat(declaresMetadata(pmts.get(0))).isFalse();
        assertThat(version(pmts.get(0))).isZero();
        Packet update = pmts.get(1);
        assertThat(declaresMetadata(update)).isTrue();
        assertThat(ByteBufUtil.hexDump(update.payload())).contains("250f" + ID3_FORMAT + "1f0001");
        assertThat(version(update)).isEqualTo(1);
        assertThat(Crc32Mpeg2.compute(
                        Unpooled.wrappedBuffer(update.payload()),
                        1,
                        3 + (((update.payload()[2] & 0x0F) << 8) | (update.payload()[3] & 0xFF))))
                .isZero();
        int updateAt = packets.indexOf(update);
        int metadataAt = packets.indexOf(packets.stream()
                .filter(p -> p.pid() == TsSegmentWriter.PID_METADATA)
                .findFirst()
                .orElseThrow());
        assertThat(updateAt)
                .as("the stream is declared before its first packet")
                .isLessThan(metadataAt);
        // Continuity runs on across the two PMTs of the segment and the segment before.
        assertThat(update.continuity()).isEqualTo((pmts.get(0).continuity() + 1) & 0x0F);

        List<Packet> next = pmts(segment(2, false));
        assertThat(next).hasSize(1);
        assertThat(declaresMetadata(next.get(0))).isFalse();
        assertThat(version(next.get(0)))
                .as("dropping the stream is another change")
                .isEqualTo(2);
    }

    @Test
    void moreMetadataInTheSameSegmentNeedsNoFurtherPmt() {
        writer.startSegment(new SegmentStart(0, false, SyntheticMedia.VIDEO, SyntheticMedia.AUDIO, 0));
        writer.writeMetadata(new TimedMetadata(0, "one".getBytes()));
        writer.writeMetadata(new TimedMetadata(3000, "two".getBytes()));
        ByteBuf out = writer.finishSegment();
        segments.add(out);
        List<Packet> packets = TsPackets.parse(out);
        assertThat(pmts(packets)).hasSize(1);
        assertThat(TsPackets.pes(packets, TsSegmentWriter.PID_METADATA)).hasSize(2);
    }

    /** Live segments start with their latency stamp: one PMT each, listing the stream, under one version. */
    @Test
    void segmentsStartingWithMetadataDeclareItInTheirOnlyPmtUnderOneVersion() {
        for (int i = 0; i < 3; i++) {
            writer.startSegment(new SegmentStart(i, false, SyntheticMedia.VIDEO, SyntheticMedia.AUDIO, 0));
            writer.writeMetadata(new TimedMetadata(i * 180_000L, "stamp".getBytes(), true));
            byte[] au = new byte[400];
            au[3] = 1;
            au[4] = 0x65;
            MediaFrame key =
                    new MediaFrame(TrackType.VIDEO, i * 180_000L, i * 180_000L, true, Unpooled.wrappedBuffer(au));
            writer.writeFrame(key);
            key.release();
            ByteBuf out = writer.finishSegment();
            segments.add(out);
            List<Packet> packets = TsPackets.parse(out);
            List<Packet> pmts = pmts(packets);
            assertThat(pmts).hasSize(1);
            assertThat(declaresMetadata(pmts.get(0))).isTrue();
            assertThat(version(pmts.get(0))).isZero();
            assertThat(packets.indexOf(pmts.get(0))).as("PAT, then PMT").isEqualTo(1);
            assertThat(TsPackets.pes(packets, TsSegmentWriter.PID_METADATA)).hasSize(1);
        }
    }
}
