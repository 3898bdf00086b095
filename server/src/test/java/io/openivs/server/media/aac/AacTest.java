package io.openivs.server.media.aac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AacTest {

    private static AudioSpecificConfig asc(String hex) {
        return AudioSpecificConfig.parse(HexFormat.of().parseHex(hex));
    }

    @Test
    void aacLcStereo44100() {
        AudioSpecificConfig c = asc("1210");
        assertThat(c.objectType()).isEqualTo(2);
        assertThat(c.coreObjectType()).isEqualTo(2);
        assertThat(c.sampleRate()).isEqualTo(44100);
        assertThat(c.samplingFrequencyIndex()).isEqualTo(4);
        assertThat(c.channelConfiguration()).isEqualTo(2);
        assertThat(c.fitsAdts()).isTrue();
    }

    @Test
    void aacLcMono48000() {
        AudioSpecificConfig c = asc("1188");
        assertThat(c.sampleRate()).isEqualTo(48000);
        assertThat(c.channelConfiguration()).isEqualTo(1);
    }

    @Test
    void heAacSignalsSbrButAdtsCarriesTheLcCoreAtHalfRate() {
        // AOT 5, 24 kHz core, stereo, extension 48 kHz, core AOT 2.
        AudioSpecificConfig c = asc("2B118800");
        assertThat(c.objectType()).isEqualTo(5);
        assertThat(c.coreObjectType()).isEqualTo(2);
        assertThat(c.sampleRate()).isEqualTo(24000);
        assertThat(c.fitsAdts()).isTrue();
    }

    @Test
    void objectTypesBeyondAdtsProfilesAreFlagged() {
        // AOT 23 (ER AAC LD), 48 kHz, stereo.
        AudioSpecificConfig c = asc("B990");
        assertThat(c.objectType()).isEqualTo(23);
        assertThat(c.fitsAdts()).isFalse();
        assertThatThrownBy(() -> asc("12")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void adtsHeaderForLcStereo44100() {
        ByteBuf out = Unpooled.buffer();
        AdtsHeader.write(out, asc("1210"), 371);
        // frame_length 378 = 7 + 371; buffer fullness 0x7FF; one raw data block.
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("fff150802f5ffc");
    }

    @Test
    void adtsHeaderForLcMono48000() {
        ByteBuf out = Unpooled.buffer();
        AdtsHeader.write(out, asc("1188"), 100);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("fff14c400d7ffc");
    }
}
