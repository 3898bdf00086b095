package io.openivs.server.live.transcode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import io.openivs.server.media.ladder.Ladder;
import io.openivs.server.media.ts.demux.TsDemuxer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ffmpeg process of a {@link Transcoder} and its threads: a reader per rung, accepting the
 * child's connection on a Unix socket in a private directory and demultiplexing what it sends,
 * and a stderr reader that keeps the last lines for the log. Killing it closes the sockets, which
 * ends the readers, and the child's stdin, which unblocks the feeder.
 */
final class Child {
    private static final Logger log = LoggerFactory.getLogger(Child.class);
    /** The TS writer feeding ffmpeg shifts timestamps by 1.4 s (TsSegmentWriter.TIMESTAMP_OFFSET); -copyts keeps it. */
    static final long INPUT_SHIFT = 126_000;

    private static final int STDERR_LINES = 12;
    private static final int MAX_LINE = 400;

    private final String label;
    private final int generation;
    private final Transcoder.Output output;
    private final LongSupplier nanoClock;
    private final long startedNanos;
    private final Path dir;
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final List<SocketChannel> connections = new ArrayList<>();
    private final Process process;
    private final OutputStream stdin;
    private final ArrayDeque<String> lastErrors = new ArrayDeque<>();
    /** Per rung: the newest output pts (source timeline), and when it came (nanos); MIN before any. */
    private final AtomicLongArray outputPts;

    private final AtomicLongArray outputNanos;
    private volatile long inputPts = Long.MIN_VALUE;
    private volatile long inputNanos;
    private volatile long writingSince;
    private final boolean hasAudio;
    private volatile String reason;
    private static final long USAGE_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    /** Watchdog thread: where the last CPU report left off. */
    private long lastUsageNanos;

    private long lastCpuNanos;
    /** The child's CPU time at the watchdog's last look (each second). */
    private volatile long cpuSeenNanos;

    Child(
            String label,
            int generation,
            Ladder ladder,
            VideoConfig video,
            boolean hasAudio,
            Transcoder.Output output,
            LongSupplier nanoClock)
            throws IOException {
        this.label = label;
        this.generation = generation;
        this.output = output;
        this.nanoClock = nanoClock;
        this.hasAudio = hasAudio;
        int rungs = ladder.rungs().size();
        this.outputPts = new AtomicLongArray(rungs);
        this.outputNanos = new AtomicLongArray(rungs);
        this.dir = Files.createTempDirectory(
                "openivs-tc", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<String> addresses = new ArrayList<>(rungs);
        try {
            for (int i = 0; i < rungs; i++) {
                Path socket = dir.resolve("r" + i + ".sock");
                ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(socket));
                servers.add(server);
                addresses.add("unix:" + socket);
                outputPts.set(i, Long.MIN_VALUE);
            }
            List<String> args = TranscodeCommand.args(ladder, video.frameRate(), hasAudio, addresses);
            this.process = FfmpegExecutables.builder(Transcoder.ffmpeg(), args).start();
        } catch (IOException | RuntimeException e) {
            closeSockets();
            deleteDir();
            throw e;
        }
        this.startedNanos = nanoClock.getAsLong();
        this.lastUsageNanos = startedNanos;
        this.stdin = process.getOutputStream();
        for (int i = 0; i < rungs; i++) {
            int rung = i;
            thread("r" + i, () -> read(rung));
        }
        thread("err", this::readErrors);
        process.onExit().thenRun(() -> {
            if (reason == null) {
                reason = "exited with status " + process.exitValue();
            }
            closeSockets(); // a reader still waiting for a connection gives up
        });
    }

    private void thread(String name, Runnable body) {
        Thread t = new Thread(body, "transcode-" + label + "-" + generation + "-" + name);
        t.setDaemon(true);
        t.start();
    }

    long pid() {
        return process.pid();
    }

    int generation() {
        return generation;
    }

    /** Seconds of CPU the child had used when the watchdog last looked. Any thread. */
    double cpuSeconds() {
        return cpuSeenNanos / 1e9;
    }

    long startedNanos() {
        return startedNanos;
    }

    String reason() {
        return reason == null ? "unknown" : reason;
    }

    /** Whether the child was started with the source's audio mapped. */
    boolean hasAudio() {
        return hasAudio;
    }

    boolean alive() {
        return reason == null && process.isAlive();
    }

    /** Feeder thread: the source's next bytes; blocks while ffmpeg does not read. */
    void write(ByteBuf ts, long pts) throws IOException {
        inputPts = pts;
        inputNanos = nanoClock.getAsLong();
        writingSince = inputNanos;
        try {
            Transcoder.writeTo(stdin, ts);
            stdin.flush();
        } finally {
            writingSince = 0;
        }
    }

    /** Watchdog: why the child should be killed now, or null. */
    String unhealthy(long now) {
        if (now - startedNanos < Transcoder.START_GRACE_NANOS) {
            return null;
        }
        long in = inputPts;
        // Silence counts while the source flows (a feeder blocked on a stalled child's stdin counts too).
        boolean fed = now - inputNanos < Transcoder.SILENCE_NANOS || inputNanos == 0;
        for (int i = 0; i < outputPts.length(); i++) {
            long at = outputNanos.get(i);
            long silentSince = Math.max(at == 0 ? startedNanos + Transcoder.START_GRACE_NANOS : at, 0);
            if (now - silentSince > Transcoder.SILENCE_NANOS && (fed || stalledWriting())) {
                return "rung " + i + " silent";
            }
            long out = outputPts.get(i);
            if (in != Long.MIN_VALUE && out != Long.MIN_VALUE && in - out > Transcoder.MAX_LAG_TICKS) {
                return "fell " + (in - out) / 90 + " ms behind real time";
            }
        }
        return null;
    }

