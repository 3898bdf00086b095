package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.events.EventBus;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.ingest.IngestConnection;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.resource.Json;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A live stream's lifecycle and the hops onto its owner thread, with a publisher played by the test:
 * frames go in through the stream's protocol-neutral input; no store, socket or ffmpeg.
 */
class LiveStreamTest {
    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final BlockingQueue<IvsEvent> published = new LinkedBlockingQueue<>();
    private final EventBus bus = new EventBus(List.of(published::add));
    private final Host host = new Host();
    private final Connection connection = new Connection();
    private long now = 1_700_000_000_000L;

    private final class Host implements StreamHost {
        final AtomicInteger heartbeats = new AtomicInteger();
        final AtomicInteger beatsNow = new AtomicInteger();
        final List<Parked> parked = new CopyOnWriteArrayList<>();
        final List<LiveStream> closed = new CopyOnWriteArrayList<>();

        @Override
        public long now() {
            return now;
        }

        @Override
        public EventBus events() {
            return bus;
        }

        @Override
        public void heartbeats(LiveStream stream) {
            heartbeats.incrementAndGet();
        }

        @Override
        public void beatNow(LiveStream stream) {
            beatsNow.incrementAndGet();
        }

        @Override
        public void park(String channelArn, Parked playlists) {
            parked.add(playlists);
        }

        @Override
        public void closed(LiveStream stream) {
            closed.add(stream);
        }
    }

    private final class Connection implements IngestConnection {
        final List<String> disconnects = new CopyOnWriteArrayList<>();
        final List<Integer> batches = new CopyOnWriteArrayList<>();

        @Override
        public void disconnect(String reason) {
            disconnects.add(reason);
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public void receiveInBatches(int bytes) {
            batches.add(bytes);
        }
    }

