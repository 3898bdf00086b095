package io.openivs.server.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;

/**
 * The console's files, read from the jar once at start: its page, script and style, and hls.js from the
 * hls.js webjar (a dependency of the server, so nothing is fetched from a CDN at run time).
 */
final class ConsoleAssets {
    /** A file and its content type. */
    record Asset(byte[] bytes, String contentType) {}

    private static final String OWN = "/io/openivs/server/console/";
    private static final String HLS_POM = "/META-INF/maven/org.webjars.npm/hls.js/pom.properties";

    private final Map<String, Asset> byName;

    ConsoleAssets() {
        this.byName = Map.of(
                "index.html", new Asset(read(OWN + "index.html"), "text/html; charset=utf-8"),
                "console.js", new Asset(read(OWN + "console.js"), "text/javascript; charset=utf-8"),
                "console.css", new Asset(read(OWN + "console.css"), "text/css; charset=utf-8"),
                "hls.min.js",
                        new Asset(
                                read("/META-INF/resources/webjars/hls.js/" + hlsVersion() + "/dist/hls.min.js"),
                                "text/javascript; charset=utf-8"));
    }

    /** The file named (after {@code /console/}), or null. */
    Asset get(String name) {
        return byName.get(name);
    }

    private static String hlsVersion() {
        Properties p = new Properties();
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(HLS_POM)) {
            if (in == null) {
                throw new IllegalStateException("the hls.js webjar is not on the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + HLS_POM, e);
        }
        return p.getProperty("version");
    }

    private static byte[] read(String resource) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("console file missing from the jar: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
