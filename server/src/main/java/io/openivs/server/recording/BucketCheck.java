package io.openivs.server.recording;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Decides whether a recording configuration's bucket is usable; completes exceptionally with the reason if not. */
@FunctionalInterface
public interface BucketCheck {
    /** Accepts every bucket at once, for a node that records nowhere. */
    BucketCheck ANY = bucket -> CompletableFuture.completedFuture(null);

    CompletionStage<Void> writable(String bucket);
}
