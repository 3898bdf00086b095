package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.resource.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The session row's JSON: what GetStream and GetStreamSession return from it. */
class SessionDocumentTest {
    private final SessionEvents events = new SessionEvents();
    private final SessionDocument document =
            new SessionDocument(MediaFixtures.channel("STANDARD", "LOW", "TS"), events);

    @Test
    void beforeAnyConfigThereIsNoIngestConfigurationAndEmptyLists() {
        JsonNode d = Json.parseObject(document.write("UNKNOWN", 0, null));
        assertThat(d.path("health").asText()).isEqualTo("UNKNOWN");
        assertThat(d.path("viewerCount").asInt()).isZero();
        assertThat(d.path("channel").path("name").asText()).isEqualTo("test-channel");
        assertThat(d.has("ingestConfiguration")).isFalse();
        assertThat(d.path("ingestConfigurations").path("videoConfigurations")).isEmpty();
        assertThat(d.path("ingestConfigurations").path("audioConfigurations")).isEmpty();
        assertThat(d.path("truncatedEvents")).isEmpty();
    }

    @Test
    void thePublishersConfigurationWithProfileNamesBitratesAndTrack0() {
        document.video(MediaFixtures.VIDEO);
        document.audio(MediaFixtures.AUDIO);
        document.encoder("Lavf61.7.100");
        JsonNode d = Json.parseObject(document.write("HEALTHY", 3, document.ingestConfiguration(2_000_000, 128_000)));
        JsonNode video = d.path("ingestConfiguration").path("video");
        assertThat(video.path("codec").asText()).isEqualTo(MediaFixtures.VIDEO.codec());
        assertThat(video.path("avcProfile").asText()).isEqualTo("Baseline");
        assertThat(video.path("avcLevel").asText()).isEqualTo("3.0");
        assertThat(video.path("videoWidth").asInt()).isEqualTo(854);
        assertThat(video.path("videoHeight").asInt()).isEqualTo(480);
        assertThat(video.path("targetFramerate").asLong()).isEqualTo(30);
        assertThat(video.path("targetBitrate").asLong()).isEqualTo(2_000_000);
        assertThat(video.path("encoder").asText()).isEqualTo("Lavf61.7.100");
        JsonNode audio = d.path("ingestConfiguration").path("audio");
        assertThat(audio.path("channels").asInt()).isEqualTo(2);
        assertThat(audio.path("sampleRate").asInt()).isEqualTo(48000);
        assertThat(audio.path("targetBitrate").asLong()).isEqualTo(128_000);

        JsonNode track =
                d.path("ingestConfigurations").path("videoConfigurations").get(0);
        assertThat(track.path("track").asText()).isEqualTo("Track0");
        assertThat(track.path("profile").asText()).isEqualTo("Baseline");
        assertThat(track.path("level").asText()).isEqualTo("3.0");
        assertThat(track.path("avcProfile").asText()).isEmpty();
        assertThat(track.path("avcLevel").asText()).isEmpty();
        assertThat(d.path("ingestConfigurations")
                        .path("audioConfigurations")
                        .get(0)
                        .path("track")
                        .asText())
                .isEqualTo("Track0");
        assertThat(d.path("viewerCount").asInt()).isEqualTo(3);
    }

    @Test
    void truncatedEventsAreNewestFirst() {
        events.add("Session Created", IvsEvent.STREAM_STATE_CHANGE, Instant.ofEpochSecond(1));
        events.add("Stream Start", IvsEvent.STREAM_STATE_CHANGE, Instant.ofEpochSecond(2));
        JsonNode d = Json.parseObject(document.write("HEALTHY", 0, null));
        assertThat(d.path("truncatedEvents").get(0).path("name").asText()).isEqualTo("Stream Start");
        assertThat(d.path("truncatedEvents").get(1).path("eventTime").asText()).isEqualTo("1970-01-01T00:00:01Z");
    }
}