    @AfterEach
    void stop() throws Exception {
        host.parked.forEach(Parked::release);
        bus.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private LiveStream stream(String type, String containerFormat) {
        return new LiveStream(
                host,
                "st-1",
                MediaFixtures.CHANNEL_ARN,
                "us-west-2.123456789012.channel.abcd",
                MediaFixtures.channel(type, "LOW", containerFormat));
    }

    private void onOwner(Runnable task) throws Exception {
        loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    /** Plays a publisher: configs, then {@code seconds} of 30 fps video and audio, each unit reported as taken. */
    private void publish(LiveStream s, VideoConfig video, int seconds) throws Exception {
        publish(s, video, 0, seconds);
    }

    private void publish(LiveStream s, VideoConfig video, long fromMs, int seconds) throws Exception {
        onOwner(() -> {
            s.frames().onVideoConfig(video);
            s.received(TrackType.VIDEO, fromMs, 40, false);
            s.frames().onAudioConfig(MediaFixtures.AUDIO);
            s.received(TrackType.AUDIO, fromMs, 4, false);
            for (int i = 0; i < seconds * 30 + 1 && s.accepting(); i++) {
                long ms = fromMs + Math.round(i * 1000 / 30.0);
                MediaFixtures.lend(s.frames(), MediaFixtures.frame(TrackType.VIDEO, ms * 90, i % 30 == 0));
                s.received(TrackType.VIDEO, ms, 5_000, i % 30 == 0);
                MediaFixtures.lend(s.frames(), MediaFixtures.frame(TrackType.AUDIO, ms * 90 + 90, true));
                s.received(TrackType.AUDIO, ms, 500, false);
            }
        });
    }

    /** This host transcodes nothing, so a STANDARD channel's session says first that it plays its source only. */
    private void sourceOnlyNotice() throws InterruptedException {
        IvsEvent e = published.poll(5, TimeUnit.SECONDS);
        assertThat(e).as("the transcoding-off notice").isNotNull();
        assertThat(e.eventName()).isEqualTo("Stream Failure");
        assertThat(e.detail().path("reason").asText()).contains("Transcoding is off");
    }

    private List<String> eventNames(int count) throws InterruptedException {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            IvsEvent e = published.poll(5, TimeUnit.SECONDS);
            assertThat(e).as("event " + (i + 1) + " of " + count).isNotNull();
            names.add(e.eventName());
        }
        return names;
    }

    @Test
    void aPublishedStreamIsPlayableFromItsOwnerAndParkedWhenItsPublisherDrops() throws Exception {
        LiveStream s = stream("STANDARD", "TS");
        assertThat(s.playback()).isNull(); // no owner before the publisher starts
        assertThat(s.beat()).isNull();
        onOwner(() -> s.started(connection));
        assertThat(host.heartbeats).hasValue(1);
        assertThat(s.playback().owner()).isSameAs(loop);

        publish(s, MediaFixtures.VIDEO, 4);
        sourceOnlyNotice();
        assertThat(eventNames(1)).containsExactly("Stream Start");
        assertThat(host.beatsNow).hasValue(1); // HEALTHY at once rather than at the next beat
        List<Long> listed = loop.submit(() ->
                        s.playback().segments().stream().map(Segment::sequence).toList())
                .get();
        assertThat(listed).isNotEmpty();
        assertThat(s.playback().window()).isNotNull();

        now += 2_000;
        JsonNode doc = Json.parseObject(s.beat().document());
        assertThat(doc.path("health").asText()).isEqualTo("HEALTHY");
        assertThat(doc.path("ingestConfiguration")
                        .path("video")
                        .path("videoWidth")
                        .asInt())
                .isEqualTo(854);
        assertThat(doc.path("ingestConfiguration")
                        .path("video")
                        .path("targetBitrate")
                        .asLong())
                .isPositive();

        onOwner(() -> s.closed("socket closed"));
        assertThat(host.parked).hasSize(1); // a reconnect continues the playlist
        assertThat(host.closed).containsExactly(s);
        assertThat(s.playback().ended()).isTrue();
        assertThat(s.beat()).isNull();
        List<IvsEvent> last = s.lastEvents();
        assertThat(last).extracting(IvsEvent::eventName).containsExactly("Session Ended", "Stream End");
        JsonNode end = Json.parseObject(s.lastDocument());
        assertThat(end.path("truncatedEvents").get(0).path("name").asText()).isEqualTo("Stream End");
        assertThat(end.path("health").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    void metadataAndAdBreaksHopOntoTheOwnerOnlyWhileTheStreamIsLive() throws Exception {
        LiveStream s = stream("STANDARD", "FRAGMENTED_MP4");
        assertThat(s.putMetadata("before")).isFalse();
        onOwner(() -> s.started(connection));
        publish(s, MediaFixtures.VIDEO, 1);
        assertThat(s.putMetadata("{\"q\":1}")).isTrue();
        assertThat(s.insertAdBreak("break-1", 30)).isTrue();
        sourceOnlyNotice();
        assertThat(eventNames(2)).containsExactly("Stream Start", "Ad Break Inserted");
        publish(s, MediaFixtures.VIDEO, 3);
        onOwner(() -> {}); // the hops ran before this
        List<Segment> segments = loop.submit(() -> s.playback().segments()).get();
        assertThat(segments).anySatisfy(seg -> assertThat(seg.dateRanges()).isNotEmpty());
        onOwner(() -> s.closed("gone"));
        assertThat(s.putMetadata("after")).isFalse();
        assertThat(s.insertAdBreak("break-2", 30)).isFalse();
    }

    @Test
    void aResolutionOverTheLimitIsRefusedBeforeAnyMedia() throws Exception {
        LiveStream s = stream("BASIC", "TS");
        onOwner(() -> s.started(connection));
        VideoConfig uhd =
                new VideoConfig(MediaFixtures.VIDEO.sps(), MediaFixtures.VIDEO.pps(), 3840, 2160, 100, 0, 51, 30);
        publish(s, uhd, 1);
        assertThat(s.accepting()).isFalse();
        assertThat(connection.disconnects).containsExactly("ingest resolution over the channel type's limit");
        IvsEvent breach = published.poll(5, TimeUnit.SECONDS);
        assertThat(breach.detailType()).isEqualTo(IvsEvent.LIMIT_BREACH);
        assertThat(breach.detail().path("limit_name").asText()).isEqualTo("Ingest Resolution");
        assertThat(breach.detail().path("exceeded_by").asLong()).isEqualTo(3840L * 2160 - 1920L * 1080);
        onOwner(() -> s.closed("disconnected"));
        assertThat(host.parked).isEmpty(); // refused: nothing to continue
        assertThat(s.lastEvents()).extracting(IvsEvent::eventName).containsExactly("Session Ended"); // no Stream End
        assertThat(s.hasError()).isTrue();
    }

    @Test
    void anUnsupportedCodecFailsTheStream() throws Exception {
        LiveStream s = stream("STANDARD", "TS");
        onOwner(() -> s.started(connection));
        onOwner(() -> s.unsupportedCodec("video HEVC"));
        IvsEvent failure = published.poll(5, TimeUnit.SECONDS);
        assertThat(failure.eventName()).isEqualTo("Stream Failure");
        assertThat(failure.detail().path("reason").asText())
                .isEqualTo("Unsupported codec video HEVC; IVS accepts H.264 video and AAC audio.");
        assertThat(connection.disconnects).containsExactly("unsupported codec video HEVC");
        assertThat(s.hasError()).isTrue();
    }

    @Test
    void aStopBeforeThePublisherStartsDisconnectsItAtStartAndReleasesThePlaylist() throws Exception {
        LiveStream s = stream("STANDARD", "TS");
        s.stop("StopStream");
        onOwner(() -> s.started(connection));
        assertThat(connection.disconnects).containsExactly("StopStream");
        publish(s, MediaFixtures.VIDEO, 1);
        onOwner(() -> s.closed("StopStream"));
        assertThat(host.parked).isEmpty(); // stopped, not dropped
    }

    @Test
    void receivesAreBatchedAsTheHeartbeatAllowsOnceTheGopIsKnown() throws Exception {
        LiveStream s = stream("STANDARD", "TS");
        onOwner(() -> s.started(connection));
        publish(s, MediaFixtures.VIDEO, 2);
        now += 2_000;
        s.beat();
        assertThat(connection.batches).isEmpty(); // allowed once media is seen moving from one beat to the next
        publish(s, MediaFixtures.VIDEO, 2_100, 2);
        now += 2_000;
        s.beat(); // ~1.3 Mbps: 16 KiB allowed
        publish(s, MediaFixtures.VIDEO, 4_200, 0); // the next frames apply it, between keyframes by the wall clock
        onOwner(() -> s.closed("gone"));
        assertThat(connection.batches).first().isEqualTo(16 * 1024);
    }
}
