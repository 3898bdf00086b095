package io.openivs.server.testing;

import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends an MPEG-TS file byte for byte over SRT as an encoder would, in real time: the real ffmpeg (its libsrt) is
 * the SRT caller and copies what it reads from its stdin into SRT messages of seven TS packets, and this side feeds
 * it paced by the file's PES timestamps. Byte for byte because ffmpeg's MPEG-TS muxer would drop streams it does
 * not know (SCTE-35) when remuxing.
 */
public final class SrtTsSender {
    private static final int CHUNK = 7 * 188;

    private SrtTsSender() {}

    /** Completes with ffmpeg's exit code once the whole file went out and ffmpeg closed the connection. */
    public static CompletableFuture<Integer> send(byte[] ts, String srtUrl) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return run(ts, srtUrl);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                },
                Publishing.background);
    }

    private static int run(byte[] ts, String srtUrl) throws IOException, InterruptedException {
        Path log = Files.createTempFile("srt-sender", ".log");
        Process p = FfmpegExecutables.builder(
                        FfmpegExecutables.ffmpeg(),
                        List.of(
                                "-hide_banner",
                                "-v",
                                "error",
                                "-f",
                                "data",
                                "-raw_packet_size",
                                Integer.toString(CHUNK),
                                "-i",
                                "pipe:0",
                                "-map",
                                "0",
                                "-c",
                                "copy",
                                "-flush_packets",
                                "1",
                                "-f",
                                "data",
                                srtUrl))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile())
                .start();
        try (OutputStream in = p.getOutputStream()) {
            long startNanos = System.nanoTime();
            long first = -1;
            for (int i = 0; i < ts.length; i += CHUNK) {
                long pts = newestPts(ts, i, Math.min(ts.length, i + CHUNK));
                if (pts >= 0) {
                    if (first < 0) {
                        first = pts;
                    }
                    long due = startNanos + (pts - first) * 1_000_000L / 90;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                in.write(ts, i, Math.min(CHUNK, ts.length - i));
                in.flush();
            }
        } catch (IOException e) {
            // ffmpeg went (refused): its exit code says so
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String err = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        if (p.exitValue() != 0 && !err.isBlank()) {
            System.err.println("srt sender: " + err);
        }
        return p.exitValue();
    }

    /** The largest PES PTS starting in {@code [from, to)}, or -1 (not unwrapped: test files do not wrap). */
    private static long newestPts(byte[] ts, int from, int to) {
        long newest = -1;
        for (int p = from; p + 188 <= to; p += 188) {
            if ((ts[p + 1] & 0x40) == 0 || (ts[p + 3] & 0x10) == 0) {
                continue;
            }
            int i = p + 4 + ((ts[p + 3] & 0x20) != 0 ? 1 + (ts[p + 4] & 0xFF) : 0);
            if (i + 14 > p + 188 || ts[i] != 0 || ts[i + 1] != 0 || ts[i + 2] != 1 || (ts[i + 7] & 0x80) == 0) {
                continue; // a section, or a PES without PTS
            }
            i += 9;
            long pts = ((long) (ts[i] & 0x0E) << 29)
                    | ((long) (ts[i + 1] & 0xFF) << 22)
                    | ((long) (ts[i + 2] & 0xFE) << 14)
                    | ((long) (ts[i + 3] & 0xFF) << 7)
                    | ((ts[i + 4] & 0xFF) >> 1);
            newest = Math.max(newest, pts);
        }
        return newest;
    }
}
