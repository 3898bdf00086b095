package io.openivs.server.recording;

import java.io.IOException;

/** Object storage that recordings are written to: any S3 API, or folders on this machine. */
public interface Destination extends AutoCloseable {

    /** Stores (or replaces) one object. Throws when the store cannot be reached or refuses. */
    void put(String bucket, String key, byte[] body, String contentType) throws IOException;

    /** Succeeds if {@code bucket} exists and accepts writes; throws with the reason otherwise. */
    void checkWritable(String bucket) throws IOException;

    /** For logs and the start-up banner; never holds a secret. */
    String describe();

    @Override
    default void close() {}
}
