package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Netty's buffer leak detector to paranoid (every buffer tracked) and records what it reports, so a
 * test can fail on a leak instead of it scrolling past in the log. Leaks surface only after the leaked buffer
 * is garbage collected and a later allocation polls the detector, hence {@link #collect}.
 *
 * <p>Other test classes run in the same JVM first, on Netty's default level (one buffer in 128 tracked, with no
 * access records). A leak of theirs can surface here; such a report has no access record, while every buffer
 * tracked at the paranoid level records each touch, so those are printed, not counted against the class that
 * happens to poll next.
 */
final class LeakRecorder {
    private static final List<String> leaks = new ArrayList<>();
    private static boolean installed;

    private LeakRecorder() {}

    static synchronized void install() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        if (installed) {
            return;
        }
        try {
            // The detector every ByteBuf reports to is a package-private static of AbstractByteBuf.
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) f.get(null);
            detector.setLeakListener((type, records) -> {
                if (sampledBeforeInstall(records)) {
                    System.err.println("LEAK from an earlier test class (sampled, not counted here): " + records);
                    return;
                }
                synchronized (LeakRecorder.class) {
                    leaks.add(type + ": " + records);
                }
            });
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot hook Netty's leak detector", e);
        }
        installed = true;
    }

    /** Netty prints a paranoid-tracked buffer's touches between these two headings; a sampled one has none. */
    private static boolean sampledBeforeInstall(String records) {
        int recent = records.indexOf("Recent access records:");
        int created = records.indexOf("Created at:");
        return recent >= 0
                && created > recent
                && records.substring(recent + 22, created).isBlank();
    }

    /** Garbage-collects and polls the detector so that leaked buffers are reported; returns what was reported. */
    static List<String> collect() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            for (int j = 0; j < 50; j++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(8);
                probe.release();
            }
        }
        synchronized (LeakRecorder.class) {
            return new ArrayList<>(leaks);
        }
    }

    static synchronized void clear() {
        leaks.clear();
    }

    static void assertNoLeaks() {
        List<String> found = collect();
        assertThat(found).as("buffers leaked").isEmpty();
    }
}
