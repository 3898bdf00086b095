package io.openivs.server.media.ffmpeg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Loader;

/**
 * The ffmpeg and ffprobe executables shipped in the bytedeco jar, unpacked by JavaCPP, and the
 * environment they need to start.
 */
public final class FfmpegExecutables {
    private static Path libraryLinks;

    private FfmpegExecutables() {}

    /** Path of the ffmpeg executable. */
    public static String ffmpeg() throws IOException {
        return locate(org.bytedeco.ffmpeg.ffmpeg.class);
    }

    /** Path of the ffprobe executable. */
    public static String ffprobe() throws IOException {
        return locate(org.bytedeco.ffmpeg.ffprobe.class);
    }

    /** A process builder for {@code executable} with the library path it needs. */
    public static ProcessBuilder builder(String executable, List<String> args) throws IOException {
        List<String> command = new java.util.ArrayList<>(args.size() + 1);
        command.add(executable);
        command.addAll(args);
        ProcessBuilder b = new ProcessBuilder(command);
        b.environment().put("LD_LIBRARY_PATH", libraryDir().toString());
        return b;
    }

    private static String locate(Class<?> program) throws IOException {
        // The build ships only the GPL natives (libx264): look for those unless told otherwise.
        if (System.getProperty("org.bytedeco.javacpp.platform.extension") == null) {
            System.setProperty("org.bytedeco.javacpp.platform.extension", "-gpl");
        }
        String path = Loader.load(program);
        linkLibraries(Path.of(path).getParent());
        return path;
    }

    private static synchronized Path libraryDir() throws IOException {
        if (libraryLinks == null) {
            ffmpeg();
        }
        return libraryLinks;
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
}
