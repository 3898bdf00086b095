package io.openivs.server.media.ts;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Crc32Mpeg2Test {

    @Test
    void standardCheckValue() {
        assertThat(Crc32Mpeg2.compute("123456789".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(0x0376E6E7);
    }

    @Test
    void patForOneProgramWithPmtOn0x1000MatchesTheWellKnownBytes() {
        // The PAT that ffmpeg and most muxers write: TSID 1, program 1 -> PMT PID 0x1000, CRC 2AB104B2.
        ByteBuf pat = Unpooled.buffer();
        ProgramTables.writePat(pat);
        assertThat(ByteBufUtil.hexDump(pat)).isEqualTo("00b00d0001c100000001f0002ab104b2");
    }

    @Test
    void crcOverASectionIncludingItsCrcIsZero() {
        ByteBuf pmt = Unpooled.buffer();
        ProgramTables.writePmt(pmt, 0x100, new int[] {0x1B, 0x0F}, new int[] {0x100, 0x101}, 2);
        assertThat(Crc32Mpeg2.compute(pmt, 0, pmt.readableBytes())).isZero();
    }
}
