package io.openivs.server.recording;

import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Turns the first frame of a segment (always a keyframe) into a JPEG with the ffmpeg executable
 * of the bytedeco jar: the segment goes in on stdin, the picture comes out on stdout. A process
 * per thumbnail costs some tens of milliseconds, negligible at one picture per interval, and a
 * decoder crash cannot take the server down.
 */
final class Thumbnails {
    private Thumbnails() {}

    /**
     * Height of a thumbnail for {@code resolution} (the classes of the API Reference's ThumbnailConfiguration),
     * never above the source.
     */
    static int height(String resolution, int sourceHeight) {
        int wanted = switch (resolution == null ? "" : resolution) {
            case "LOWEST_RESOLUTION" -> 160;
            case "SD" -> 480;
            case "HD" -> 720;
            case "FULL_HD" -> 1080;
            default -> sourceHeight;
        };
        return Math.min(wanted, sourceHeight);
    }

    /** Width that keeps the source's aspect ratio at {@code height}, rounded to even as encoders need. */
    static int width(int sourceWidth, int sourceHeight, int height) {
        if (height == sourceHeight) {
            return sourceWidth;
        }
        long w = Math.round(sourceWidth * (double) height / sourceHeight);
        return (int) Math.max(2, w + (w & 1));
    }

    /** A JPEG of the first picture in {@code ts}, scaled to {@code width}x{@code height}. */
    static byte[] grab(byte[] ts, int width, int height) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostdin",
                "-f",
                "mpegts",
                "-i",
                "pipe:0",
                "-an",
                "-frames:v",
                "1",
                "-vf",
                "scale=" + width + ":" + height,
                "-q:v",
                "3",
                "-f",
                "image2pipe",
                "-c:v",
                "mjpeg",
                "pipe:1"));
        // -nostdin only stops ffmpeg's interactive keys; pipe:0 is still read.
        Process p = FfmpegExecutables.builder(FfmpegExecutables.ffmpeg(), args)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Thread feeder = new Thread(
                () -> {
                    try (OutputStream in = p.getOutputStream()) {
                        in.write(ts);
                    } catch (IOException e) {
                        // ffmpeg stops reading once it has its frame: a broken pipe here is normal.
                    }
                },
                "openivs-thumbnail-feed");
        feeder.setDaemon(true);
        feeder.start();
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream(64 * 1024);
        try (InputStream out = p.getInputStream()) {
            out.transferTo(jpeg);
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ffmpeg did not finish a thumbnail");
        }
        feeder.join(1_000);
        byte[] bytes = jpeg.toByteArray();
        if (p.exitValue() != 0 || bytes.length < 4 || (bytes[0] & 0xff) != 0xFF || (bytes[1] & 0xff) != 0xD8) {
            throw new IOException("ffmpeg made no picture (exit " + p.exitValue() + ")");
        }
        return bytes;
    }
}
