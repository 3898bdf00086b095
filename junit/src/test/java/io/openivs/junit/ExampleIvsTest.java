package io.openivs.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.OpenIvs;
import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamState;

/**
 * What a project that uses IVS writes to test against openivs inside its build: the extension starts
 * one server for the class, the AWS SDK talks to it as to IVS, and ffmpeg publishes to it.
 */
@ExtendWith(OpenIvsExtension.class)
class ExampleIvsTest {
    static IvsClient ivs;
    static OpenIvs started;

    @BeforeAll
    static void client(OpenIvs server) {
        started = server;
        ivs = IvsClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(server.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKeyId(), server.secretAccessKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void closeClient() {
        ivs.close();
    }

    @Test
    void aChannelIsCreatedWithItsStreamKeyAndListed() {
        CreateChannelResponse created = ivs.createChannel(b -> b.name("example"));
        assertThat(created.channel().arn()).startsWith("arn:aws:ivs:us-west-2:123456789012:channel/");
        assertThat(created.streamKey().value()).startsWith("sk_us-west-2_");
        assertThat(ivs.listChannels(b -> b.filterByName("example")).channels())
                .extracting(c -> c.arn())
                .contains(created.channel().arn());
        assertThatThrownBy(
                        () -> ivs.getStream(b -> b.channelArn(created.channel().arn())))
                .isInstanceOf(ChannelNotBroadcastingException.class);
    }

    @Test
    void aPublisherMakesTheChannelLive(OpenIvs server) throws Exception {
        CreateChannelResponse ch = ivs.createChannel(b -> b.name("live-example").insecureIngest(true));
        // The ffmpeg that openivs bundles (any ffmpeg or OBS would do): 6 s of test pattern and tone.
        Process publisher = FfmpegExecutables.builder(
                        FfmpegExecutables.ffmpeg(),
                        List.of(
                                "-hide_banner",
                                "-loglevel",
                                "error",
                                "-re",
                                "-f",
                                "lavfi",
                                "-i",
                                "testsrc2=size=320x180:rate=30",
                                "-f",
                                "lavfi",
                                "-i",
                                "sine",
                                "-t",
                                "6",
                                "-c:v",
                                "libx264",
                                "-preset",
                                "ultrafast",
                                "-g",
                                "30",
                                "-c:a",
                                "aac",
                                "-f",
                                "flv",
                                server.rtmpUrl(ch.streamKey().value())))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        StreamState state = null;
        while (state != StreamState.LIVE && System.nanoTime() < deadline) {
            try {
                state = ivs.getStream(b -> b.channelArn(ch.channel().arn())).stream()
                        .state();
            } catch (ChannelNotBroadcastingException notYet) {
                Thread.sleep(200);
            }
        }
        assertThat(state).isEqualTo(StreamState.LIVE);
        assertThat(publisher.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(publisher.exitValue()).isZero();
    }

    @Nested
    class InANestedClass {
        @Test
        void theSameServerIsGiven(OpenIvs server) {
            assertThat(server).isSameAs(started);
            assertThat(ivs.listChannels(b -> b.maxResults(100)).channels()).isNotEmpty();
        }
    }
}
