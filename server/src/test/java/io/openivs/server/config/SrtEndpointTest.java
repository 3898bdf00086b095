package io.openivs.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A channel's {@code srt.endpoint} is the host an encoder dials on SRT's port 9000 (Amazon IVS API reference,
 * Srt: "the endpoint to be used when streaming with IVS using the SRT protocol"); where this server's SRT
 * listener is on another port, the endpoint names it, or the encoder would dial 9000 and find nothing.
 */
class SrtEndpointTest {

    static ServerConfig withSrtPort(int port) {
        return new ServerConfig(
                "0.0.0.0",
                "ingest.example.com",
                8080,
                8081,
                1935,
                443,
                port,
                Path.of("data"),
                "jdbc:sqlite:x",
                "us-west-2",
                ServerConfig.Quotas.defaults(),
                ServerConfig.RecordingStorage.EMBEDDED,
                ServerConfig.PlaybackAccess.NONE);
    }

    @Test
    void theDefaultPortIsLeftOutAndAnyOtherNamed() {
        assertThat(withSrtPort(9000).srtEndpoint()).isEqualTo("ingest.example.com");
        assertThat(withSrtPort(9001).srtEndpoint()).isEqualTo("ingest.example.com:9001");
    }
}
