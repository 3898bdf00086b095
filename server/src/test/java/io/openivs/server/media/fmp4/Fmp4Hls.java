package io.openivs.server.media.fmp4;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SegmentStart;
import io.openivs.server.media.SegmentWriter;
import io.openivs.server.media.flv.FlvFileReader.Tag;
import io.openivs.server.media.flv.FlvToFrames;
import io.openivs.server.media.flv.TagResult;
import io.openivs.server.media.hls.PlaylistWriter;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.media.hls.Segmenter;
import io.openivs.server.media.hls.SegmenterConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives FLV tags through FlvToFrames, Segmenter and Fmp4SegmentWriter the way a live stream
 * does, and writes what a viewer would fetch: init segments, m4s segments, an HLS playlist.
 * Remembers every frame the writer was given, per segment, to check the output against.
 */
final class Fmp4Hls {

    /** A frame as the writer received it, on the output timeline. */
    record Written(boolean video, long dts, long pts, boolean keyframe) {
    }

    final Path dir;
    final List<Segment> segments = new ArrayList<>();
    final List<List<Written>> frames = new ArrayList<>();
    final Segmenter segmenter;

    Fmp4Hls(Path dir) {
        this.dir = dir;
        this.segmenter = new Segmenter(SegmenterConfig.DEFAULT.withWindowSize(20),
                new Recording(new Fmp4SegmentWriter(PooledByteBufAllocator.DEFAULT)), () -> 1_700_000_000_000L,
                this::write);
    }

    void session(List<Tag> tags) {
        segmenter.onSessionStart();
        FlvToFrames demuxer = new FlvToFrames(PooledByteBufAllocator.DEFAULT, segmenter);
        for (Tag tag : tags) {
            TagResult result = demuxer.tag(tag.type(), tag.timestamp(), Unpooled.wrappedBuffer(tag.body()));
            assertThat(result.status()).as("tag at %d ms", tag.timestamp())
                    .isIn(TagResult.Status.ACCEPTED, TagResult.Status.IGNORED);
        }
        segmenter.onSessionEnd();
    }

    /** Writes the playlist (and an init segment per discontinuity sequence) and closes the segmenter. */
    Path finish() throws IOException {
        for (Segment segment : segments) {
            Path init = dir.resolve(initName(segment));
            if (!Files.exists(init)) {
                write(InitSegment.write(PooledByteBufAllocator.DEFAULT, segment.video(), segment.audio()), init);
            }
        }
        Path playlist = dir.resolve("playlist.m3u8");
        Files.writeString(playlist, PlaylistWriter.media(segmenter.segments(), segmenter.targetDurationSeconds(),
                seq -> "seg" + seq + ".m4s", true, Fmp4Hls::initName));
        segmenter.close();
        return playlist;
    }

    private static String initName(Segment segment) {
        return "init" + segment.discontinuitySequence() + ".mp4";
    }

    Path segmentFile(Segment segment) {
        return dir.resolve("seg" + segment.sequence() + ".m4s");
    }

    private void write(Segment segment) {
        segments.add(segment);
        write(segment.retainedData(), segmentFile(segment));
    }

    private static void write(ByteBuf data, Path file) {
        try (OutputStream os = Files.newOutputStream(file)) {
            data.readBytes(os, data.readableBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            data.release();
        }
    }

    /** Passes everything on to the real writer, noting each segment's frames. */
    private final class Recording implements SegmentWriter {
        private final SegmentWriter writer;
        private long offset;

        Recording(SegmentWriter writer) {
            this.writer = writer;
        }

        @Override
        public String extension() {
            return writer.extension();
        }

        @Override
        public void startSegment(SegmentStart start) {
            offset = start.timestampOffset();
            frames.add(new ArrayList<>());
            writer.startSegment(start);
        }

        @Override
        public void writeFrame(MediaFrame frame) {
            frames.get(frames.size() - 1).add(
                    new Written(frame.isVideo(), frame.dts() + offset, frame.pts() + offset, frame.isKeyframe()));
            writer.writeFrame(frame);
        }

        @Override
        public ByteBuf finishSegment() {
            return writer.finishSegment();
        }

        @Override
        public void close() {
            writer.close();
        }
    }
}
