package io.openivs.server.media.h264;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AvccNormalizerTest {

    private final AvccNormalizer normalizer = new AvccNormalizer();

    private String normalize(String avccHex, int lengthSize) {
        ByteBuf in = Unpooled.wrappedBuffer(HexFormat.of().parseHex(avccHex));
        ByteBuf out = normalizer.normalize(UnpooledByteBufAllocator.DEFAULT, in, lengthSize);
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
    void fourByteLengthsWithoutParameterSetsPassAsASliceOfTheInput() {
        // SEI (3 bytes) then IDR slice (4 bytes): what x264 sends over RTMP.
        byte[] tag = HexFormat.of().parseHex("00000003" + "060102" + "00000004" + "65888421");
        ByteBuf in = Unpooled.wrappedBuffer(tag);
        ByteBuf out = normalizer.normalize(UnpooledByteBufAllocator.DEFAULT, in, 4);
        try {
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo("00000003060102" + "0000000465888421");
            assertThat(normalizer.lastWasIdr()).isTrue();
            assertThat(in.refCnt()).as("the slice holds the input").isEqualTo(2);
            tag[7] = 0x55;
            assertThat(out.getByte(7)).as("not a copy").isEqualTo((byte) 0x55);
        } finally {
            out.release();
        }
    }

    @Test
    void otherLengthSizesBecomeFourBytesAndDelimitersAreDropped() {
        assertThat(normalize("0002" + "09f0" + "0003" + "419a02", 2)).isEqualTo("00000003419a02");
        assertThat(normalizer.lastWasIdr()).isFalse();
        assertThat(normalize("02" + "6588" + "03" + "060102", 1)).isEqualTo("000000026588" + "00000003060102");
        assertThat(normalizer.lastWasIdr()).isTrue();
    }

    @Test
    void inBandParameterSetsAreTakenOutAndReported() {
        assertThat(normalize("00000005" + "6742c01eda" + "00000004" + "68ce0fc8" + "00000002" + "6588", 4))
                .isEqualTo("000000026588");
        assertThat(normalizer.inBandSps()).extracting(HexFormat.of()::formatHex).containsExactly("6742c01eda");
        assertThat(normalizer.inBandPps()).extracting(HexFormat.of()::formatHex).containsExactly("68ce0fc8");
        normalize("00000002" + "4188", 4);
        assertThat(normalizer.inBandSps()).isEmpty();
    }

    @Test
    void parameterSetsAloneGiveNothingButAreNotMalformed() {
        assertThat(normalize("00000002" + "09f0" + "00000005" + "6742c01eda", 4))
                .isNull();
        assertThat(normalizer.lastWasMalformed()).isFalse();
        assertThat(normalizer.inBandSps()).hasSize(1);
    }

    @Test
    void lengthsThatOverrunTheTagAreMalformed() {
        assertThat(normalize("00000009" + "65888421", 4)).isNull();
        assertThat(normalizer.lastWasMalformed()).isTrue();
        assertThat(normalize("000000", 4)).isNull();
        assertThat(normalizer.lastWasMalformed()).isTrue();
        assertThat(normalize("", 4)).isNull();
    }
}
