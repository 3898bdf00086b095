package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.hls.LatencyMode;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.playback.PlaybackWindowAccess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a stream decides on its ladder, and how transcoded renditions are listed beside the source. */
class TranscodedLadderTest {
    private long now = 1_700_000_000_000L;
    private final DefaultEventExecutor owner = new DefaultEventExecutor();
    private final Renditions renditions = new Renditions(
            "us-west-2.123456789012.channel.abcd",
            false,
            LatencyMode.NORMAL,
            () -> now,
            new StreamHealth(() -> now),
            segment -> {});
    private final List<String> notices = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        if (!renditions.ended()) {
            renditions.end(false);
        }
        owner.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    private TranscodedLadder ladder(String type, TranscodeSlots slots) {
        TranscodedLadder l = new TranscodedLadder(
                renditions,
                "st-test",
                type,
                "",
                slots,
                (why, overCap) -> notices.add((overCap ? "cap: " : "off: ") + why));
        renditions.attach(l);
        renditions.start(owner);
        renditions.onVideoConfig(MediaFixtures.VIDEO);
        renditions.onAudioConfig(MediaFixtures.AUDIO);
        return l;
    }

    @Test
    void overTheCapTheStreamPlaysItsSourceOnlyAndSaysSo() {
        TranscodeSlots full = new TranscodeSlots(true, 0);
        TranscodedLadder l = ladder("STANDARD", full);
        assertThat(l.transcoder()).isNull();
        assertThat(notices).singleElement().asString().startsWith("cap: ").contains("at most 0 streams");
        MediaFixtures.feed(renditions, 0, 30 * 3 + 1);
        assertThat(master()).doesNotContain("chunked").contains("live.m3u8");
        assertThat(full.used()).isZero();
    }

    @Test
    void transcodingOffPlaysTheSourceWithAWarning() {
        TranscodedLadder l = ladder("ADVANCED_HD", TranscodeSlots.OFF);
        assertThat(l.transcoder()).isNull();
        assertThat(notices).singleElement().asString().startsWith("off: ").contains("Transcoding is off");
    }

    @Test
    void basicChannelsAreNeverTranscodedNorWarnedAbout() {
        TranscodedLadder l = ladder("BASIC", new TranscodeSlots(true, 2));
        assertThat(l.transcoder()).isNull();
        assertThat(notices).isEmpty();
    }

    @Test
    void rungsAreListedInLadderOrderWithTheSourceAsChunkedAndReplacedWhole() {
        renditions.start(owner);
        renditions.onVideoConfig(MediaFixtures.VIDEO);
        renditions.onAudioConfig(MediaFixtures.AUDIO);
        MediaFixtures.feed(renditions, 0, 30 * 3 + 1);
        long first = renditions.main().segments().get(0).sequence();
        // 160p first, then 360p: the master still lists 360p before 160p.
        Rendition low = renditions.newRung("160p30", first, 0, false);
        feed(low, 0, 30 * 3 + 1);
        renditions.listRung("160p30", 1, low);
        Rendition mid = renditions.newRung("360p30", first, 0, false);
        feed(mid, 0, 30 * 3 + 1);
        renditions.listRung("360p30", 0, mid);
        renditions.rungsFed();
        String master = master();
        assertThat(master).contains("NAME=\"chunked\"");
        assertThat(master.indexOf("NAME=\"chunked\"")).isLessThan(master.indexOf("NAME=\"360p30\""));
        assertThat(master.indexOf("NAME=\"360p30\"")).isLessThan(master.indexOf("NAME=\"160p30\""));
        assertThat(master).contains("/360p30/live.m3u8").contains("/160p30/live.m3u8");
        // Same numbers as the source for the same instants; served by name, not from the source's window.
        assertThat(renditions.rung("360p30").segments().get(0).sequence()).isEqualTo(first);
        assertThat(renditions.rung("360p30").window()).isNull();
        assertThat(renditions.main().rendition("160p30")).isSameAs(low);
        assertThat(renditions.main().rendition("720p30")).isNull();
        // A restarted transcoder's rung replaces the old rendition, which is released.
        Rendition again = renditions.newRung("360p30", first + 5, 1, false);
        renditions.listRung("360p30", 0, again);
        assertThat(renditions.rung("360p30")).isSameAs(again);
        assertThat(mid.segments()).isEmpty();
    }

