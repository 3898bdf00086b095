package io.openivs.server.browser;

import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A publisher whose pictures carry the wall-clock time they were made, for glass-to-glass latency
 * (glass.html reads it back from the frames a player shows). A thread of its own draws 640x360
 * grey pictures at 30 fps, in real time, each with the low 32 bits of the epoch millisecond at
 * which it was drawn as 2 rows of 16 black/white 40 px blocks (most significant bit first) and 2
 * rows of their complements below (so a misread block is caught, not taken for a time), and
 * writes them to one ffmpeg that encodes once (x264 ultrafast zerolatency, 1 s GOP, with a sine
 * tone as AAC) and sends the same stream to every RTMP URL (its tee muxer). A frame's time is
 * when it was handed to the encoder, so encoding, ingest, packaging, delivery, buffering and
 * decoding all count.
 */
final class ClockPublisher implements AutoCloseable {
    static final int WIDTH = 640;
    static final int HEIGHT = 360;
    static final int FPS = 30;
    private static final int BLOCK = 40;

    private final Process ffmpeg;
    private final Thread drawer;
    private volatile boolean running = true;

    ClockPublisher(List<String> rtmpUrls) throws IOException {
        String tee = rtmpUrls.stream()
                .map(u -> "[f=flv:onfail=ignore]" + u.replace("|", "\\|"))
                .collect(Collectors.joining("|"));
        List<String> args = new ArrayList<>(List.of(
                "-hide_banner",
                "-loglevel",
                "error",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "gray",
                "-s",
                WIDTH + "x" + HEIGHT,
                "-r",
                Integer.toString(FPS),
                "-i",
                "-",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "sine",
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-tune",
                "zerolatency",
                "-g",
                Integer.toString(FPS),
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-flags",
                "+global_header",
                "-f",
                "tee",
                tee));
        ffmpeg = FfmpegExecutables.builder(FfmpegExecutables.ffmpeg(), args)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                // Not inherited: a child holding the test JVM's stderr keeps Maven waiting after the JVM ends.
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        drawer = new Thread(this::draw, "clock-publisher");
        drawer.setDaemon(true);
        drawer.start();
    }

    private void draw() {
        byte[] picture = new byte[WIDTH * HEIGHT];
        long start = System.nanoTime();
        try (OutputStream out = ffmpeg.getOutputStream()) {
            for (long frame = 0; running; frame++) {
                long due = start + frame * 1_000_000_000L / FPS;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                paint(picture, System.currentTimeMillis(), frame);
                out.write(picture);
            }
        } catch (IOException e) {
            // ffmpeg ended (close() or a failure): nothing more to draw into.
        }
    }

    /** The clock blocks at the top, and below them a bar moving across a grey field so the picture changes. */
    static void paint(byte[] picture, long epochMillis, long frame) {
        java.util.Arrays.fill(picture, 4 * BLOCK * WIDTH, picture.length, (byte) 96);
        int bar = (int) (frame * 8 % WIDTH);
        for (int y = 4 * BLOCK; y < HEIGHT; y++) {
            java.util.Arrays.fill(picture, y * WIDTH + Math.max(0, bar - 16), y * WIDTH + bar + 1, (byte) 200);
        }
        long stamp = epochMillis & 0xFFFF_FFFFL;
        for (int i = 0; i < 32; i++) {
            boolean one = ((stamp >>> (31 - i)) & 1) != 0;
            int col = i & 15;
            fill(picture, i >> 4, col, one);
            fill(picture, 2 + (i >> 4), col, !one);
        }
    }

    private static void fill(byte[] picture, int row, int col, boolean white) {
        byte v = white ? (byte) 235 : (byte) 16;
        for (int y = row * BLOCK; y < (row + 1) * BLOCK; y++) {
            java.util.Arrays.fill(picture, y * WIDTH + col * BLOCK, y * WIDTH + (col + 1) * BLOCK, v);
        }
    }

    /** Whether ffmpeg is still running (it ends when every output failed). */
    boolean alive() {
        return ffmpeg.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        drawer.join(2000);
        ffmpeg.destroy();
        // ffmpeg may block on an RTMP peer while finishing its outputs: it does not outlive the run.
        if (!ffmpeg.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            ffmpeg.destroyForcibly();
        }
    }
}
