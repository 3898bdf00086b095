package io.openivs.server.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.resource.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a recording left behind by a killed process tells the next start, transcoded renditions included. */
class RecordingJournalTest {
    @TempDir
    Path spool;

    @Test
    void aJournalGivesBackTheSourceAndEachRungWithTheirStoredSegments() {
        var header = Json.object().put("recordingId", "rec1");
        header.putArray("streamIds").add("st-a");
        RecordingJournal j = RecordingJournal.create(spool, "rec1", header);
        Rendition r480 = new Rendition("480p30", 852, 480, 30, "avc1.4D401F,mp4a.40.2");
        j.stored(new VodPlaylists.Entry(0, 180_000, 1_000L, false, 100), null);
        j.rung(r480);
        j.stored(new VodPlaylists.Entry(0, 180_000, 3_000L, false, 50), "480p30");
        j.stored(new VodPlaylists.Entry(1, 180_000, 3_000L, false, 120), null);
        j.joined("st-b");
        j.stored(new VodPlaylists.Entry(1, 180_000, 5_000L, true, 60), "480p30");
        j.stored(new VodPlaylists.Entry(2, 90_000, 7_000L, false, 70), "160p30"); // never declared: left out

        List<RecordingJournal.Orphan> orphans = RecordingJournal.orphans(spool);
        assertThat(orphans).hasSize(1);
        RecordingJournal.Orphan o = orphans.get(0);
        assertThat(o.streamIds()).containsExactly("st-a", "st-b");
        assertThat(o.entries()).extracting(VodPlaylists.Entry::size).containsExactly(100, 120);
        assertThat(o.rungs()).containsOnlyKeys(r480);
        assertThat(o.rungs().get(r480))
                .extracting(VodPlaylists.Entry::size, VodPlaylists.Entry::discontinuity)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(50, false), org.assertj.core.groups.Tuple.tuple(60, true));
        j.delete();
        assertThat(RecordingJournal.orphans(spool)).isEmpty();
    }
}
