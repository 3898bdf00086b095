package io.openivs.server.media.h264;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class LengthPrefixerTest {

    private static String prefix(String annexBHex) {
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(annexBHex));
        ByteBuf out = Unpooled.buffer();
        int written = LengthPrefixer.append(in, out);
        assertThat(in.readerIndex()).isZero();
        assertThat(written).isEqualTo(out.readableBytes());
        return ByteBufUtil.hexDump(out);
    }

    @Test
    void dropsDelimiterAndParameterSetsAndPrefixesTheRest() {
        // What AnnexBConverter makes of an IDR: AUD, SPS, PPS, SEI, slice.
        ByteBuf annexB = new AnnexBConverter().convert(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT,
                Unpooled.wrappedBuffer(HexFormat.of().parseHex("00000003060102" + "0000000465888421")), 4,
                AnnexBConverter.parameterSets(List.of(HexFormat.of().parseHex("6742c01eda")),
                        List.of(HexFormat.of().parseHex("68ce0fc8"))));
        ByteBuf out = Unpooled.buffer();
        LengthPrefixer.append(annexB, out);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("00000003060102" + "0000000465888421");
    }

    @Test
    void acceptsThreeByteStartCodesAndDropsTrailingZeros() {
        assertThat(prefix("000001" + "4101" + "0000" + "000001" + "0180")).isEqualTo("000000024101" + "000000020180");
    }

    @Test
    void keepsZerosInsideANalUnit() {
        assertThat(prefix("00000001" + "41000003000180")).isEqualTo("00000007" + "41000003000180");
    }

    @Test
    void parameterSetsAloneGiveNothing() {
        assertThat(prefix("0000000109f0" + "000000016742c01eda" + "0000000168ce0fc8")).isEmpty();
    }
}
