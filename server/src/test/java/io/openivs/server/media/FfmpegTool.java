package io.openivs.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;

/** Runs the real ffmpeg and ffprobe executables shipped in the bytedeco jar. */
public final class FfmpegTool {

    /** What a finished process printed. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    private static Path libraryLinks;

    private FfmpegTool() {
    }

    public static Result ffmpeg(String... args) throws IOException, InterruptedException {
        return run(executable(org.bytedeco.ffmpeg.ffmpeg.class), args);
    }

    public static Result ffprobe(String... args) throws IOException, InterruptedException {
        return run(executable(org.bytedeco.ffmpeg.ffprobe.class), args);
    }

    private static String executable(Class<?> program) throws IOException {
        String path = Loader.load(program);
        linkLibraries(Path.of(path).getParent());
        return path;
    }

    /**
     * The executables need libva.so.2 and libva-drm.so.2, which the jar ships unversioned: give
     * them those names in a directory of our own rather than touching JavaCPP's cache.
     */
    private static synchronized void linkLibraries(Path cacheDir) throws IOException {
        if (libraryLinks != null) {
            return;
        }
        Path dir = Files.createTempDirectory("openivs-ffmpeg-libs");
        dir.toFile().deleteOnExit();
        for (String name : List.of("libva", "libva-drm")) {
            Path target = cacheDir.resolve(name + ".so");
            if (Files.exists(target)) {
                Path link = Files.createSymbolicLink(dir.resolve(name + ".so.2"), target);
                link.toFile().deleteOnExit();
            }
        }
        libraryLinks = dir;
    }

    private static Result run(String executable, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(List.of(args));
        Path out = Files.createTempFile("ffmpeg-out", ".txt");
        Path err = Files.createTempFile("ffmpeg-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("LD_LIBRARY_PATH", libraryLinks.toString());
            Process process = builder
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
