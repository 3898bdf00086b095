package io.openivs.server.media.h264;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** SPS NAL units as written by x264 (through ffmpeg's libx264) for the sizes and profiles named. */
class SpsParserTest {

    private static Sps parse(String hex) {
        return SpsParser.parse(HexFormat.of().parseHex(hex));
    }

    @Test
    void highProfile1080pIsCroppedFrom1088CodedLines() {
        Sps sps = parse("67640028acd940780227e5c044000003000400000300f03c60c658");
        assertThat(sps.profileIdc()).isEqualTo(100);
        assertThat(sps.levelIdc()).isEqualTo(40);
        assertThat(sps.chromaFormatIdc()).isEqualTo(1);
        assertThat(sps.width()).isEqualTo(1920);
        assertThat(sps.height()).isEqualTo(1080);
        assertThat(sps.frameRate()).isEqualTo(30.0);
    }

    @Test
    void mainProfile720p60() {
        Sps sps = parse("674d4020eca02802dd8088000003000800000303c078c18cb0");
        assertThat(sps.profileIdc()).isEqualTo(77);
        assertThat(sps.constraintFlags()).isEqualTo(0x40);
        assertThat(sps.levelIdc()).isEqualTo(32);
        assertThat(sps.width()).isEqualTo(1280);
        assertThat(sps.height()).isEqualTo(720);
        assertThat(sps.frameRate()).isEqualTo(60.0);
    }

    @Test
    void constrainedBaseline854x480IsCroppedOnTheRight() {
        Sps sps = parse("6742c01eda0360f79bc044000003000400000300c83c58ba80");
        assertThat(sps.profileIdc()).isEqualTo(66);
        assertThat(sps.constraintFlags()).isEqualTo(0xC0);
        assertThat(sps.width()).isEqualTo(854);
        assertThat(sps.height()).isEqualTo(480);
        assertThat(sps.frameRate()).isEqualTo(25.0);
    }

    @Test
    void high10ProfileReadsBitDepthFields() {
        Sps sps = parse("676e0028a6cb403c0113f2e022000003000200000300601e306540");
        assertThat(sps.profileIdc()).isEqualTo(110);
        assertThat(sps.width()).isEqualTo(1920);
        assertThat(sps.height()).isEqualTo(1080);
        assertThat(sps.frameRate()).isEqualTo(24.0);
    }

    @Test
    void high444CropsInFullChromaUnits() {
        Sps sps = parse("67f4001e919b281405ff138088000003000800000301e078b16cb0");
        assertThat(sps.profileIdc()).isEqualTo(244);
        assertThat(sps.chromaFormatIdc()).isEqualTo(3);
        assertThat(sps.width()).isEqualTo(640);
        assertThat(sps.height()).isEqualTo(360);
        assertThat(sps.frameRate()).isEqualTo(30.0);
    }

    @Test
    void high422() {
        Sps sps = parse("677a0020bcd9405005bb0110000003001000000640f1831960");
        assertThat(sps.profileIdc()).isEqualTo(122);
        assertThat(sps.chromaFormatIdc()).isEqualTo(2);
        assertThat(sps.width()).isEqualTo(1280);
        assertThat(sps.height()).isEqualTo(720);
        assertThat(sps.frameRate()).isEqualTo(50.0);
    }

    @Test
    void scalingListsAreSkippedIncludingTheUseDefaultShortcut() {
        // x264 keeps its matrices in the PPS, so this SPS is built by hand (H.264 7.3.2.1.1.1).
        Bits b = new Bits().u(8, 100).u(8, 0).u(8, 31).ue(0).ue(1).ue(0).ue(0).u(1, 0);
        b.u(1, 1); // seq_scaling_matrix_present_flag
        b.u(1, 1).se(8);
        for (int j = 1; j < 16; j++) {
            b.se(0); // 4x4 list 0: explicit
        }
        b.u(1, 1).se(-8); // 4x4 list 1: nextScale 0 on the first delta = use the default list
        b.u(1, 0).u(1, 0).u(1, 0).u(1, 0);
        b.u(1, 1);
        for (int j = 0; j < 64; j++) {
            b.se(j % 2 == 0 ? 3 : -2); // 8x8 intra luma: explicit
        }
        b.u(1, 0);
        b.ue(0).ue(0).ue(2).ue(1).u(1, 0).ue(79).ue(44).u(1, 1).u(1, 1).u(1, 0);
        b.u(1, 1)
                .u(1, 0)
                .u(1, 0)
                .u(1, 0)
                .u(1, 0)
                .u(1, 1)
                .u(32, 1001)
                .u(32, 60000)
                .u(1, 1);
        Sps sps = SpsParser.parse(b.nal());
        assertThat(sps.width()).isEqualTo(1280);
        assertThat(sps.height()).isEqualTo(720);
        assertThat(sps.frameRate()).isCloseTo(29.97, org.assertj.core.api.Assertions.within(0.001));
    }

    @Test
    void interlacedHeightCountsFieldPairs() {
        // 1080i: 34 map units of 32 lines, cropped by 2 units of 4 lines; no VUI.
        Bits b = new Bits()
                .u(8, 77)
                .u(8, 0x40)
                .u(8, 40)
                .ue(0)
                .ue(0)
                .ue(0)
                .ue(2)
                .ue(4)
                .u(1, 0)
                .ue(119)
                .ue(33)
                .u(1, 0)
                .u(1, 1)
                .u(1, 1)
                .u(1, 1)
                .ue(0)
                .ue(0)
                .ue(0)
                .ue(2)
                .u(1, 0);
        Sps sps = SpsParser.parse(b.nal());
        assertThat(sps.width()).isEqualTo(1920);
        assertThat(sps.height()).isEqualTo(1080);
        assertThat(sps.frameRate()).isZero();
    }

    /** Writes SPS syntax elements and wraps them as an escaped NAL unit. */
    private static final class Bits {
        private final StringBuilder bits = new StringBuilder();

        Bits u(int n, long value) {
            for (int i = n - 1; i >= 0; i--) {
                bits.append((value >> i) & 1);
            }
            return this;
        }

        Bits ue(int value) {
            String code = Long.toBinaryString(value + 1L);
            bits.append("0".repeat(code.length() - 1)).append(code);
            return this;
        }

        Bits se(int value) {
            return ue(value > 0 ? 2 * value - 1 : -2 * value);
        }

        byte[] nal() {
            bits.append('1');
            while (bits.length() % 8 != 0) {
                bits.append('0');
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(0x67);
            int zeros = 0;
            for (int i = 0; i < bits.length(); i += 8) {
                int v = Integer.parseInt(bits.substring(i, i + 8), 2);
                if (zeros >= 2 && v <= 3) {
                    out.write(3); // emulation prevention
                    zeros = 0;
                }
                out.write(v);
                zeros = v == 0 ? zeros + 1 : 0;
            }
            return out.toByteArray();
        }
    }

    @Test
    void truncatedSpsIsRejected() {
        assertThatThrownBy(() -> parse("67640028acd9")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("68ebe3cb22c0")).hasMessageContaining("not an SPS");
    }
}