    @Test
    void aTokenCappedAtSdSeesTheRungsWithinItOnly() {
        VideoConfig hd =
                new VideoConfig(MediaFixtures.VIDEO.sps(), MediaFixtures.VIDEO.pps(), 1280, 720, 66, 0xC0, 31, 30);
        renditions.start(owner);
        renditions.onVideoConfig(hd);
        renditions.onAudioConfig(MediaFixtures.AUDIO);
        MediaFixtures.feed(renditions, 0, 30 * 3 + 1);
        long first = renditions.main().segments().get(0).sequence();
        Rendition r720 = renditions.newRung("720p30", first, 0, false);
        feed(r720, hd, 0, 30 * 3 + 1);
        renditions.listRung("720p30", 0, r720);
        Rendition r480 = renditions.newRung("480p30", first, 0, false);
        feed(r480, MediaFixtures.VIDEO, 0, 30 * 3 + 1);
        renditions.listRung("480p30", 1, r480);
        renditions.rungsFed();
        String sd = PlaybackWindowAccess.master(renditions.main().window(), "SD");
        assertThat(sd)
                .contains("NAME=\"480p30\"")
                .doesNotContain("720p30")
                .doesNotContain("chunked")
                .contains("/480p30/live.m3u8?token=t");
        String hdMaster = PlaybackWindowAccess.master(renditions.main().window(), "HD");
        assertThat(hdMaster)
                .contains("NAME=\"chunked\"")
                .contains("NAME=\"720p30\"")
                .contains("NAME=\"480p30\"");
    }

    @Test
    void atSessionEndARungListsItsOpenSegmentAsTheSourceDoes() throws Exception {
        TranscodedLadder l = ladder("STANDARD", new TranscodeSlots(true, 1));
        // The rung's frames come from this test, not from an ffmpeg child: none starts once the transcoder is closed.
        l.transcoder().close();
        String rung = l.transcoder().ladder().rungs().get(0).name();
        MediaFixtures.feed(renditions, 0, 30 * 3 + 1);
        long first = renditions.main().segments().get(0).sequence();
        // The rung's output, as far as 3 s: segment first (0 to 2 s) finished, first + 1 open since 2 s.
        l.videoConfig(1, 0, MediaFixtures.VIDEO);
        l.audioConfig(1, 0, MediaFixtures.AUDIO);
        List<MediaFrame> frames = new ArrayList<>();
        for (int i = 0; i < 30 * 3; i++) {
            long dts = Math.round(i * 1000 / 30.0) * 90;
            frames.add(MediaFixtures.frame(TrackType.VIDEO, dts, i % 30 == 0));
            frames.add(MediaFixtures.frame(TrackType.AUDIO, dts + 90, true));
        }
        l.frames(1, 0, frames);
        owner.submit(() -> {}).sync();
        assertThat(renditions.rung(rung).segments())
                .extracting(Segment::sequence)
                .containsExactly(first);

        owner.submit(renditions::finish).sync();
        List<Segment> listed = renditions.rung(rung).segments();
        assertThat(listed).extracting(Segment::sequence).containsExactly(first, first + 1);
        assertThat(listed.get(1).durationSeconds()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(renditions.main().segments()).extracting(Segment::sequence).contains(first + 1);
    }

    private static void feed(Rendition r, int from, int to) {
        feed(r, MediaFixtures.VIDEO, from, to);
    }

    private static void feed(Rendition r, VideoConfig config, int from, int to) {
        r.onVideoConfig(config);
        r.onAudioConfig(MediaFixtures.AUDIO);
        for (int i = from; i < to; i++) {
            long dts = Math.round(i * 1000 / 30.0) * 90;
            MediaFrame v = MediaFixtures.frame(TrackType.VIDEO, dts, i % 30 == 0);
            MediaFixtures.lend(r, v);
        }
    }

    private String master() {
        return PlaybackWindowAccess.master(renditions.main().window());
    }
}
