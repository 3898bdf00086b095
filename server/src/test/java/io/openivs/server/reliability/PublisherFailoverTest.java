package io.openivs.server.reliability;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.testing.LivePlaylistWatch;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestServer;
import io.openivs.server.testing.TwoNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.ChannelType;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.StreamState;

/**
 * Issue 19 item 3: two nodes (JVMs of their own) on one PostgreSQL database and one recording bucket (a
 * shared folder). The node a publisher streams to is killed with SIGKILL mid-stream; the publisher comes
 * back through node 2 inside the recording's reconnect window. The channel's playback URL plays on from
 * node 2 after a discontinuity, and the recording goes on in the same prefix: one recording, ended once.
 */
class PublisherFailoverTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aPublisherBackOnAnotherNodeContinuesThePlaylistAndTheRecording() throws Exception {
        List<Process> publishers = new ArrayList<>();
        String firstStream;
        try (ChildCluster nodes = ChildCluster.sharingRecordings(dir, 2, ChildCluster.quick())) {
            Path shared = nodes.bucketFolders;
            Path dirA = nodes.dataDir(1);
            Path dirB = nodes.dataDir(2);
            try (ChildServer a = nodes.node(1);
                    ChildServer b = nodes.node(2);
                    IvsClient ivsA = a.ivs();
                    IvsClient ivsB = b.ivs()) {
                String bucket = "failover";
                CreateChannelResponse ch = recordedChannel(ivsA, "failing-over", null, bucket, 90);
                String channelArn = ch.channel().arn();
                URI playbackPath = URI.create(ch.channel().playbackUrl());

                publishers.add(publisher(a.rtmpUrl(ch.streamKey().value())));
                JsonNode start = await(Duration.ofSeconds(40), () -> event(dirA, "Recording Start"));
                firstStream = start.path("detail").path("stream_id").asText();
                String prefix =
                        start.path("detail").path("recording_s3_key_prefix").asText();
                Path folder = shared.resolve(bucket).resolve(prefix);
                Path playlist = folder.resolve("media/hls/360p30/playlist.m3u8");
                await(Duration.ofSeconds(30), () -> count(read(playlist), "#EXTINF") >= 3 ? true : null);
                long highestOnA;
                try (LivePlaylistWatch onA = LivePlaylistWatch.start(on(playbackPath, a.playback))) {
                    highestOnA = onA.highest();
                }

                a.kill();
                publishers.forEach(Process::destroyForcibly);
                int recordedOnA = count(read(playlist), "#EXTINF");

                // The publisher retries through node 2 until the dead node's session is stale (7.5 s).
                String secondStream = await(Duration.ofSeconds(60), () -> {
                    String live = live(ivsB, channelArn);
                    if (live != null && !live.equals(firstStream)) {
                        return live;
                    }
                    if (publishers.stream().noneMatch(Process::isAlive)) {
                        try {
                            publishers.add(publisher(b.rtmpUrl(ch.streamKey().value())));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return null;
                });

                // Node 2's housekeeping ended the dead node's session and sent what it owed.
                await(
                        Duration.ofSeconds(20),
                        () -> streamEvents(dirB, "Stream End", firstStream).size() == 1 ? true : null);
                assertThat(streamEvents(dirB, "Session Ended", firstStream)).hasSize(1);

                // The same playback URL, served by node 2: numbering runs on after a discontinuity.
                try (LivePlaylistWatch onB = LivePlaylistWatch.start(on(playbackPath, b.playback))) {
                    await(Duration.ofSeconds(30), () -> onB.highest() > onB.lowest() + 1 ? true : null);
                    assertThat(onB.sawDiscontinuity())
                            .as("EXT-X-DISCONTINUITY at the join")
                            .isTrue();
                    assertThat(onB.lowest()).isGreaterThan(highestOnA);
                    FfmpegTool.Result probe = FfmpegTool.ffprobe(
                            "-v",
                            "error",
                            "-show_entries",
                            "stream=codec_type",
                            "-of",
                            "csv=p=0",
                            onB.segment(onB.highest()).toString());
                    assertThat(probe.exitCode()).as(probe.stderr()).isZero();
                    assertThat(probe.stdout()).contains("video");
                }

                // The recording goes on in the same prefix, after one discontinuity.
                await(Duration.ofSeconds(30), () -> count(read(playlist), "#EXTINF") >= recordedOnA + 3 ? true : null);
                publishers.forEach(Process::destroy);
                await(Duration.ofSeconds(20), () -> live(ivsB, channelArn) == null ? true : null);
                b.close(); // ends the recording without waiting out its window
                assertThat(folder.resolve("events/recording-ended.json")).exists();
                String vod = read(playlist);
                assertThat(vod).contains("#EXT-X-ENDLIST");
                assertThat(count(vod, "#EXT-X-DISCONTINUITY\n")).isEqualTo(1);
                List<String> files = vod.lines().filter(l -> l.endsWith(".ts")).toList();
                for (int i = 0; i < files.size(); i++) {
                    assertThat(files.get(i)).isEqualTo(i + ".ts");
                    assertThat(playlist.resolveSibling(files.get(i))).exists();
                }
                try (Stream<Path> all = Files.walk(shared.resolve(bucket))) {
                    assertThat(all.filter(p -> p.endsWith("recording-started.json"))
                                    .count())
                            .as("one recording")
                            .isEqualTo(1);
                }
                List<JsonNode> ends = events(dirB, "Recording End");
                assertThat(ends).hasSize(1);
                JsonNode end = ends.get(0).path("detail");
                assertThat(end.path("recording_s3_key_prefix").asText()).isEqualTo(prefix);
                List<String> streams = new ArrayList<>();
                end.path("recording_session_stream_ids").forEach(n -> streams.add(n.asText()));
                assertThat(streams).containsExactly(firstStream, secondStream);
                assertThat(events(dirB, "Recording Start")).isEmpty();
            } finally {
                publishers.forEach(Process::destroyForcibly);
            }
            // The killed node, started again, leaves the recording alone: node 2 continued and ended it.
            try (ChildServer again = nodes.startAgain(1)) {
                leftAlone(again, dirA);
                assertThat(streamEvents(dirA, "Session Ended", firstStream))
                        .as("not again from the restarted node")
                        .isEmpty();
            }
        }
    }

    /**
     * The publisher leaves node 1 cleanly and comes back through node 2 at once: node 2 continues the
     * recording, and node 1, still up, lets it go when its own window ends instead of finishing it. The
     * channel is transcoded (STANDARD, every rendition recorded): the source (360p30) and the 160p30 rung
     * each go on in their own folder, numbered on from what node 1 stored, after one discontinuity.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aRecordingTakenOverByAnotherNodeIsEndedOnceByThatNode() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("bucket-folders"));
        for (String node : List.of("a", "b")) {
            Files.createSymbolicLink(Files.createDirectories(dir.resolve(node)).resolve("recordings"), shared);
        }
        try (TwoNodes nodes = new TwoNodes(dir, c -> c.withTranscoding(new ServerConfig.Transcoding(true, 2)));
                IvsClient ivsA = nodes.a.client(TestServer.ALICE);
                IvsClient ivsB = nodes.b.client(TestServer.ALICE)) {
            String bucket = "handover";
            // A 12 s window: node 2 ends the recording 12 s after the second publish. The publisher is back on node 2
            // well inside node 1's window (0.4 s after it left, on a machine at load 8), which is all the window must
            // cover.
            CreateChannelResponse ch = recordedChannel(ivsA, "handed-over", ChannelType.STANDARD, bucket, 12);
            String key = ch.streamKey().value();
            // Each publisher is told to finish once its node has stored some of each rendition (as soon as a slow
            // machine allows, at most 12 s and 8 s), rather than running out a fixed length.
            Publishing.Stoppable firstPublisher = Publishing.startStoppable(
                    "rtmp://127.0.0.1:" + nodes.a.server().rtmpPort() + "/app/" + key, 12);
            String prefixOnA = await(Duration.ofSeconds(20), () -> {
                JsonNode started = event(dir.resolve("a"), "Recording Start");
                return started == null
                        ? null
                        : started.path("detail").path("recording_s3_key_prefix").asText();
            });
            Path recorded = shared.resolve(bucket).resolve(prefixOnA).resolve("media/hls");
            // Node 1 stored some of each rendition before the publisher left.
            for (String rendition : List.of("360p30", "160p30")) {
                Path list = recorded.resolve(rendition).resolve("playlist.m3u8");
                await(Duration.ofSeconds(30), () -> count(read(list), "#EXTINF") >= 1 ? true : null);
            }
            FfmpegTool.Result first = firstPublisher.stop();
            assertThat(first.exitCode()).as(first.stderr()).isZero();
            await(Duration.ofSeconds(20), () -> live(ivsA, ch.channel().arn()) == null ? true : null);
            int sourceOnA = count(read(recorded.resolve("360p30/playlist.m3u8")), "#EXTINF");
            int rungOnA = count(read(recorded.resolve("160p30/playlist.m3u8")), "#EXTINF");
            Publishing.Stoppable secondPublisher = Publishing.startStoppable(
                    "rtmp://127.0.0.1:" + nodes.b.server().rtmpPort() + "/app/" + key, 8);
            await(
                    Duration.ofSeconds(30),
                    () -> count(read(recorded.resolve("360p30/playlist.m3u8")), "#EXTINF") > sourceOnA
                                    && count(read(recorded.resolve("160p30/playlist.m3u8")), "#EXTINF") > rungOnA
                            ? true
                            : null);
            FfmpegTool.Result second = secondPublisher.stop();
            assertThat(second.exitCode()).as(second.stderr()).isZero();

            // Node 2 ends it when its window has passed; node 1's window ended before.
            JsonNode end = await(Duration.ofSeconds(60), () -> event(dir.resolve("b"), "Recording End"));
            // Node 1 let it go: no end sent, its journal gone (a restart would not finish it either).
            Path journals = dir.resolve("a").resolve("recording-spool").resolve("open-recordings");
            await(Duration.ofSeconds(20), () -> {
                try (Stream<Path> left = Files.list(journals)) {
                    return left.findAny().isEmpty() ? true : null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(events(dir.resolve("a"), "Recording End")).isEmpty();
            assertThat(events(dir.resolve("b"), "Recording End")).hasSize(1);
            assertThat(events(dir.resolve("b"), "Recording Start")).isEmpty();
            assertThat(end.path("detail").path("recording_session_stream_ids").size())
                    .isEqualTo(2);
            String prefix = end.path("detail").path("recording_s3_key_prefix").asText();
            assertThat(event(dir.resolve("a"), "Recording Start")
                            .path("detail")
                            .path("recording_s3_key_prefix")
                            .asText())
                    .isEqualTo(prefix);
            assertThat(prefix).isEqualTo(prefixOnA);
            for (String rendition : List.of("360p30", "160p30")) {
                Path list = recorded.resolve(rendition).resolve("playlist.m3u8");
                String vod = read(list);
                assertThat(vod).as(rendition).contains("#EXT-X-ENDLIST");
                assertThat(count(vod, "#EXT-X-DISCONTINUITY\n")).as(rendition).isEqualTo(1);
                List<String> files = vod.lines().filter(l -> l.endsWith(".ts")).toList();
                for (int i = 0; i < files.size(); i++) {
                    assertThat(files.get(i)).as(rendition).isEqualTo(i + ".ts");
                    assertThat(list.resolveSibling(files.get(i))).exists();
                }
            }
            assertThat(count(read(recorded.resolve("160p30/playlist.m3u8")), "#EXTINF"))
                    .as("the rung went on on node 2")
                    .isGreaterThan(rungOnA);
            JsonNode ended =
                    JSON.readTree(read(shared.resolve(bucket).resolve(prefix).resolve("events/recording-ended.json")));
            List<String> renditions = new ArrayList<>();
            ended.path("media")
                    .path("hls")
                    .path("renditions")
                    .forEach(r -> renditions.add(r.path("path").asText()));
            assertThat(renditions).containsExactly("360p30", "160p30");
        }
    }

    /**
     * The node recording a stream is killed and nobody publishes again: once the dead node's heartbeat is
     * stale and the recording's reconnect window has passed, the surviving node finishes the recording
     * (playlists with ENDLIST, recording-ended.json) and sends Recording End once, without waiting for the
     * dead node to start again; which, when it does, leaves it alone.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aDeadNodesRecordingNobodyContinuesIsFinishedByASurvivor() throws Exception {
        Process publisher = null;
        try (ChildCluster nodes = ChildCluster.sharingRecordings(dir, 2, ChildCluster.quick())) {
            String db = nodes.db;
            Path shared = nodes.bucketFolders;
            Path dirA = nodes.dataDir(1);
            Path dirB = nodes.dataDir(2);
            try (ChildServer a = nodes.node(1);
                    ChildServer b = nodes.node(2);
                    IvsClient ivsA = a.ivs()) {
                String bucket = "abandoned";
                CreateChannelResponse ch = recordedChannel(ivsA, "left-behind", null, bucket, 5);
                publisher = publisher(a.rtmpUrl(ch.streamKey().value()));
                JsonNode start = await(Duration.ofSeconds(40), () -> event(dirA, "Recording Start"));
                String streamId = start.path("detail").path("stream_id").asText();
                String prefix =
                        start.path("detail").path("recording_s3_key_prefix").asText();
                Path folder = shared.resolve(bucket).resolve(prefix);
                Path playlist = folder.resolve("media/hls/360p30/playlist.m3u8");
                await(Duration.ofSeconds(30), () -> count(read(playlist), "#EXTINF") >= 3 ? true : null);
                // Node 2 knows the recording (its state is in the store) before node 1 dies.
                await(Duration.ofSeconds(20), () -> openRecordings(db) == 1 ? true : null);

                a.kill();
                publisher.destroyForcibly();
                long killed = System.nanoTime();

                // Stale 5 to 7.5 s after the kill (its last beat up to 2.5 s before), window of 5 s: node 2
                // finishes it on a sweep after that.
                JsonNode end = await(Duration.ofSeconds(60), () -> event(dirB, "Recording End"));
                assertThat(System.nanoTime() - killed)
                        .as("not before the dead node's heartbeat is stale")
                        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(ChildCluster.QUICK_STALE_MS * 2 / 3));
                assertThat(end.path("detail").path("recording_s3_key_prefix").asText())
                        .isEqualTo(prefix);
                assertThat(end.path("detail").path("stream_id").asText()).isEqualTo(streamId);
                assertThat(folder.resolve("events/recording-ended.json")).exists();
                String vod = read(playlist);
                assertThat(vod).contains("#EXT-X-ENDLIST").doesNotContain("#EXT-X-DISCONTINUITY");
                List<String> files = vod.lines().filter(l -> l.endsWith(".ts")).toList();
                assertThat(files).hasSizeGreaterThanOrEqualTo(3);
                for (int i = 0; i < files.size(); i++) {
                    assertThat(files.get(i)).isEqualTo(i + ".ts");
                    assertThat(playlist.resolveSibling(files.get(i))).exists();
                }
                assertThat(folder.resolve("media/hls/master.m3u8")).exists();
                // Later sweeps (every 2.5 s) find nothing more to finish.
                Thread.sleep(ChildCluster.QUICK_STALE_MS * 4 / 5);
                assertThat(events(dirB, "Recording End")).hasSize(1);
            } finally {
                if (publisher != null) {
                    publisher.destroyForcibly();
                }
            }
            // Node 1, started again with the recording's journal, leaves it alone: node 2 finished it.
            try (ChildServer again = nodes.startAgain(1)) {
                leftAlone(again, dirA);
            }
        }
    }

    /**
     * The publisher leaves node 1, which dies within the recording's reconnect window; the publisher comes back
     * through node 2 after the window has passed but before node 1's heartbeat is stale (so before any sweep
     * could take the dead node's recording): node 2 finishes node 1's recording at once, with one Recording
     * End, and records the new stream as a new recording.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aPublisherBackAfterTheWindowFinishesTheDeadNodesRecordingOnce() throws Exception {
        Process publisher = null;
        try (ChildCluster nodes = ChildCluster.sharingRecordings(dir, 2, List.of());
                ChildServer a = nodes.node(1);
                ChildServer b = nodes.node(2);
                IvsClient ivsB = b.ivs()) {
            Path dirA = nodes.dataDir(1);
            Path dirB = nodes.dataDir(2);
            String bucket = "late-return";
            CreateChannelResponse ch = recordedChannel(ivsB, "late-return", null, bucket, 5);
            // Told to finish once node 1 has stored two segments of its recording (at most 8 s).
            Publishing.Stoppable firstPublisher =
                    Publishing.startStoppable(a.rtmpUrl(ch.streamKey().value()), 8);
            JsonNode start = await(Duration.ofSeconds(20), () -> event(dirA, "Recording Start"));
            String firstStream = start.path("detail").path("stream_id").asText();
            String prefix = start.path("detail").path("recording_s3_key_prefix").asText();
            Path recordedList =
                    nodes.bucketFolders.resolve(bucket).resolve(prefix).resolve("media/hls/360p30/playlist.m3u8");
            await(Duration.ofSeconds(20), () -> count(read(recordedList), "#EXTINF") >= 2 ? true : null);
            FfmpegTool.Result first = firstPublisher.stop();
            assertThat(first.exitCode()).as(first.stderr()).isZero();
            // The stream ended on node 1, its recording open there (and in the store) for its window.
            await(
                    Duration.ofSeconds(20),
                    () -> streamEvents(dirA, "Stream End", firstStream).size() == 1 ? true : null);
            await(Duration.ofSeconds(10), () -> openRecordings(nodes.db) == 1 ? true : null);
            a.kill();
            long killed = System.nanoTime();

            // Past the 5 s window, while node 1's heartbeat is still fresh (stale 10 to 15 s after the kill).
            Thread.sleep(5_500);
            publisher = publisher(b.rtmpUrl(ch.streamKey().value()));
            String secondStream =
                    await(Duration.ofSeconds(30), () -> live(ivsB, ch.channel().arn()));
            assertThat(secondStream).isNotEqualTo(firstStream);
            JsonNode end = await(Duration.ofSeconds(20), () -> endOf(dirB, prefix));
            assertThat(end.path("detail").path("recording_session_stream_ids").size())
                    .isEqualTo(1);
            assertThat(end.path("detail").path("stream_id").asText()).isEqualTo(firstStream);
            Path folder = nodes.bucketFolders.resolve(bucket).resolve(prefix);
            assertThat(folder.resolve("events/recording-ended.json")).exists();
            String vod = read(folder.resolve("media/hls/360p30/playlist.m3u8"));
            assertThat(vod).contains("#EXT-X-ENDLIST").doesNotContain("#EXT-X-DISCONTINUITY");
            // The new stream is a new recording, started after the old one ended.
            JsonNode started = await(Duration.ofSeconds(20), () -> event(dirB, "Recording Start"));
            assertThat(started.path("detail").path("recording_s3_key_prefix").asText())
                    .isNotEqualTo(prefix);
            assertThat(started.path("detail").path("stream_id").asText()).isEqualTo(secondStream);

            // Once node 1 is stale and sweeps have run, still the one Recording End for its recording.
            long sweepsDone = killed + TimeUnit.SECONDS.toNanos(27);
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(sweepsDone - System.nanoTime())));
            assertThat(events(dirB, "Recording End").stream()
                            .filter(e -> prefix.equals(e.path("detail")
                                    .path("recording_s3_key_prefix")
                                    .asText()))
                            .count())
                    .isEqualTo(1);
            assertThat(openRecordings(nodes.db))
                    .as("only the new recording is open")
                    .isEqualTo(1);
        } finally {
            if (publisher != null) {
                publisher.destroyForcibly();
            }
        }
    }

    /** Node {@code dataDir}'s Recording End of the recording under {@code prefix}, or null. */
    /** A node started again says its recording was continued by another node, and ends none itself. */
    private static void leftAlone(ChildServer again, Path dataDir) throws InterruptedException {
        await(
                Duration.ofSeconds(20),
                () -> again.output.stream().anyMatch(l -> l.contains("continued by another node")) ? true : null);
        assertThat(events(dataDir, "Recording End")).isEmpty();
    }

    /**
     * A NORMAL-latency channel (of {@code type}, or the default when null) recording into {@code bucket} with
     * this reconnect window, its recording configuration already ACTIVE.
     */
    private static CreateChannelResponse recordedChannel(
            IvsClient ivs, String name, ChannelType type, String bucket, int reconnectWindowSeconds)
            throws InterruptedException {
        String rc = Publishing.activeRecordingConfiguration(ivs, bucket, reconnectWindowSeconds);
        return ivs.createChannel(r -> {
            r.name(name)
                    .insecureIngest(true)
                    .latencyMode(ChannelLatencyMode.NORMAL)
                    .recordingConfigurationArn(rc);
            if (type != null) {
                r.type(type);
            }
        });
    }

    private static JsonNode endOf(Path dataDir, String prefix) {
        return events(dataDir, "Recording End").stream()
                .filter(e -> prefix.equals(
                        e.path("detail").path("recording_s3_key_prefix").asText()))
                .findFirst()
                .orElse(null);
    }

    /** Recordings in progress as the shared store knows them. */
    private static int openRecordings(String db) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db);
                java.sql.ResultSet r = c.createStatement()
                        .executeQuery("SELECT COUNT(*) FROM resources WHERE type = 'openivs-open-recording'")) {
            r.next();
            return r.getInt(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static URI on(URI playbackUrl, int port) {
        return URI.create("http://127.0.0.1:" + port + playbackUrl.getRawPath());
    }

    static Process publisher(String url) throws IOException {
        return Publishing.startLowLatency(url, 200);
    }

    static String live(IvsClient ivs, String channelArn) {
        try {
            var s = ivs.getStream(r -> r.channelArn(channelArn)).stream();
            return s.state() == StreamState.LIVE ? s.streamId() : null;
        } catch (ChannelNotBroadcastingException e) {
            return null;
        }
    }

    private static JsonNode event(Path dataDir, String name) {
        List<JsonNode> l = events(dataDir, name);
        return l.isEmpty() ? null : l.get(0);
    }

    private static List<JsonNode> events(Path dataDir, String name) {
        List<JsonNode> out = new ArrayList<>();
        Path file = dataDir.resolve("events.jsonl");
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : read(file).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode e = JSON.readTree(line);
                JsonNode d = e.path("detail");
                String n = d.has("event_name")
                        ? d.path("event_name").asText()
                        : d.path("recording_status").asText();
                if (name.equals(n)) {
                    out.add(e);
                }
            } catch (IOException e) {
                // the line being written
            }
        }
        return out;
    }

    private static List<JsonNode> streamEvents(Path dataDir, String name, String streamId) {
        return events(dataDir, name).stream()
                .filter(e -> streamId.equals(e.path("detail").path("stream_id").asText()))
                .toList();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