    /**
     * Watchdog: the child's CPU (as a share of one core) since the last report, once a minute, else null.
     * What a transcoded stream costs is an operator's first question about it.
     */
    String usage(long now) {
        long cpu = process.info()
                .totalCpuDuration()
                .map(java.time.Duration::toNanos)
                .orElse(-1L);
        if (cpu < 0) {
            return null;
        }
        cpuSeenNanos = cpu; // a dead process has no CPU time to read: the last sample is what its end reports
        if (now - lastUsageNanos < USAGE_EVERY_NANOS) {
            return null;
        }
        double share = (cpu - lastCpuNanos) * 100.0 / (now - lastUsageNanos);
        lastUsageNanos = now;
        lastCpuNanos = cpu;
        return String.format(
                java.util.Locale.ROOT,
                "%.0f %% of a core over the last minute, %d s of CPU in all",
                share,
                cpu / 1_000_000_000L);
    }

    /** Whether the feeder has been inside a write for longer than the silence allowance. */
    private boolean stalledWriting() {
        long since = writingSince;
        return since != 0 && nanoClock.getAsLong() - since > Transcoder.SILENCE_NANOS;
    }

    /** Any thread: ends the process (the readers and the feeder's write end with it). */
    void kill(String why) {
        if (reason == null) {
            reason = why;
        }
        process.destroyForcibly();
        closeSockets();
        try {
            stdin.close();
        } catch (IOException ignored) {
            // a dead child's pipe
        }
    }

    /** Releases the directory; after {@link #kill} or the child's exit. */
    void close() {
        kill(reason());
        deleteDir();
    }

    // --- reader threads

    private void read(int rung) {
        ServerSocketChannel server = servers.get(rung);
        Sink sink = new Sink(rung);
        TsDemuxer demuxer = new TsDemuxer(PooledByteBufAllocator.DEFAULT, sink);
        demuxer.countFrom(INPUT_SHIFT);
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        ByteBuf view = Unpooled.wrappedBuffer(buffer);
        try (SocketChannel in = server.accept()) {
            synchronized (connections) {
                connections.add(in);
            }
            while (in.read(buffer.clear()) >= 0) {
                view.setIndex(0, buffer.position());
                demuxer.feed(view);
                sink.flush();
            }
            demuxer.flush();
            sink.flush();
        } catch (IOException e) {
            // closed by kill(), or the child went
        } finally {
            sink.discard();
            demuxer.close();
        }
    }

    private void readErrors() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String clean = escape(line);
                log.debug("transcoder {} ffmpeg: {}", label, clean);
                synchronized (lastErrors) {
                    if (lastErrors.size() == STDERR_LINES) {
                        lastErrors.removeFirst();
                    }
                    lastErrors.addLast(clean);
                }
            }
        } catch (IOException ignored) {
            // the child went
        }
        try {
            process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String why = reason != null ? reason : process.isAlive() ? null : "exited with status " + process.exitValue();
        if (why != null && !"session end".equals(why) && !"closed".equals(why)) {
            synchronized (lastErrors) {
                if (!lastErrors.isEmpty()) {
                    log.warn(
                            "transcoder {} child {} ended ({}); ffmpeg said: {}",
                            label,
                            generation,
                            why,
                            String.join(" | ", lastErrors));
                }
            }
        }
    }

    private static String escape(String line) {
        StringBuilder b = new StringBuilder(Math.min(line.length(), MAX_LINE));
        for (int i = 0; i < line.length() && b.length() < MAX_LINE; i++) {
            char c = line.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    private void closeSockets() {
        for (ServerSocketChannel s : servers) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        synchronized (connections) {
            for (SocketChannel c : connections) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    private void deleteDir() {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp directory left behind
        }
    }

    /** Gathers one read's frames of a rung and passes them on in one call. Reader thread. */
    private final class Sink implements MediaSink {
        private final int rung;
        private List<MediaFrame> frames = new ArrayList<>();

        Sink(int rung) {
            this.rung = rung;
        }

        @Override
        public void onSessionStart() {}

        @Override
        public void onVideoConfig(VideoConfig config) {
            flush();
            output.videoConfig(generation, rung, config);
        }

        @Override
        public void onAudioConfig(AudioConfig config) {
            flush();
            output.audioConfig(generation, rung, config);
        }

        @Override
        public void onFrame(MediaFrame frame) {
            frames.add(frame.retain());
            if (frame.isVideo()) {
                outputPts.set(rung, frame.pts());
                outputNanos.set(rung, nanoClock.getAsLong());
            }
        }

        @Override
        public void onSessionEnd() {}

        void flush() {
            if (!frames.isEmpty()) {
                List<MediaFrame> batch = frames;
                frames = new ArrayList<>();
                output.frames(generation, rung, batch);
            }
        }

        void discard() {
            frames.forEach(MediaFrame::release);
            frames.clear();
        }
    }
}
