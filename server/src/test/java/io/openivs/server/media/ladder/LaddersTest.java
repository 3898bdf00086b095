package io.openivs.server.media.ladder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LaddersTest {

    private static List<String> names(Ladder l) {
        return l.rungs().stream().map(Rung::name).toList();
    }

    @Test
    void standardFrom1080p60MakesEveryRungWith720p60() {
        Ladder l = Ladders.forInput("STANDARD", "", 1920, 1080, 60);
        assertTrue(l.source());
        assertFalse(l.audioOnly());
        assertEquals(List.of("720p60", "480p30", "360p30", "160p30"), names(l));
        assertEquals(new Rung("720p60", 1280, 720, 60, 3_400_000, 0), l.rungs().get(0));
        assertEquals(new Rung("480p30", 852, 480, 30, 1_400_000, 0), l.rungs().get(1));
        assertEquals(
                new Rung("360p30", 640, 360, 30, 630_000, 64_000), l.rungs().get(2));
        assertEquals(
                new Rung("160p30", 284, 160, 30, 230_000, 48_000), l.rungs().get(3));
    }

    @Test
    void standardFrom30fpsInputUses720p30At2400k() {
        Ladder l = Ladders.forInput("STANDARD", "", 1280, 720, 30);
        assertEquals(List.of("720p30", "480p30", "360p30", "160p30"), names(l));
        assertEquals(2_400_000, l.rungs().get(0).videoBitrate());
        assertEquals(30, l.rungs().get(0).frameRate());
        // 29.97 fps is a 30 fps input too.
        assertEquals(
                "720p30",
                Ladders.forInput("STANDARD", "", 1920, 1080, 29.97)
                        .rungs()
                        .get(0)
                        .name());
    }

    @Test
    void rungsAboveTheInputAreNotMade() {
        assertEquals(List.of("480p30", "360p30", "160p30"), names(Ladders.forInput("STANDARD", "", 854, 480, 30)));
        assertEquals(List.of("360p30", "160p30"), names(Ladders.forInput("STANDARD", "", 640, 400, 30)));
        assertEquals(List.of(), names(Ladders.forInput("STANDARD", "", 160, 120, 30)));
    }

    @Test
    void slowInputIsNotSpedUpAndAspectIsKept() {
        Ladder l = Ladders.forInput("STANDARD", "", 960, 720, 25);
        assertEquals(List.of("720p25", "480p25", "360p25", "160p25"), names(l));
        assertEquals(960, l.rungs().get(0).width());
        assertEquals(640, l.rungs().get(1).width());
        assertEquals(212, l.rungs().get(3).width());
    }

    @Test
    void advancedHdPresets() {
        Ladder higher = Ladders.forInput("ADVANCED_HD", "HIGHER_BANDWIDTH_DELIVERY", 1920, 1080, 60);
        assertFalse(higher.source());
        assertTrue(higher.audioOnly());
        assertEquals(List.of("720p60", "480p30", "360p30", "160p30"), names(higher));
        assertEquals(
                List.of(3_000_000, 1_300_000, 700_000, 270_000),
                higher.rungs().stream().map(Rung::videoBitrate).toList());
        Ladder constrained = Ladders.forInput("ADVANCED_HD", "CONSTRAINED_BANDWIDTH_DELIVERY", 1920, 1080, 30);
        assertEquals(
                List.of(1_900_000, 800_000, 400_000, 220_000),
                constrained.rungs().stream().map(Rung::videoBitrate).toList());
        // No preset: IVS's default, HIGHER_BANDWIDTH_DELIVERY.
        assertEquals(
                2_300_000,
                Ladders.forInput("ADVANCED_HD", "", 1280, 720, 30)
                        .rungs()
                        .get(0)
                        .videoBitrate());
    }

    @Test
    void advancedSdStopsAt480p() {
        Ladder l = Ladders.forInput("ADVANCED_SD", "CONSTRAINED_BANDWIDTH_DELIVERY", 1920, 1080, 60);
        assertEquals(List.of("480p30", "360p30", "160p30"), names(l));
        assertEquals(
                List.of(800_000, 400_000, 220_000),
                l.rungs().stream().map(Rung::videoBitrate).toList());
        assertTrue(l.audioOnly());
    }

    @Test
    void audioOnlyCarriesA64kbpsRungsAudio() {
        // 360p30's transcoded audio, the guide's 64 kbps.
        Ladder hd = Ladders.forInput("ADVANCED_HD", "", 1920, 1080, 30);
        assertEquals("360p30", hd.rungs().get(hd.audioOnlyRung()).name());
        assertEquals(64_000, hd.rungs().get(hd.audioOnlyRung()).audioBitrate());
        // An input below 360p: its one rung, 160p30, carries 64 kbps instead of 48 for audio_only.
        Ladder small = Ladders.forInput("ADVANCED_SD", "", 426, 240, 30);
        assertEquals(List.of("160p30"), names(small));
        assertEquals(0, small.audioOnlyRung());
        assertEquals(64_000, small.rungs().get(0).audioBitrate());
        // STANDARD lists no audio_only: its 160p30 keeps 48 kbps.
        Ladder standard = Ladders.forInput("STANDARD", "", 426, 240, 30);
        assertEquals(-1, standard.audioOnlyRung());
        assertEquals(48_000, standard.rungs().get(0).audioBitrate());
    }

    @Test
    void basicAndUnknownArePassthrough() {
        assertEquals(Ladder.PASSTHROUGH, Ladders.forInput("BASIC", "", 1920, 1080, 60));
        assertEquals(Ladder.PASSTHROUGH, Ladders.forInput("SOMETHING", "", 1920, 1080, 60));
        assertEquals(Ladder.PASSTHROUGH, Ladders.forInput("STANDARD", "", 0, 0, 0));
    }
}
