package io.openivs.server.testing;

import io.openivs.server.events.EventSink;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.RecordingConfigurationState;

/** What live tests share: a real ffmpeg publisher, an event sink to wait on, and polling. */
public final class Publishing {
    public static final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-publisher");
        t.setDaemon(true);
        return t;
    });

    private Publishing() {}

    /**
     * ffmpeg publishing a generated 640x360 30 fps H.264 + AAC stream for {@code seconds}, in real time: FLV to an
     * rtmp(s) URL, MPEG-TS to an srt URL.
     */
    public static CompletableFuture<FfmpegTool.Result> publish(String url, int seconds) {
        return publish(url, seconds, "-preset", "ultrafast", "-g", "30");
    }

    /** Like {@link #publish}, encoded as a low-latency publisher would: x264 zerolatency, a keyframe each second. */
    public static CompletableFuture<FfmpegTool.Result> publishLowLatency(String url, int seconds) {
        return publish(url, seconds, "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30");
    }

    /** The arguments of {@link #publishLowLatency}, for a publisher that must outlive FfmpegTool's 60 s limit. */
    public static List<String> lowLatencyArgs(String url, int seconds) {
        return args(url, seconds, "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30");
    }

    /**
     * The {@link #lowLatencyArgs} publisher as a process of the test's own, its output dropped: for one that must
     * outlive FfmpegTool's 60 s limit, or that the test stops (destroy) once it has checked what it needs, rather
     * than waiting out a length chosen for a slow machine.
     */
    public static Process startLowLatency(String url, int seconds) throws IOException {
        return FfmpegExecutables.builder(FfmpegExecutables.ffmpeg(), lowLatencyArgs(url, seconds))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Like {@link #publish}, as a {@link Stoppable} the test may end before its {@code seconds}. */
    public static Stoppable startStoppable(String url, int seconds) throws IOException {
        return startStoppable(args(url, seconds, "-preset", "ultrafast", "-g", "30"));
    }

    /** The arguments of {@link #publishWith}, for {@link #startStoppable(List)}. */
    public static List<String> argsWith(
            String url, String size, String audioSource, int seconds, List<String> x264, List<String> aac) {
        return args(url, size, audioSource, seconds, x264, aac);
    }

    /** ffmpeg with these arguments ({@link #lowLatencyArgs}, {@link #argsWith}) as a {@link Stoppable}. */
    public static Stoppable startStoppable(List<String> args) throws IOException {
        Path err = Files.createTempFile("ffmpeg-err", ".txt");
        Process p = FfmpegExecutables.builder(FfmpegExecutables.ffmpeg(), args)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile())
                .start();
        return new Stoppable(p, err);
    }

    /**
     * A publisher the test ends once it has checked what it needs, rather than waiting out a length chosen for a
     * slow machine (the length stays the upper bound): "q" on ffmpeg's standard input makes it finish the stream
     * as at the end of its input, exit code 0 included, so a publisher that met an error still shows it.
     */
    public static final class Stoppable implements AutoCloseable {
        private final Process process;
        private final Path err;

        private Stoppable(Process process, Path err) {
            this.process = process;
            this.err = err;
        }

        /** Tells ffmpeg to finish (unless it has), waits for it, and returns its exit code and error output. */
        public FfmpegTool.Result stop() throws IOException, InterruptedException {
            if (process.isAlive()) {
                try (OutputStream keys = process.getOutputStream()) {
                    keys.write('q');
                } catch (IOException e) {
                    // it ended meanwhile: its exit code says how
                }
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("ffmpeg did not finish within 30 s of being told to");
            }
            try {
                return new FfmpegTool.Result(process.exitValue(), "", Files.readString(err));
            } finally {
                Files.deleteIfExists(err);
            }
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            Files.deleteIfExists(err);
        }
    }

    /**
     * Creates a recording configuration named "rec" into {@code bucket} with the given reconnect window and waits
     * (up to 20 s) until it is ACTIVE; returns its ARN.
     */
    public static String activeRecordingConfiguration(IvsClient ivs, String bucket, int reconnectWindowSeconds)
            throws InterruptedException {
        String arn = ivs.createRecordingConfiguration(r -> r.name("rec")
                        .recordingReconnectWindowSeconds(reconnectWindowSeconds)
                        .destinationConfiguration(d -> d.s3(s -> s.bucketName(bucket))))
                .recordingConfiguration()
                .arn();
        await(
                Duration.ofSeconds(20),
                () -> ivs.getRecordingConfiguration(r -> r.arn(arn))
                                        .recordingConfiguration()
                                        .state()
                                == RecordingConfigurationState.ACTIVE
                        ? true
                        : null);
        return arn;
    }

    /**
     * Like {@link #publish}, of a picture {@code size} ("960x540") instead of 640x360, and with two
     * B-frames as OBS's x264 makes them (a keyframe's decode time is then before its presentation time).
     */
    public static CompletableFuture<FfmpegTool.Result> publishSized(String url, String size, int seconds) {
        return run(args(url, size, seconds, "-preset", "ultrafast", "-bf", "2", "-g", "30"));
    }

    private static List<String> args(String url, int seconds, String... x264) {
        return args(url, "640x360", seconds, x264);
    }

    private static List<String> args(String url, String size, int seconds, String... x264) {
        return args(url, size, "sine", seconds, List.of(x264), List.of());
    }

    private static List<String> args(
            String url, String size, String audioSource, int seconds, List<String> x264, List<String> aac) {
        List<String> args = new ArrayList<>(List.of(
                "-hide_banner",
                "-loglevel",
                "error",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=" + size + ":rate=30",
                "-f",
                "lavfi",
                "-i",
                audioSource,
                "-t",
                Integer.toString(seconds),
                "-c:v",
                "libx264"));
        args.addAll(x264);
        args.add("-c:a");
        args.add("aac");
        args.addAll(aac);
        args.addAll(List.of("-f", url.startsWith("srt:") ? "mpegts" : "flv", url));
        return args;
    }

    private static CompletableFuture<FfmpegTool.Result> publish(String url, int seconds, String... x264) {
        return run(args(url, seconds, x264));
    }

    /**
     * Like {@link #publish}, of a picture {@code size} ("1280x720"), the lavfi audio {@code audioSource}
     * ("sine", "anoisesrc=a=0.2:r=48000"), and these x264 and AAC encoder options.
     */
    public static CompletableFuture<FfmpegTool.Result> publishWith(
            String url, String size, String audioSource, int seconds, List<String> x264, List<String> aac) {
        return run(args(url, size, audioSource, seconds, x264, aac));
    }

    private static CompletableFuture<FfmpegTool.Result> run(List<String> args) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return FfmpegTool.ffmpeg(args.toArray(String[]::new));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                background);
    }

    public static <T> T await(Duration limit, Supplier<T> attempt) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                T v = attempt.get();
                if (v != null) {
                    return v;
                }
            } catch (RuntimeException | AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit);
            }
            Thread.sleep(200);
        }
    }

    /** Keeps every event the server sends. */
    public static final class Events implements EventSink {
        private final List<IvsEvent> seen = new ArrayList<>();

        @Override
        public synchronized void publish(IvsEvent event) {
            seen.add(event);
        }

        public synchronized List<IvsEvent> matching(Predicate<IvsEvent> p) {
            return seen.stream().filter(p).toList();
        }

        /** Recording events of a channel with this recording_status. */
        public List<IvsEvent> recording(String channelArn, String status) {
            return matching(e -> e.resources().contains(channelArn)
                    && status.equals(e.detail().path("recording_status").asText()));
        }

        public IvsEvent awaitRecording(String channelArn, String status, Duration limit) throws InterruptedException {
            return await(limit, () -> {
                List<IvsEvent> l = recording(channelArn, status);
                return l.isEmpty() ? null : l.get(l.size() - 1);
            });
        }
    }
}
