package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.media.ladder.Ladder;
import io.openivs.server.media.ladder.Ladders;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranscodeCommandTest {
    private static final List<String> OUT =
            List.of("unix:/t/r0.sock", "unix:/t/r1.sock", "unix:/t/r2.sock", "unix:/t/r3.sock");

    @Test
    void oneDecodeOneEncodePerRungCuttingAndTimedAsTheSource() {
        Ladder l = Ladders.forInput("STANDARD", "", 1920, 1080, 60);
        List<String> a = TranscodeCommand.args(l, 60, true, OUT);
        assertThat(Collections.frequency(a, "-i")).isOne();
        assertThat(a).contains("-copyts");
        assertThat(String.join(" ", a))
                .contains("[0:v]split=4[s0][s1][s2][s3]")
                .contains("[s0]scale=1280:720[v0]") // 720p60 keeps 60 fps
                .contains("[s1]scale=852:480,select='eq(pict_type\\,I)+not(mod(n\\,2))'[v1]"); // the others halve it
        assertThat(Collections.frequency(a, "libx264")).isEqualTo(4);
        assertThat(Collections.frequency(a, "source")).isEqualTo(4); // -force_key_frames source per rung
        assertThat(Collections.frequency(a, "-mpegts_copyts")).isEqualTo(4);
        assertThat(a).containsSubsequence("-b:v", "3400k", "-maxrate", "3400k");
        assertThat(a).containsSubsequence("[v2]", "-c:a", "aac", "-b:a", "64k", "unix:/t/r2.sock");
        assertThat(a).containsSubsequence("[v3]", "-c:a", "aac", "-b:a", "48k", "unix:/t/r3.sock");
        assertThat(a).containsSubsequence("[v0]", "-c:a", "copy", "unix:/t/r0.sock");
        assertThat(a.get(a.size() - 1)).isEqualTo("unix:/t/r3.sock");
    }

    @Test
    void withoutAudioNoAudioIsMapped() {
        Ladder l = Ladders.forInput("STANDARD", "", 640, 360, 30);
        List<String> a = TranscodeCommand.args(l, 30, false, OUT.subList(0, 2));
        assertThat(a).doesNotContain("-c:a").doesNotContain("0:a:0?");
        assertThat(String.join(" ", a)).doesNotContain("select");
    }

    @Test
    void oneOutputPerRung() {
        Ladder l = Ladders.forInput("STANDARD", "", 640, 360, 30);
        assertThatThrownBy(() -> TranscodeCommand.args(l, 30, true, OUT)).isInstanceOf(IllegalArgumentException.class);
    }
}
