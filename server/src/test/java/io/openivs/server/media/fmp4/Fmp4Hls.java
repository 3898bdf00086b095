package io.openivs.server.media.fmp4;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
    record Written(boolean video, long dts, long pts, boolean keyframe) {}

    final Path dir;
    final List<Segment> segments = new ArrayList<>();
    final List<List<Written>> frames = new ArrayList<>();
    /** Per segment, the fragments {@link Fmp4SegmentWriter#finishFragment()} handed out, when cutting parts. */
    final List<List<byte[]>> parts = new ArrayList<>();
    /** Per segment, per part, the chunks {@link Fmp4SegmentWriter#finishChunk} handed out, when cutting chunks. */
    final List<List<List<byte[]>>> chunks = new ArrayList<>();

    final Segmenter segmenter;
    private final int framesPerPart;
    private final boolean chunked;

    Fmp4Hls(Path dir) {
        this(dir, 0, false);
    }

    /**
     * @param framesPerPart cut a fragment (an LL-HLS part) every so many video frames, 0 for one per segment
     * @param chunked close a CMAF chunk before each video frame inside a part, as a live LL stream does
     */
    Fmp4Hls(Path dir, int framesPerPart, boolean chunked) {
        this.dir = dir;
        this.framesPerPart = framesPerPart;
        this.chunked = chunked;
        this.segmenter = new Segmenter(
                SegmenterConfig.DEFAULT.withWindowSize(20),
                new Recording(new Fmp4SegmentWriter(PooledByteBufAllocator.DEFAULT)),
                () -> 1_700_000_000_000L,
                this::write);
    }

    void session(List<Tag> tags) {
        segmenter.onSessionStart();
        FlvToFrames demuxer = new FlvToFrames(PooledByteBufAllocator.DEFAULT, segmenter);
        for (Tag tag : tags) {
            TagResult result = demuxer.tag(tag.type(), tag.timestamp(), Unpooled.wrappedBuffer(tag.body()));
            assertThat(result.status())
                    .as("tag at %d ms", tag.timestamp())
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
        Files.writeString(
                playlist,
                PlaylistWriter.media(
                        segmenter.segments(),
                        segmenter.targetDurationSeconds(),
                        seq -> "seg" + seq + ".m4s",
                        true,
                        Fmp4Hls::initName));
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

    /** Passes everything on to the real writer, noting each segment's frames and cutting parts. */
    private final class Recording implements SegmentWriter {
        private final Fmp4SegmentWriter writer;
        private long offset;
        private int videoFramesInPart;

        Recording(Fmp4SegmentWriter writer) {
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
            parts.add(new ArrayList<>());
            chunks.add(new ArrayList<>(List.of(new ArrayList<>())));
            videoFramesInPart = 0;
            writer.startSegment(start);
        }

        @Override
        public void writeFrame(MediaFrame frame) {
            if (chunked && frame.isVideo() && videoFramesInPart > 0) {
                // As the Segmenter does: the next frame's time ends the chunk, also the last of a part.
                ByteBuf chunk = writer.finishChunk(frame.dts());
                try {
                    List<List<byte[]>> ofSegment = chunks.get(chunks.size() - 1);
                    ofSegment.get(ofSegment.size() - 1).add(ByteBufUtil.getBytes(chunk));
                } finally {
                    chunk.release();
                }
            }
            if (framesPerPart > 0 && frame.isVideo() && videoFramesInPart++ == framesPerPart) {
                finishPart();
                videoFramesInPart = 1;
            }
            frames.get(frames.size() - 1)
                    .add(new Written(frame.isVideo(), frame.dts() + offset, frame.pts() + offset, frame.isKeyframe()));
            writer.writeFrame(frame);
        }

        @Override
        public void writeMetadata(io.openivs.server.media.TimedMetadata item) {
            writer.writeMetadata(item);
        }

        @Override
        public ByteBuf finishSegment() {
            if (framesPerPart > 0) {
                finishPart();
            }
            return writer.finishSegment();
        }

        private void finishPart() {
            ByteBuf part = writer.finishFragment();
            try {
                parts.get(parts.size() - 1).add(ByteBufUtil.getBytes(part));
            } finally {
                part.release();
            }
            chunks.get(chunks.size() - 1).add(new ArrayList<>());
        }

        @Override
        public void close() {
            writer.close();
        }
    }
}
