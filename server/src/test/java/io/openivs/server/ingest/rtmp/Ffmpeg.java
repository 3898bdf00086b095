package io.openivs.server.ingest.rtmp;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Loader;

/** The real ffmpeg executable shipped in the bytedeco jar, publishing a generated test stream. */
final class Ffmpeg {
    private static String executable;
    private static Path sonameLinks;

    private Ffmpeg() {}

    static synchronized String executable() {
        if (executable == null) {
            executable = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
            sonameLinks = sonameLinks(Path.of(executable).getParent());
        }
        return executable;
    }

    /**
     * The jar ships libva as libva.so / libva-drm.so, but ffmpeg asks for their sonames (libva.so.2,
     * libva-drm.so.2), which the extraction does not always create. Links in a private directory on
     * LD_LIBRARY_PATH fill the gap without touching the shared cache.
     */
    private static Path sonameLinks(Path libDir) {
        try {
            Path dir = Files.createTempDirectory("ffmpeg-sonames");
            dir.toFile().deleteOnExit();
            for (String lib : List.of("libva", "libva-drm")) {
                Path plain = libDir.resolve(lib + ".so");
                Path soname = dir.resolve(lib + ".so.2");
                if (Files.exists(plain) && !Files.exists(libDir.resolve(lib + ".so.2"))) {
                    Files.createSymbolicLink(soname, plain);
                    soname.toFile().deleteOnExit();
                }
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare ffmpeg's library links", e);
        }
    }

    /** Starts publishing {@code seconds} of 640x360 30 fps H.264 + AAC in real time to {@code url}. */
    static Process publish(String url, double seconds, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                executable(),
                "-hide_banner",
                "-nostdin",
                "-loglevel",
                "warning",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=640x360:rate=30",
                "-re",
                "-f",
                "lavfi",
                "-i",
                "sine",
                "-t",
                String.valueOf(seconds),
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "30",
                "-c:a",
                "aac"));
        if (url.startsWith("rtmps:")) {
            cmd.addAll(List.of("-tls_verify", "0"));
        }
        cmd.addAll(List.of("-f", "flv", url));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().merge("LD_LIBRARY_PATH", sonameLinks.toString(), (old, add) -> add + File.pathSeparator + old);
        return pb.redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(log.toFile())
                .start();
    }

    static String log(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
