// Prints the path of the ffmpeg executable bundled in the openivs jar (JavaCPP unpacks it into its cache),
// after giving libva its versioned names in the directory given as argument (add it to LD_LIBRARY_PATH).
// Run as a single-file program: java -cp openivs.jar FindFfmpeg.java LIBDIR
import java.nio.file.Files;
import java.nio.file.Path;

public class FindFfmpeg {
    public static void main(String[] args) throws Exception {
        String exe = org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        Path cache = Path.of(exe).getParent();
        Path libs = Files.createDirectories(Path.of(args[0]));
        for (String name : new String[] {"libva", "libva-drm"}) {
            Path target = cache.resolve(name + ".so");
            Path link = libs.resolve(name + ".so.2");
            if (Files.exists(target) && !Files.exists(link)) {
                Files.createSymbolicLink(link, target);
            }
        }
        System.out.println(exe);
    }
}
