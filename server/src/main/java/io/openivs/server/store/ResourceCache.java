package io.openivs.server.store;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resources read by ARN, kept in memory and dropped on every write that touches them.
 *
 * <p>Coherent only when every write to the database goes through the store that owns this cache: true for an
 * SQLite file, which one process holds (see {@link JdbcResourceStore}); never used for PostgreSQL, where other
 * nodes write too.
 *
 * <p>A reader must not keep a row that a write has replaced, nor one read while a write was committing (or a
 * reader that saw the new row could then be answered the old one). The write counter is bumped when a write
 * starts and again when it has ended (so it is odd while one runs; there is one writer at a time). Readers note
 * it before they read ({@link #stamp}) and keep the row only if it was even then and has not moved since;
 * writers drop the rows they touched after the second bump.
 */
final class ResourceCache {
    private final int maxEntries;
    private final ConcurrentHashMap<String, StoredResource> byArn = new ConcurrentHashMap<>();
    private final AtomicLong writes = new AtomicLong();

    ResourceCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    StoredResource get(String arn) {
        return byArn.get(arn);
    }

    long stamp() {
        return writes.get();
    }

    /** Keeps a row read from the database by a reader that called {@link #stamp} before reading. */
    void offer(StoredResource r, long stamp) {
        if ((stamp & 1) != 0) {
            return;
        }
        if (byArn.size() >= maxEntries) {
            byArn.clear(); // a backstop, not an eviction policy: the working set of a deployment is far smaller
        }
        // Atomic with the writer's removal of the same ARN: either this runs first and the writer drops it, or
        // the writer's bump is already visible here and the row is not kept.
        byArn.compute(r.arn(), (arn, old) -> writes.get() == stamp ? r : old);
    }

    /** Rows deleted as the children of a parent, whose ARNs the writer did not see. */
    record Children(String type, String parentArn) {}

    /** Before a write transaction starts. */
    void writing() {
        writes.incrementAndGet();
    }

    /** After a write transaction ended (committed or not): forgets the rows it touched. */
    void written(Collection<String> arns, Collection<Children> children) {
        writes.incrementAndGet();
        forget(arns, children);
    }

    /**
     * Drops rows now. A write calls it as it changes each row (while the counter is odd, so no reader can put
     * the row back) and again when it has ended.
     */
    void forget(Collection<String> arns, Collection<Children> children) {
        for (String arn : arns) {
            byArn.remove(arn);
        }
        for (Children c : children) {
            byArn.values()
                    .removeIf(r -> c.type().equals(r.type()) && c.parentArn().equals(r.parent()));
        }
    }
}
