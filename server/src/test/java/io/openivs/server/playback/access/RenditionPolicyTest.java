package io.openivs.server.playback.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.TestSegments;
import java.util.List;
import org.junit.jupiter.api.Test;

/** aws:maximum-resolution: a rendition above the token's class is not played. */
class RenditionPolicyTest {
    private static Verdict max(ResolutionClass c) {
        return new Verdict(null, "*", "?token=t", c);
    }

    @Test
    void judgedByTheShorterSideOfTheNewestSegment() {
        List<Segment> hd = List.of(
                TestSegments.segment(1, Unpooled.buffer(1), TestSegments.SD),
                TestSegments.segment(2, Unpooled.buffer(1), TestSegments.HD));
        assertThat(RenditionPolicy.admits(max(ResolutionClass.SD), hd)).isFalse();
        assertThat(RenditionPolicy.refusal(max(ResolutionClass.SD), hd).errorCode())
                .isEqualTo(AccessDenied.TOKEN);
        assertThat(RenditionPolicy.refusal(max(ResolutionClass.HD), hd)).isNull();
        assertThat(RenditionPolicy.refusal(max(null), hd)).as("no claim").isNull();
        assertThat(RenditionPolicy.admits(max(ResolutionClass.SD), hd.subList(0, 1)))
                .isTrue();
    }

    @Test
    void audioOnlyAndEmptyWindowsAreAdmitted() {
        assertThat(RenditionPolicy.admits(max(ResolutionClass.SD), List.of())).isTrue();
        assertThat(RenditionPolicy.admits(
                        max(ResolutionClass.SD), List.of(TestSegments.segment(1, Unpooled.buffer(1), null))))
                .isTrue();
    }
}
