package io.openivs.server.ingest.srt;

import java.util.Optional;

/**
 * Reads a caller's stream id: either the plain resource (a stream key) or SRT's access-control
 * syntax {@code #!::key=value,...} (libsrt's AccessControl document: {@code r} the resource name,
 * {@code m} the mode, {@code u} the user, {@code s} a session, {@code t} the type). A publisher
 * must not ask for another mode than {@code publish}.
 */
public final class StreamIdSyntax {

    private static final String PREFIX = "#!::";

    private StreamIdSyntax() {}

    /**
     * The resource (stream key) a publisher names, or empty when the stream id asks for a mode
     * other than publishing or names no resource.
     */
    public static Optional<String> publishResource(String streamId) {
        if (streamId == null || streamId.isEmpty()) {
            return Optional.empty();
        }
        if (!streamId.startsWith(PREFIX)) {
            return Optional.of(streamId);
        }
        String resource = null;
        String mode = null;
        for (String pair : streamId.substring(PREFIX.length()).split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = pair.substring(0, eq);
            String value = pair.substring(eq + 1);
            if (key.equals("r")) {
                resource = value;
            } else if (key.equals("m")) {
                mode = value;
            }
        }
        if (resource == null || resource.isEmpty() || (mode != null && !mode.equals("publish"))) {
            return Optional.empty();
        }
        return Optional.of(resource);
    }
}
