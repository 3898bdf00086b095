package io.openivs.server.media.flv;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlvToFramesTest {

    private static final String SPS = "6742c01eda0360f79bc044000003000400000300c83c58ba80";
    private static final String PPS = "68ce0fc8";
    // AVCDecoderConfigurationRecord: version 1, profile/compat/level, 4-byte lengths, 1 SPS, 1 PPS.
    private static final String AVC_RECORD = "0142c01e" + "ff" + "e1" + "0019" + SPS + "01" + "0004" + PPS;
    private static final String IDR = "00000004" + "65888421";
    private static final String P_SLICE = "00000003" + "419a02";

    /** Records what a live stream would fan out, copying frames since they are only borrowed. */
    private static final class Recorder implements MediaSink {
        final List<VideoConfig> videoConfigs = new ArrayList<>();
        final List<AudioConfig> audioConfigs = new ArrayList<>();
        final List<String> frames = new ArrayList<>();
        final List<MediaFrame> kept = new ArrayList<>();

        @Override
        public void onSessionStart() {}

        @Override
        public void onVideoConfig(VideoConfig config) {
            videoConfigs.add(config);
        }

        @Override
        public void onAudioConfig(AudioConfig config) {
            audioConfigs.add(config);
        }

        @Override
        public void onFrame(MediaFrame frame) {
            frames.add(frame.track() + " " + frame.dts() + "/" + frame.pts() + (frame.isKeyframe() ? " key " : " ")
                    + ByteBufUtil.hexDump(frame.payload()));
            kept.add(frame.retain());
        }

        @Override
        public void onSessionEnd() {}
    }

    private final Recorder sink = new Recorder();
    private final FlvToFrames demuxer = new FlvToFrames(UnpooledByteBufAllocator.DEFAULT, sink);

    @AfterEach
    void releaseKeptFrames() {
        sink.kept.forEach(MediaFrame::release);
    }

    private TagResult video(long ts, String hex) {
        return demuxer.video(ts, Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)));
    }

    private TagResult audio(long ts, String hex) {
        return demuxer.audio(ts, Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)));
    }

    @Test
    void sequenceHeadersBecomeConfigsReadFromTheStream() {
        assertThat(video(0, "1700000000" + AVC_RECORD)).isEqualTo(TagResult.ACCEPTED);
        assertThat(audio(0, "af00" + "1190")).isEqualTo(TagResult.ACCEPTED);
        // Re-sent identical headers (OBS does on reconnect) are not news.
        video(0, "1700000000" + AVC_RECORD);

        assertThat(sink.videoConfigs).hasSize(1);
        VideoConfig v = sink.videoConfigs.get(0);
        assertThat(v.width()).isEqualTo(854);
        assertThat(v.height()).isEqualTo(480);
        assertThat(v.codec()).isEqualTo("avc1.42C01E");
        assertThat(v.frameRate()).isEqualTo(25.0);
        AudioConfig a = sink.audioConfigs.get(0);
        assertThat(a.codec()).isEqualTo("mp4a.40.2");
        assertThat(a.sampleRate()).isEqualTo(48000);
        assertThat(a.channels()).isEqualTo(2);
    }

    @Test
    void compositionOffsetsGivePtsIncludingNegativeOnes() {
        video(1000, "1700000000" + AVC_RECORD);
        video(1000, "1701000050" + IDR); // cts +80 ms
        video(1040, "2701ffffd8" + P_SLICE); // cts -40 ms, signed 24-bit
        // 4-byte length-prefixed NAL units as the tag has them: the parameter sets are in the config.
        assertThat(sink.frames).containsExactly("VIDEO 0/7200 key " + IDR, "VIDEO 3600/0 " + P_SLICE);
    }

    @Test
    void videoFramesInTheTagsOwnFormAreSlicesOfTheTagWithoutCopy() {
        video(0, "1700000000" + AVC_RECORD);
        byte[] tag = HexFormat.of().parseHex("1701000000" + IDR);
        assertThat(demuxer.video(0, Unpooled.wrappedBuffer(tag))).isEqualTo(TagResult.ACCEPTED);
        assertThat(demuxer.lastVideoKeyframe()).isTrue();
        tag[tag.length - 1] = 0x42;
        assertThat(ByteBufUtil.hexDump(sink.kept.get(0).payload())).isEqualTo("0000000465888442");
        video(40, "2701000000" + P_SLICE);
        assertThat(demuxer.lastVideoKeyframe()).isFalse();
    }

    @Test
    void twoByteNalLengthsAreNormalisedToFourAndDelimitersDropped() {
        // lengthSizeMinusOne 1 (0xfd) in the record.
        video(0, "1700000000" + AVC_RECORD.replace("42c01eff", "42c01efd"));
        video(0, "1701000000" + "0002" + "09f0" + "0004" + "65888421");
        video(40, "2701000000" + "0003" + "419a02");
        assertThat(sink.frames).containsExactly("VIDEO 0/0 key " + IDR, "VIDEO 3600/3600 " + P_SLICE);
    }

    @Test
    void inBandParameterSetsThatAreNewChangeTheConfigAndRepeatsDoNot() {
        video(0, "1700000000" + AVC_RECORD);
        // The same SPS and PPS in band (some encoders repeat them before every IDR): no new config.
        video(0, "1701000000" + "00000019" + SPS + "00000004" + PPS + IDR);
        assertThat(sink.videoConfigs).hasSize(1);
        // A 1920x1080 High profile SPS in band: the stream changed its encoding without a sequence header.
        String sps720 = "67640028acd940780227e5c044000003000400000300f03c60c658";
        video(40, "1701000000" + String.format("%08x", sps720.length() / 2) + sps720 + IDR);
        assertThat(sink.videoConfigs).hasSize(2);
        VideoConfig changed = sink.videoConfigs.get(1);
        assertThat(changed.codec()).isEqualTo("avc1.640028");
        assertThat(changed.width()).isEqualTo(1920);
        assertThat(HexFormat.of().formatHex(changed.sps())).isEqualTo(sps720);
        assertThat(HexFormat.of().formatHex(changed.pps())).isEqualTo(PPS);
        assertThat(sink.frames).containsExactly("VIDEO 0/0 key " + IDR, "VIDEO 3600/3600 key " + IDR);
    }

    @Test
    void inBandPictureParameterSetsAddUpByIdRatherThanFlipTheConfig() {
        video(0, "1700000000" + AVC_RECORD);
        // An encoder alternating two PPS (ids 0 and 1) in band: one change, when id 1 is first seen.
        String pps1 = "6853c0";
        for (int i = 0; i < 4; i++) {
            String pps = i % 2 == 0 ? pps1 : PPS;
            video(40 * i, "1701000000" + String.format("%08x", pps.length() / 2) + pps + IDR);
        }
        assertThat(sink.videoConfigs).hasSize(2);
        assertThat(sink.videoConfigs.get(1).ppsList())
                .extracting(HexFormat.of()::formatHex)
                .containsExactly(pps1, PPS);
        assertThat(sink.frames).hasSize(4);
    }

    @Test
    void audioFramesAreSlicesOfTheTagWithoutCopy() {
        audio(500, "af00" + "1190");
        byte[] tag = HexFormat.of().parseHex("af01" + "21100520a0");
        TagResult result = demuxer.audio(521, Unpooled.wrappedBuffer(tag));
        assertThat(result).isEqualTo(TagResult.ACCEPTED);
        assertThat(sink.frames).containsExactly("AUDIO 1890/1890 key 21100520a0");
        tag[2] = 0x42;
        assertThat(sink.kept.get(0).payload().getByte(0)).isEqualTo((byte) 0x42);
        assertThat(sink.kept.get(0).track()).isEqualTo(TrackType.AUDIO);
    }

    @Test
    void framesBeforeTheirConfigAndEndOfSequenceAreIgnored() {
        assertThat(video(0, "1701000000" + IDR)).isEqualTo(TagResult.IGNORED);
        assertThat(audio(0, "af01" + "2110")).isEqualTo(TagResult.IGNORED);
        assertThat(video(0, "1702000000")).isEqualTo(TagResult.IGNORED);
        assertThat(sink.frames).isEmpty();
    }

    @Test
    void otherCodecsAreUnsupportedWithTheirName() {
        assertThat(video(0, "1c00000000")).isEqualTo(TagResult.unsupportedCodec("video HEVC"));
        assertThat(video(0, "1200000000")).isEqualTo(TagResult.unsupportedCodec("video Sorenson H.263"));
        // Enhanced RTMP: IsExHeader, keyframe, PacketTypeSequenceStart, FourCC.
        assertThat(video(0, "9068766331")).isEqualTo(TagResult.unsupportedCodec("video hvc1"));
        assertThat(audio(0, "2f00")).isEqualTo(TagResult.unsupportedCodec("audio MP3"));
        assertThat(audio(0, "b600")).isEqualTo(TagResult.unsupportedCodec("audio Speex"));
        assertThat(audio(0, "90" + "4f707573")).isEqualTo(TagResult.unsupportedCodec("audio Opus"));
        // AAC that ADTS cannot describe (ER AAC LD).
        assertThat(audio(0, "af00" + "b990").isUnsupportedCodec()).isTrue();
        assertThat(sink.videoConfigs).isEmpty();
    }

    @Test
    void brokenTagsAreMalformedNotFatal() {
        assertThat(video(0, "1700000000" + "01640028").status()).isEqualTo(TagResult.Status.MALFORMED);
        video(0, "1700000000" + AVC_RECORD);
        assertThat(video(0, "1701000000" + "000000ff65").status()).isEqualTo(TagResult.Status.MALFORMED);
        assertThat(video(0, "17").status()).isEqualTo(TagResult.Status.MALFORMED);
        assertThat(sink.frames).isEmpty();
    }

    @Test
    void timestampsCountFromTheFirstTagAndSurviveThe32BitWrap() {
        long start = (1L << 32) - 30;
        video(start, "1700000000" + AVC_RECORD);
        video(start, "1701000000" + IDR);
        video(10, "2701000000" + P_SLICE); // 40 ms later, after the wrap
        assertThat(sink.frames).extracting(f -> f.split(" ")[1]).containsExactly("0/0", "3600/3600");
    }
}
