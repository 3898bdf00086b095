package io.openivs.server.reliability;

import static io.openivs.server.testing.Publishing.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.resource.StreamSessions;
import io.openivs.server.store.StoreKey;
import io.openivs.server.testing.LivePlaylistWatch;
import io.openivs.server.testing.OwnPostgres;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ChannelLatencyMode;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.IvsException;
import software.amazon.awssdk.services.ivs.model.StreamState;

/**
 * Issue 19 item 3: PostgreSQL (a cluster of the test's own) stops for 10 s under a node with two live
 * streams, one of them recording. Playback and recording go on without a gap; the API answers 503
 * ServiceUnavailable, which the SDK retries; writes acknowledged before, during and after are all
 * there afterwards and none is half done; a stream that ended in the outage gets its Stream End after
 * it; and the node works again by itself, without a restart.
 */
class StoreOutageTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long OUTAGE_MS = 10_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aTenSecondOutageStopsNoStreamLosesNoAcknowledgedWriteAndHealsByItself() throws Exception {
        try (OwnPostgres pg = OwnPostgres.start();
                TestServer node = new TestServer(dir, pg.url());
                IvsClient ivs =
                        node.client(TestServer.ALICE, o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))) {
            String bucket = "outage-recordings";
            String rc = Publishing.activeRecordingConfiguration(ivs, bucket, 0);
            CreateChannelResponse recorded = ivs.createChannel(b -> b.name("through-the-outage")
                    .insecureIngest(true)
                    .latencyMode(ChannelLatencyMode.NORMAL)
                    .recordingConfigurationArn(rc));
            CreateChannelResponse ending =
                    ivs.createChannel(b -> b.name("ends-in-the-outage").insecureIngest(true));
            String recordedArn = recorded.channel().arn();
            String endingArn = ending.channel().arn();
            Process a = publisher(node, recorded);
            Process b = publisher(node, ending);
            WriteLoop writes = null;
            try {
                String streamA = await(Duration.ofSeconds(30), () -> live(ivs, recordedArn));
                String streamB = await(Duration.ofSeconds(30), () -> live(ivs, endingArn));
                JsonNode recordingStart = await(Duration.ofSeconds(30), () -> event(streamA, "Recording Start"));
                String prefix = recordingStart
                        .path("detail")
                        .path("recording_s3_key_prefix")
                        .asText();
                try (LivePlaylistWatch watch =
                        LivePlaylistWatch.start(URI.create(recorded.channel().playbackUrl()))) {
                    writes = WriteLoop.start(ivs);
                    WriteLoop started = writes;
                    await(Duration.ofSeconds(20), () -> started.acknowledged.size() >= 3 ? true : null);

                    pg.stopImmediately();
                    long outageStart = System.nanoTime();
                    long highestBefore = watch.highest();
                    IvsClient retrying = node.client(TestServer.ALICE, o -> o.addExecutionInterceptor(attemptsCounter));
                    CompletableFuture<IvsException> read = CompletableFuture.supplyAsync(
                            () -> refusal(() -> ivs.getChannel(r -> r.arn(recordedArn))), Publishing.background);
                    CompletableFuture<IvsException> write = CompletableFuture.supplyAsync(
                            () -> refusal(() -> ivs.createChannel(r -> r.name("in-the-outage"))),
                            Publishing.background);
                    CompletableFuture<Object> retried = CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return retrying.getChannel(r -> r.arn(recordedArn));
                                } catch (IvsException e) {
                                    return e;
                                }
                            },
                            Publishing.background);
                    b.destroy(); // a stream that ends while its end cannot be written

                    for (IvsException refused :
                            List.of(read.get(30, TimeUnit.SECONDS), write.get(30, TimeUnit.SECONDS))) {
                        assertThat(refused.statusCode()).isEqualTo(503);
                        assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("ServiceUnavailable");
                        assertThat(refused.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amzn-ErrorType"))
                                .contains("ServiceUnavailable");
                        assertThat(refused.awsErrorDetails().errorMessage()).contains("temporarily unavailable");
                        assertThat(refused.requestId()).isNotBlank();
                    }
                    sleepUntil(outageStart + TimeUnit.MILLISECONDS.toNanos(OUTAGE_MS));
                    long highestInOutage = watch.highest();
                    assertThat(a.isAlive()).as("the publisher stays connected").isTrue();
                    pg.startServer();

                    // The SDK retried the 503s: either it outlasted the outage or it gave up with the 503.
                    Object outcome = retried.get(60, TimeUnit.SECONDS);
                    assertThat(attempts.get()).as("SDK attempts").isGreaterThan(1);
                    if (outcome instanceof IvsException e) {
                        assertThat(e.statusCode()).isEqualTo(503);
                    }
                    retrying.close();

                    // Everything resumes by itself: new writes work.
                    String after = await(
                            Duration.ofSeconds(30),
                            () -> ivs.createChannel(r -> r.name("after-outage"))
                                    .channel()
                                    .arn());
                    assertThat(ivs.getChannel(r -> r.arn(after)).channel().name())
                            .isEqualTo("after-outage");
                    writes.stopAndWait();
                    assertThat(writes.unexpected).as("only 200 or 503").isEmpty();
                    assertThat(writes.refused.get())
                            .as("writes refused in the outage")
                            .isPositive();

                    // Playback went on through the outage without a gap or a join.
                    assertThat(highestInOutage - highestBefore)
                            .as("segments listed during the 10 s outage")
                            .isGreaterThanOrEqualTo(3);
                    await(Duration.ofSeconds(20), () -> watch.highest() > highestInOutage + 1 ? true : null);
                    assertThat(watch.failures())
                            .as("playlist reloads that failed")
                            .isEmpty();
                    assertThat(watch.missing())
                            .as("segment numbers never listed")
                            .isEmpty();
                    assertThat(watch.sawDiscontinuity()).isFalse();
                    FfmpegTool.Result probe = FfmpegTool.ffprobe(
                            "-v",
                            "error",
                            "-show_entries",
                            "stream=codec_type",
                            "-of",
                            "csv=p=0",
                            watch.segment(highestInOutage).toString());
                    assertThat(probe.exitCode()).as(probe.stderr()).isZero();
                    assertThat(probe.stdout()).contains("video").contains("audio");

                    // The stream that stayed is the same session, still LIVE; the one that left is ended, with its
                    // events.
                    assertThat(await(Duration.ofSeconds(20), () -> live(ivs, recordedArn)))
                            .isEqualTo(streamA);
                    await(Duration.ofSeconds(30), () -> event(streamB, "Stream End"));
                    assertThat(events(streamB, "Session Ended")).hasSize(1);
                    assertThatThrownBy(() -> ivs.getStream(r -> r.channelArn(endingArn)))
                            .isInstanceOf(ChannelNotBroadcastingException.class);

                    // Every acknowledged write is in the store, and every channel there is whole.
                    Set<String> listed = new HashSet<>();
                    List<software.amazon.awssdk.services.ivs.model.ChannelSummary> channels = new ArrayList<>();
                    ivs.listChannelsPaginator(r -> r.maxResults(100)).forEach(p -> channels.addAll(p.channels()));
                    channels.forEach(c -> listed.add(c.arn()));
                    assertThat(listed).containsAll(writes.acknowledged);
                    channels.stream()
                            .filter(c -> c.name().startsWith("w-"))
                            .forEach(c -> assertThat(ivs.listStreamKeys(r -> r.channelArn(c.arn()))
                                            .streamKeys())
                                    .as("stream key of %s", c.name())
                                    .hasSize(1));
                    long lastSeen = watch.highest();
                    long firstSeen = watch.lowest();

                    // The recording has every segment, without a discontinuity.
                    a.destroy();
                    await(Duration.ofSeconds(60), () -> event(streamA, "Recording End"));
                    Path folder = dir.resolve("recordings").resolve(bucket).resolve(prefix);
                    String vod = Files.readString(folder.resolve("media/hls/360p30/playlist.m3u8"));
                    assertThat(vod).contains("#EXT-X-ENDLIST").doesNotContain("#EXT-X-DISCONTINUITY");
                    List<String> files =
                            vod.lines().filter(l -> l.endsWith(".ts")).toList();
                    assertThat((long) files.size())
                            .as("recorded segments against those seen live")
                            .isGreaterThanOrEqualTo(lastSeen - firstSeen + 1);
                    for (int i = 0; i < files.size(); i++) {
                        assertThat(files.get(i)).isEqualTo(i + ".ts");
                        assertThat(folder.resolve("media/hls/360p30").resolve(files.get(i)))
                                .exists();
                    }
                    assertThat(events(streamA, "Recording End")).hasSize(1);
                }
            } finally {
                if (writes != null) {
                    writes.stopAndWait();
                }
                a.destroyForcibly();
                b.destroyForcibly();
            }
        }
    }

    private final AtomicInteger attempts = new AtomicInteger();

    /**
     * An outage longer than the stale period (15 s) leaves every heartbeat older than that when the store
     * comes back; housekeeping must not take that for a dead node and end the streams still live.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void anOutageLongerThanTheStalePeriodEndsNoLiveStream() throws Exception {
        try (OwnPostgres pg = OwnPostgres.start();
                TestServer node = new TestServer(dir, pg.url());
                IvsClient ivs = node.client(TestServer.ALICE)) {
            CreateChannelResponse ch = ivs.createChannel(
                    b -> b.name("long-outage").insecureIngest(true).latencyMode(ChannelLatencyMode.NORMAL));
            Process publisher = publisher(node, ch);
            try {
                String stream = await(
                        Duration.ofSeconds(30), () -> live(ivs, ch.channel().arn()));
                try (LivePlaylistWatch watch =
                        LivePlaylistWatch.start(URI.create(ch.channel().playbackUrl()))) {
                    pg.stopImmediately();
                    Thread.sleep(18_000);
                    pg.startServer();
                    long afterOutage = watch.highest();
                    // Two sweeps' worth (5 s each) after the store is back: the stream still plays, same session.
                    await(Duration.ofSeconds(30), () -> watch.highest() >= afterOutage + 6 ? true : null);
                    assertThat(publisher.isAlive()).isTrue();
                    assertThat(live(ivs, ch.channel().arn())).isEqualTo(stream);
                    assertThat(watch.missing()).isEmpty();
                    assertThat(watch.sawDiscontinuity()).isFalse();
                }
            } finally {
                publisher.destroyForcibly();
            }
        }
    }

    /**
     * Two nodes, the publisher on the first: a viewer of the second (an edge relaying the first) plays on
     * through a 10 s outage, since the edge keeps the owners it last read while the store is unreachable.
     * Its viewer count, written with its heartbeat, fails quietly and is there again afterwards.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void anEdgeRelaysALiveStreamThroughTheOutage() throws Exception {
        // Nodes on one database share its store key (README, "How to run a cluster").
        String storeKey = StoreKey.random().toBase64();
        try (OwnPostgres pg = OwnPostgres.start();
                TestServer owner = new TestServer(dir.resolve("owner"), pg.url(), c -> c.withStoreKey(storeKey));
                TestServer edge = new TestServer(dir.resolve("edge"), pg.url(), c -> c.withStoreKey(storeKey));
                IvsClient ivs = owner.client(TestServer.ALICE)) {
            CreateChannelResponse ch = ivs.createChannel(
                    b -> b.name("edge-outage").insecureIngest(true).latencyMode(ChannelLatencyMode.NORMAL));
            Process publisher = publisher(owner, ch);
            try {
                String stream = await(
                        Duration.ofSeconds(30), () -> live(ivs, ch.channel().arn()));
                URI onEdge = URI.create(ch.channel()
                        .playbackUrl()
                        .replaceFirst(
                                "://[^/]+", "://127.0.0.1:" + edge.server().playbackPort()));
                try (LivePlaylistWatch watch = LivePlaylistWatch.startFetching(onEdge)) {
                    // The edge's viewer reaches GetStream through the edge's heartbeat (every 5 s).
                    await(
                            Duration.ofSeconds(30),
                            () -> viewers(ivs, ch.channel().arn()) >= 1 ? true : null);
                    // The live window is full and slides: the media sequence moves with every new segment.
                    long firstSequence = watch.mediaSequence();
                    await(Duration.ofSeconds(60), () -> watch.mediaSequence() > firstSequence ? true : null);
                    long sequenceBefore = watch.mediaSequence();
                    long highestBefore = watch.highest();

                    pg.stopImmediately();
                    long outageStart = System.nanoTime();
                    Thread.sleep(OUTAGE_MS);
                    long highestInOutage = watch.highest();
                    long sequenceInOutage = watch.mediaSequence();
                    pg.startServer();

                    assertThat(highestInOutage - highestBefore)
                            .as("segments the edge listed during the outage")
                            .isGreaterThanOrEqualTo(3);
                    assertThat(sequenceInOutage).isGreaterThan(sequenceBefore);
                    await(Duration.ofSeconds(20), () -> watch.highest() > highestInOutage + 1 ? true : null);
                    assertThat(watch.failures())
                            .as("playlist reloads and segment downloads through the edge that failed")
                            .isEmpty();
                    assertThat(watch.missing()).isEmpty();
                    assertThat(watch.mediaSequenceWentBack()).isEmpty();
                    assertThat(watch.sawDiscontinuity()).isFalse();
                    // The same session, once the owner's next heartbeat is in (GetStream lists a session whose
                    // heartbeat is fresh, and the outage plus a slow restart can outlast that).
                    assertThat(await(
                                    Duration.ofSeconds(20),
                                    () -> live(ivs, ch.channel().arn())))
                            .isEqualTo(stream);

                    // The edge's heartbeat writes its viewers again (the owner has no viewer of its own): counted
                    // once the count written before the outage is past the stale period. That count's heartbeat time
                    // is before the store stopped, so it is out 15 s after; a second more for millisecond rounding.
                    // Whatever counts then was written by a heartbeat that began in the outage or after it.
                    sleepUntil(outageStart + TimeUnit.MILLISECONDS.toNanos(StreamSessions.STALE_MS + 1_000));
                    await(
                            Duration.ofSeconds(30),
                            () -> viewers(ivs, ch.channel().arn()) >= 1 ? true : null);
                }
            } finally {
                publisher.destroyForcibly();
            }
        }
    }

    private static long viewers(IvsClient ivs, String channelArn) {
        try {
            return ivs.getStream(r -> r.channelArn(channelArn)).stream().viewerCount();
        } catch (IvsException e) {
            return -1;
        }
    }

    /** Counts every attempt the SDK makes, retries included. */
    private final ExecutionInterceptor attemptsCounter = new ExecutionInterceptor() {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            attempts.incrementAndGet();
        }
    };

    private static Process publisher(TestServer node, CreateChannelResponse ch) throws IOException {
        String url = "rtmp://127.0.0.1:" + node.server().rtmpPort() + "/app/"
                + ch.streamKey().value();
        return Publishing.startLowLatency(url, 200);
    }

    /** The channel's stream id while LIVE, else null. */
    private static String live(IvsClient ivs, String channelArn) {
        try {
            var s = ivs.getStream(r -> r.channelArn(channelArn)).stream();
            return s.state() == StreamState.LIVE ? s.streamId() : null;
        } catch (ChannelNotBroadcastingException e) {
            return null;
        }
    }

    private static IvsException refusal(Runnable call) {
        try {
            call.run();
        } catch (IvsException e) {
            return e;
        }
        throw new AssertionError("answered during the outage");
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** CreateChannel calls without retries, one after the other, each outcome kept. */
    private static final class WriteLoop {
        final List<String> acknowledged = new CopyOnWriteArrayList<>();
        final List<String> unexpected = new CopyOnWriteArrayList<>();
        final AtomicInteger refused = new AtomicInteger();
        private volatile boolean running = true;
        private CompletableFuture<Void> done;

        static WriteLoop start(IvsClient ivs) {
            WriteLoop w = new WriteLoop();
            w.done = CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; w.running; i++) {
                            String name = "w-" + i;
                            try {
                                w.acknowledged.add(ivs.createChannel(r -> r.name(name))
                                        .channel()
                                        .arn());
                            } catch (IvsException e) {
                                if (e.statusCode() == 503
                                        && "ServiceUnavailable"
                                                .equals(e.awsErrorDetails().errorCode())) {
                                    w.refused.incrementAndGet();
                                } else {
                                    w.unexpected.add(name + ": " + e);
                                }
                            } catch (RuntimeException e) {
                                w.unexpected.add(name + ": " + e);
                            }
                            try {
                                Thread.sleep(250);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    Publishing.background);
            return w;
        }

        void stopAndWait() throws Exception {
            running = false;
            done.get(60, TimeUnit.SECONDS);
        }
    }

    private JsonNode event(String streamId, String name) {
        List<JsonNode> l = events(streamId, name);
        return l.isEmpty() ? null : l.get(0);
    }

    private List<JsonNode> events(String streamId, String name) {
        List<JsonNode> out = new ArrayList<>();
        Path file = dir.resolve("events.jsonl");
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode e = JSON.readTree(line);
                JsonNode d = e.path("detail");
                String n = d.has("event_name")
                        ? d.path("event_name").asText()
                        : d.path("recording_status").asText();
                if (streamId.equals(d.path("stream_id").asText()) && name.equals(n)) {
                    out.add(e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
