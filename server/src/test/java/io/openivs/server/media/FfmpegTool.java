package io.openivs.server.media;

import io.openivs.server.media.ffmpeg.FfmpegExecutables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real ffmpeg and ffprobe executables shipped in the bytedeco jar. */
public final class FfmpegTool {

    /** What a finished process printed. */
    public record Result(int exitCode, String stdout, String stderr) {}

    private FfmpegTool() {}

    public static Result ffmpeg(String... args) throws IOException, InterruptedException {
        return run(FfmpegExecutables.ffmpeg(), args);
    }

    public static Result ffprobe(String... args) throws IOException, InterruptedException {
        return run(FfmpegExecutables.ffprobe(), args);
    }

    private static Result run(String executable, String... args) throws IOException, InterruptedException {
        List<String> command = List.of(args);
        Path out = Files.createTempFile("ffmpeg-out", ".txt");
        Path err = Files.createTempFile("ffmpeg-err", ".txt");
        try {
            Process process = FfmpegExecutables.builder(executable, command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
