package io.openivs.server.control.spi;

import java.util.concurrent.CompletionStage;

/** Decides whether a recording configuration's bucket is usable; completes exceptionally with the reason if not. */
@FunctionalInterface
public interface BucketCheck {
    CompletionStage<Void> writable(String bucket);
}
