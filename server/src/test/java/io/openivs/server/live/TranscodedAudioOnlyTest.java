package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.hls.LatencyMode;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.playback.LiveRendition;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An ADVANCED channel's audio_only rendition: the source's audio remuxed until the transcoder's
 * audio (arriving later than the source) takes over, continuing the playlist's numbers with a
 * discontinuity; a restarted child's audio takes over again.
 */
class TranscodedAudioOnlyTest {
    private static final long SECOND = MediaFrame.CLOCK_RATE;

    private long now = 1_700_000_000_000L;
    private final DefaultEventExecutor owner = new DefaultEventExecutor();
    private final Renditions renditions = new Renditions(
            "us-west-2.123456789012.channel.abcd",
            false,
            LatencyMode.NORMAL,
            () -> now,
            new StreamHealth(() -> now),
            segment -> {},
            true);

    @AfterEach
    void close() throws Exception {
        if (!renditions.ended()) {
            renditions.end(false);
        }
        owner.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    private List<Segment> audioOnly() {
        LiveRendition audio = renditions.main().sibling();
        assertThat(audio).as("audio_only listed").isNotNull();
        return audio.segments();
    }

    /** Rung frames (video and audio, 30 fps, a keyframe each second) from {@code from} to {@code to}. */
    private static void rung(TranscodedAudioOnly a, int from, int to) {
        for (int i = from; i < to; i++) {
            long dts = Math.round(i * 1000 / 30.0) * 90;
            MediaFrame v = MediaFixtures.frame(TrackType.VIDEO, dts, i % 30 == 0);
            MediaFrame s = MediaFixtures.frame(TrackType.AUDIO, dts + 90, true);
            try {
                a.frame(v);
                a.frame(s);
            } finally {
                v.release();
                s.release();
            }
        }
    }

    @Test
    void theTranscodersAudioTakesOverWhereTheRemuxStoodAndAgainAfterARestart() {
        renditions.start(owner);
        renditions.onVideoConfig(MediaFixtures.VIDEO);
        renditions.onAudioConfig(MediaFixtures.AUDIO);
        // The source: segments of 2 s cut at even seconds; the remux lists the same numbers.
        MediaFixtures.feed(renditions, 0, 30 * 5 + 1);
        long first = renditions.main().segments().get(0).sequence();
        assertThat(audioOnly()).extracting(Segment::sequence).containsExactly(first, first + 1);
        // The rung's keyframe at 2k s starts the source's segment first + k.
        TranscodedAudioOnly a =
                new TranscodedAudioOnly(renditions, pts -> pts % (2 * SECOND) == 0 ? first + pts / (2 * SECOND) : -1);
        a.videoConfig(MediaFixtures.VIDEO);
        a.audioConfig(MediaFixtures.AUDIO);

        // The rung's output from 0 s: the remux stops at once (its open segment, first + 2, is never listed), and
        // the transcoded audio takes over at 4 s, the start of first + 2.
        rung(a, 0, 30 * 3);
        MediaFixtures.feed(renditions, 30 * 5 + 1, 30 * 8 + 1);
        assertThat(audioOnly()).extracting(Segment::sequence).containsExactly(first, first + 1);
        rung(a, 30 * 3, 30 * 7 + 1);
        renditions.rungsFed();
        List<Segment> after = audioOnly();
        assertThat(after).extracting(Segment::sequence).containsExactly(first, first + 1, first + 2);
        assertThat(after.get(2).discontinuity()).isTrue();
        assertThat(after.get(2).video()).isNull();

        // A new child, whose output starts at 10 s (first + 5) while the playlist stood at first + 3: a playlist
        // can skip no number, so it starts anew there.
        a.newChild();
        a.videoConfig(MediaFixtures.VIDEO);
        a.audioConfig(MediaFixtures.AUDIO);
        rung(a, 30 * 10, 30 * 12 + 1);
        renditions.rungsFed();
        // (Its discontinuity sequence is one more, as a restarted rung's: the numbers jumped.)
        assertThat(audioOnly()).extracting(Segment::sequence).containsExactly(first + 5);
        assertThat(audioOnly().get(0).video()).isNull();

        // The session ends with the transcoded audio in segment first + 6 since 12 s: it is listed, as the source's is.
        rung(a, 30 * 12 + 1, 30 * 13);
        a.sessionEnd();
        renditions.rungsFed();
        List<Segment> ended = audioOnly();
        assertThat(ended).extracting(Segment::sequence).containsExactly(first + 5, first + 6);
        assertThat(ended.get(1).durationSeconds()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
    }
}
