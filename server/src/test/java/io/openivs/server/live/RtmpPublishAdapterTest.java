package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.openivs.server.ingest.FrameSession;
import io.openivs.server.ingest.IngestConnection;
import io.openivs.server.ingest.rtmp.PublisherControl;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RTMP as an adapter in front of a stream's frame input: FLV tags in, frames and wire sizes out. */
class RtmpPublishAdapterTest {
    private final List<String> calls = new ArrayList<>();
    private boolean accepting = true;
    private IngestConnection connection;

    private final FrameSession session = new FrameSession() {
        @Override
        public void started(IngestConnection c) {
            connection = c;
            calls.add("started");
        }

        @Override
        public MediaSink frames() {
            return new MediaSink() {
                @Override
                public void onSessionStart() {
                    calls.add("session start");
                }

                @Override
                public void onVideoConfig(VideoConfig config) {
                    calls.add("video config " + config.width() + "x" + config.height());
                }

                @Override
                public void onAudioConfig(AudioConfig config) {
                    calls.add("audio config " + config.sampleRate());
                }

                @Override
                public void onFrame(MediaFrame frame) {
                    calls.add("frame " + frame.track() + " " + frame.dts() + (frame.isKeyframe() ? " key" : ""));
                }

                @Override
                public void onSessionEnd() {
                    calls.add("session end");
                }
            };
        }

        @Override
        public boolean accepting() {
            return accepting;
        }

        @Override
        public void received(TrackType track, long timestampMs, int bytes, boolean keyframe) {
            calls.add("received " + track + " " + timestampMs + " " + bytes + (keyframe ? " key" : ""));
        }

        @Override
        public void encoder(String name) {
            calls.add("encoder " + name);
        }

        @Override
        public void unsupportedCodec(String codec) {
            calls.add("unsupported " + codec);
        }

        @Override
        public void closed(String reason) {
            calls.add("closed " + reason);
        }
    };

    private final List<String> disconnects = new ArrayList<>();
    private final List<Integer> batches = new ArrayList<>();
    private final PublisherControl control = new PublisherControl() {
        @Override
        public void disconnect(String reason) {
            disconnects.add(reason);
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1935);
        }

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public void receiveInBatches(int bytes) {
            batches.add(bytes);
        }

        @Override
        public long bytesReceived() {
            return 0;
        }
    };

    private static ByteBuf bytes(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return Unpooled.wrappedBuffer(out.toByteArray());
    }

    private static byte[] avcSequenceHeader() {
        byte[] sps = MediaFixtures.VIDEO.sps();
        byte[] pps = MediaFixtures.VIDEO.pps();
        return bytes(
                        new byte[] {
                            0x17, 0, 0, 0, 0, 1, sps[1], sps[2], sps[3], (byte) 0xFF, (byte) 0xE1, 0, (byte) sps.length
                        },
                        sps,
                        new byte[] {1, 0, (byte) pps.length},
                        pps)
                .array();
    }

    private static ByteBuf avcFrame(boolean key) {
        return bytes(new byte[] {(byte) (key ? 0x17 : 0x27), 1, 0, 0, 0, 0, 0, 0, 3, (byte) (key ? 0x65 : 0x41), 1, 2});
    }

    private static void send(ByteBuf tag, java.util.function.Consumer<ByteBuf> to) {
        try {
            to.accept(tag);
        } finally {
            tag.release();
        }
    }

    @Test
    void flvTagsBecomeFramesAndEachTagTakenIsReportedWithItsSizeOnTheWire() {
        RtmpPublish rtmp = new RtmpPublish(session);
        rtmp.started(control);
        assertThat(connection.executor()).isSameAs(ImmediateEventExecutor.INSTANCE);
        connection.receiveInBatches(4096);
        assertThat(batches).containsExactly(4096);
        rtmp.onMetadata(Map.of("encoder", "obs-output module (libobs version 30.1.2)"));
        send(Unpooled.wrappedBuffer(avcSequenceHeader()), b -> rtmp.onVideo(1000, b));
        send(bytes(new byte[] {(byte) 0xAF, 0, 0x11, (byte) 0x90}), b -> rtmp.onAudio(1000, b));
        send(avcFrame(true), b -> rtmp.onVideo(1000, b));
        send(bytes(new byte[] {(byte) 0xAF, 1, 0x21, 0x10}), b -> rtmp.onAudio(1010, b));
        send(avcFrame(false), b -> rtmp.onVideo(1033, b));
        rtmp.closed("unpublished");

        assertThat(calls)
                .containsExactly(
                        "started",
                        "encoder obs-output module (libobs version 30.1.2)",
                        "video config 854x480",
                        "received VIDEO 1000 " + avcSequenceHeader().length,
                        "audio config 48000",
                        "received AUDIO 1000 4",
                        "frame VIDEO 0 key",
                        "received VIDEO 1000 12 key", // the keyframe the segmenter cuts on, for receive batching
                        "frame AUDIO 900 key",
                        "received AUDIO 1010 4",
                        "frame VIDEO 2970",
                        "received VIDEO 1033 12",
                        "closed unpublished");
    }

    @Test
    void anUnsupportedCodecIsReportedAndARefusingSessionGetsNothingDemuxed() {
        RtmpPublish rtmp = new RtmpPublish(session);
        rtmp.started(control);
        send(bytes(new byte[] {0x1C, 0, 0, 0, 0}), b -> rtmp.onVideo(0, b)); // FLV codec id 12: HEVC
        assertThat(calls).containsExactly("started", "unsupported video HEVC");
        connection.disconnect("unsupported codec video HEVC");
        assertThat(disconnects).containsExactly("unsupported codec video HEVC");

        accepting = false;
        send(Unpooled.wrappedBuffer(avcSequenceHeader()), b -> rtmp.onVideo(0, b));
        assertThat(calls).containsExactly("started", "unsupported video HEVC");
    }
}
