package io.openivs.server.media.h264;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnnexBConverterTest {

    private static final byte[] SPS = HexFormat.of().parseHex("6742c01eda");
    private static final byte[] PPS = HexFormat.of().parseHex("68ce0fc8");
    private static final byte[] PARAMETER_SETS = AnnexBConverter.parameterSets(List.of(SPS), List.of(PPS));

    private final AnnexBConverter converter = new AnnexBConverter();

    private String convert(String avccHex, int lengthSize) {
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(avccHex));
        ByteBuf out = converter.convert(UnpooledByteBufAllocator.DEFAULT, in, lengthSize, PARAMETER_SETS);
        if (out == null) {
            return null;
        }
        try {
            assertThat(in.readerIndex()).isZero();
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }

    @Test
    void idrGetsDelimiterAndParameterSetsAheadOfItsNalUnits() {
        // SEI (3 bytes) then IDR slice (4 bytes), 4-byte lengths.
        String out = convert("00000003" + "060102" + "00000004" + "65888421", 4);
        assertThat(out).isEqualTo("0000000109f0" + "000000016742c01eda" + "0000000168ce0fc8"
                + "00000001060102" + "0000000165888421");
        assertThat(converter.lastWasIdr()).isTrue();
    }

    @Test
    void nonIdrGetsOnlyTheDelimiterAndTheEncodersOwnDelimiterIsDropped() {
        String out = convert("0002" + "09f0" + "0003" + "419a02", 2);
        assertThat(out).isEqualTo("0000000109f0" + "00000001419a02");
        assertThat(converter.lastWasIdr()).isFalse();
    }

    @Test
    void idrThatCarriesItsOwnSpsIsNotGivenASecondOne() {
        String out = convert("05" + "6742c01eda" + "04" + "68ce0fc8" + "02" + "6588", 1);
        assertThat(out).isEqualTo("0000000109f0" + "000000016742c01eda" + "0000000168ce0fc8" + "000000016588");
    }

    @Test
    void lengthsThatOverrunTheTagAreRejected() {
        assertThat(convert("00000009" + "65888421", 4)).isNull();
        assertThat(convert("000000", 4)).isNull();
        assertThat(convert("", 4)).isNull();
    }
}
