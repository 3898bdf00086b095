package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.TestServer;
import io.openivs.server.testing.TwoNodes;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL database: ffmpeg publishes to node A, PutMetadata and InsertAdBreak
 * go to node B, and A's segments and playlist carry them (relayed through the store, taken at A's
 * next heartbeat).
 */
class LiveMetadataClusterTest {
    @TempDir
    Path dir;

    TwoNodes nodes;

    @BeforeEach
    void start() throws Exception {
        nodes = new TwoNodes(dir);
    }

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    private static io.openivs.client.IvsClient client(TestServer node) {
        return io.openivs.client.IvsClient.builder()
                .region(TestServer.REGION)
                .endpoint(node.endpoint())
                .credentials(TestServer.ALICE.accessKeyId(), TestServer.ALICE.secretKey())
                .build();
    }

    @Test
    void metadataAndAdBreaksSentToAnotherNodeReachTheOwner() throws Exception {
        io.openivs.client.IvsClient onA = client(nodes.a);
        io.openivs.client.IvsClient onB = client(nodes.b);
        String ad = onA.createAdConfiguration(r -> r.name("ads")
                        .mediaTailorPlaybackConfigurations(
                                List.of(io.openivs.client.model.MediaTailorPlaybackConfiguration.builder()
                                        .playbackConfigurationArn(
                                                "arn:aws:mediatailor:us-west-2:111111111111:playbackConfiguration/demo")
                                        .build())))
                .adConfiguration()
                .arn();
        var created =
                onA.createChannel(r -> r.name("relay").insecureIngest(true).adConfigurationArn(ad));
        String arn = created.channel().arn();
        CompletableFuture<FfmpegTool.Result> feed =
                LiveMetadataTest.publish(nodes.a, created.streamKey().value(), 30);
        URI media = LiveMetadataTest.mediaPlaylist(created.channel().playbackUrl());

        onB.putMetadata(r -> r.channelArn(arn).metadata("via node B"));
        long asked = System.currentTimeMillis();
        String id =
                onB.insertAdBreak(r -> r.channelArn(arn).durationSeconds(20)).adBreakId();
        // The running break is known to every node.
        io.openivs.client.model.IvsException conflict = catchThrowableOfType(
                io.openivs.client.model.IvsException.class,
                () -> onA.insertAdBreak(r -> r.channelArn(arn).durationSeconds(10)));
        assertThat(conflict.errorCode()).isEqualTo("ConflictException");

        assertThat(LiveMetadataTest.id3TextsUntil(media, Set.of("via node B"), Duration.ofSeconds(15), dir))
                .contains("via node B");
        Matcher m = LiveMetadataTest.adBreakTag(media, id, Duration.ofSeconds(10));
        assertThat(m.group(2)).isEqualTo("20.000");
        // Within a heartbeat (2 s) of the request, plus a loaded machine's slack.
        assertThat(java.time.Instant.parse(m.group(1)).toEpochMilli()).isBetween(asked - 5_000, asked + 6_000);
        LiveMetadataTest.assertSpliceOut(m.group(3), 20);

        onB.stopStream(r -> r.channelArn(arn));
        feed.get(10, TimeUnit.SECONDS);
    }
}
