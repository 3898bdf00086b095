package io.openivs.server.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.recording.StreamRecorder.Offered;
import io.openivs.server.recording.StreamRecorder.Selection;
import io.openivs.server.resource.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which renditions a renditionConfiguration records of what a stream plays. */
class RenditionSelectionTest {
    /** A STANDARD ladder of a 1080p30 input. */
    private static final List<Offered> STANDARD_1080 = List.of(
            new Offered(null, 1920, 1080, 30),
            new Offered("720p30", 1280, 720, 30),
            new Offered("480p30", 852, 480, 30),
            new Offered("360p30", 640, 360, 30),
            new Offered("160p30", 284, 160, 30));

    private static Selection choose(String config, String type, List<Offered> offered) {
        return RenditionSelection.choose(Json.parseObject(config), type, offered);
    }

    @Test
    void allIsTheDefaultAndRecordsEverything() {
        Selection s = choose("{}", "STANDARD", STANDARD_1080);
        assertThat(s.source()).isTrue();
        assertThat(s.rungs()).containsExactly("720p30", "480p30", "360p30", "160p30");
    }

    @Test
    void noneRecordsNoVideo() {
        Selection s = choose("{\"renditionConfiguration\":{\"renditionSelection\":\"NONE\"}}", "BASIC", STANDARD_1080);
        assertThat(s.source()).isFalse();
        assertThat(s.rungs()).isEmpty();
    }

    @Test
    void customRecordsTheClassesAskedFor() {
        Selection s = choose(
                "{\"renditionConfiguration\":{\"renditionSelection\":\"CUSTOM\",\"renditions\":[\"SD\",\"LOWEST_RESOLUTION\"]}}",
                "STANDARD",
                STANDARD_1080);
        assertThat(s.source()).isFalse();
        assertThat(s.rungs()).containsExactly("480p30", "360p30", "160p30");
        Selection full = choose(
                "{\"renditionConfiguration\":{\"renditionSelection\":\"CUSTOM\",\"renditions\":[\"FULL_HD\"]}}",
                "STANDARD",
                STANDARD_1080);
        assertThat(full.source()).isTrue();
        assertThat(full.rungs()).isEmpty();
    }

    @Test
    void aMissingClassRecordsTheBestAvailableBelowIt() {
        // A 480p input on an ADVANCED_SD channel: no HD, no FULL_HD; the tallest rung stands for them.
        List<Offered> sd = List.of(
                new Offered("480p30", 852, 480, 30),
                new Offered("360p30", 640, 360, 30),
                new Offered("160p30", 284, 160, 30));
        Selection s = choose(
                "{\"renditionConfiguration\":{\"renditionSelection\":\"CUSTOM\",\"renditions\":[\"FULL_HD\"]}}",
                "ADVANCED_SD",
                sd);
        assertThat(s.rungs()).containsExactly("480p30");
    }

    @Test
    void customHasNoEffectOnBasicChannels() {
        Selection s = choose(
                "{\"renditionConfiguration\":{\"renditionSelection\":\"CUSTOM\",\"renditions\":[\"SD\"]}}",
                "BASIC",
                List.of(new Offered(null, 1920, 1080, 30)));
        assertThat(s.source()).isTrue();
    }
}
