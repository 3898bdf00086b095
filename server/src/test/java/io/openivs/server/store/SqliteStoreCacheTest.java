package io.openivs.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.testing.TestDatabases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite store's in-memory reads by ARN never answer anything but the committed row. */
class SqliteStoreCacheTest {
    private static final StoreKey KEY = StoreKey.random();
    private static final String ACCOUNT = "123456789012";
    private static final String REGION = "us-west-2";

    @TempDir
    Path dir;

    private JdbcResourceStore store;

    @BeforeEach
    void open() {
        store = JdbcResourceStore.open(TestDatabases.sqlite(dir), KEY);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static StoredResource row(String type, String id, String parent, String doc) {
        String arn = "arn:aws:ivs:" + REGION + ":" + ACCOUNT + ":" + type + "/" + id;
        return new StoredResource(arn, ACCOUNT, REGION, type, id, System.nanoTime() / 1000, parent, null, 1, doc);
    }

    private Optional<StoredResource> read(String arn) {
        return store.read(tx -> tx.get(arn));
    }

    @Test
    void updatesAndDeletesAreSeenAtOnce() {
        StoredResource ch = row("channel", "aaaaaaaaaaaa", null, "{\"name\":\"one\"}");
        store.write(tx -> {
            tx.insert(ch);
            return null;
        });
        assertThat(read(ch.arn())).contains(ch);
        assertThat(store.cached(ch.arn())).isEqualTo(ch);

        store.write(tx -> tx.update(ch.withDoc("{\"name\":\"two\"}")));
        assertThat(read(ch.arn()).orElseThrow().doc()).isEqualTo("{\"name\":\"two\"}");
        assertThat(store.cached(ch.arn()).version()).isEqualTo(2);

        store.write(tx -> tx.delete(ch.arn()));
        assertThat(store.cached(ch.arn())).isNull();
        assertThat(read(ch.arn())).isEmpty();
    }

    @Test
    void listingsShowTheCurrentRows() {
        List<StoredResource> rows = new ArrayList<>();
        for (String id : List.of("ffffffffff01", "ffffffffff02", "ffffffffff03")) {
            rows.add(row("channel", id, null, "{\"id\":\"" + id + "\"}"));
        }
        store.write(tx -> {
            rows.forEach(tx::insert);
            return null;
        });
        assertThat(list()).containsExactlyElementsOf(rows);
        assertThat(list()).containsExactlyElementsOf(rows); // now from memory

        store.write(tx -> tx.update(rows.get(1).withDoc("{\"changed\":true}")));
        store.write(tx -> tx.delete(rows.get(2).arn()));
        List<StoredResource> now = list();
        assertThat(now)
                .extracting(StoredResource::doc)
                .containsExactly(rows.get(0).doc(), "{\"changed\":true}");
        assertThat(now.get(1).version()).isEqualTo(2);
    }

    private List<StoredResource> list() {
        return store.read(tx -> tx.list(ACCOUNT, REGION, "channel", null, 100));
    }

    @Test
    void deletedChildrenLeaveTheCache() {
        StoredResource ch = row("channel", "bbbbbbbbbbbb", null, "{}");
        StoredResource key = row("stream-key", "cccccccccccc", ch.arn(), "{}");
        store.write(tx -> {
            tx.insert(ch);
            tx.insert(key);
            return null;
        });
        assertThat(read(key.arn())).isPresent();
        assertThat(store.cached(key.arn())).isNotNull();
        store.write(tx -> tx.deleteChildren("stream-key", ch.arn()));
        assertThat(store.cached(key.arn())).isNull();
        assertThat(read(key.arn())).isEmpty();
    }

    @Test
    void aRolledBackWriteLeavesNothingBehind() {
        StoredResource ch = row("channel", "dddddddddddd", null, "{\"v\":1}");
        store.write(tx -> {
            tx.insert(ch);
            return null;
        });
        read(ch.arn());
        assertThatThrownBy(() -> store.write(tx -> {
                    tx.update(ch.withDoc("{\"v\":2}"));
                    assertThat(tx.get(ch.arn()).orElseThrow().doc())
                            .isEqualTo("{\"v\":2}"); // the transaction sees its own write
                    throw new IllegalStateException("abandon");
                }))
                .hasMessage("abandon");
        assertThat(read(ch.arn()).orElseThrow().doc()).isEqualTo("{\"v\":1}");
        assertThat(store.cached(ch.arn()).doc()).isEqualTo("{\"v\":1}");
    }

    /** Readers racing a writer: once the writer is done, memory holds exactly the last committed row. */
    @Test
    void readersRacingAWriterNeverKeepAnOldRow() throws Exception {
        StoredResource ch = row("channel", "eeeeeeeeeeee", null, "{\"n\":0}");
        store.write(tx -> {
            tx.insert(ch);
            return null;
        });
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Thread> readers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread reader = new Thread(() -> {
                long lastSeen = 0;
                while (writing.get()) {
                    long v = read(ch.arn()).orElseThrow().version();
                    if (v < lastSeen) {
                        synchronized (failures) {
                            failures.add(new AssertionError("version went back from " + lastSeen + " to " + v));
                        }
                    }
                    lastSeen = v;
                }
            });
            reader.start();
            readers.add(reader);
        }
        long deadline = System.currentTimeMillis() + 2_000;
        int n = 0;
        while (System.currentTimeMillis() < deadline) {
            int next = ++n;
            boolean updated =
                    store.write(tx -> tx.update(tx.get(ch.arn()).orElseThrow().withDoc("{\"n\":" + next + "}")));
            assertThat(updated).isTrue();
            // A write that returned is visible to every later read.
            assertThat(read(ch.arn()).orElseThrow().doc()).isEqualTo("{\"n\":" + next + "}");
        }
        writing.set(false);
        for (Thread r : readers) {
            r.join();
        }
        assertThat(failures).isEmpty();
        assertThat(n).isGreaterThan(10);
        StoredResource last = read(ch.arn()).orElseThrow();
        assertThat(last.doc()).isEqualTo("{\"n\":" + n + "}");
        assertThat(last.version()).isEqualTo(n + 1L);
    }

    @Test
    void aSecondServerOnTheSameFileIsRefused() {
        assertThatThrownBy(() -> JdbcResourceStore.open(TestDatabases.sqlite(dir), KEY))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("in use by another openivs server");
    }
}
