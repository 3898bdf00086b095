package io.openivs.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * {@link ResourceStore} over JDBC, for SQLite and PostgreSQL alike.
 *
 * <p>SQLite allows one writer at a time; rather than letting connections
 * fight over the lock (SQLITE_BUSY), writes go through exactly one
 * connection whose transactions start IMMEDIATE, and reads use a separate
 * set of connections, which WAL lets run beside the writer. WAL with synchronous=NORMAL
 * keeps every committed transaction across a killed process (kill -9); only a
 * power loss can drop the last commits, which FULL would also cover at the
 * cost of an fsync per write. SQLite connections keep their prepared statements.
 *
 * <p>An SQLite file belongs to one process (a lock file next to it says so), so every write passes through
 * this store and resources read by ARN are cached in memory ({@link ResourceCache}), dropped on each write
 * that touches them. PostgreSQL is shared by several nodes and is never cached: each read goes to the database.
 *
 * <p>Over 500 lines on purpose: it is the one implementation of {@link ResourceStore}'s ~40 statements, each a
 * few lines of SQL and row mapping that read best beside the transaction and dialect rules they share.
 */
public final class JdbcResourceStore implements ResourceStore {
    static final String COLS = "arn, account, region, type, id, created, parent, lookup, version, doc";
    private static final String SESSION_COLS =
            "stream_id, channel_arn, account, region, start_time, end_time, node, heartbeat, stop_requested, has_error, doc";
    /** Enough for every resource of a large single-node deployment; past it the cache starts over. */
    private static final int CACHE_ENTRIES = 50_000;

    private final Dialect dialect;
    private final String description;
    // PostgreSQL
    private final HikariDataSource pool;
    // SQLite
    private final SqliteConnections readers;
    private final SqliteConnections writer;
    private final ResourceCache cache;
    private final FileChannel lockFile;
    /** Wall-clock millis of the last failure to reach the database; 0 if it never failed. */
    private volatile long unreachableAt;

    private final Sealer sealer;

    private JdbcResourceStore(
            Dialect dialect,
            String description,
            HikariDataSource pool,
            SqliteConnections readers,
            SqliteConnections writer,
            FileChannel lockFile,
            Sealer sealer) {
        this.dialect = dialect;
        this.sealer = sealer;
        this.description = description;
        this.pool = pool;
        this.readers = readers;
        this.writer = writer;
        this.lockFile = lockFile;
        this.cache = pool == null ? new ResourceCache(CACHE_ENTRIES) : null;
    }

    /**
     * Opens (and migrates) the database named by a JDBC URL, whose secrets {@code key} seals.
     *
     * @throws StoreKeyMismatchException when the database was sealed with another key
     */
    public static JdbcResourceStore open(String jdbcUrl, StoreKey key) {
        Dialect dialect = Dialect.of(jdbcUrl);
        Sealer sealer = new Sealer(key);
        JdbcResourceStore store = dialect == Dialect.SQLITE
                ? openSqlite(jdbcUrl, sealer)
                : new JdbcResourceStore(
                        dialect,
                        "PostgreSQL " + redact(jdbcUrl),
                        pool(jdbcUrl, "openivs-db", 16),
                        null,
                        null,
                        null,
                        sealer);
        try {
            store.migrate();
        } catch (SQLException e) {
            store.close();
            throw new StoreException("database migration failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static JdbcResourceStore openSqlite(String jdbcUrl, Sealer sealer) {
        String file = jdbcUrl.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        Path path = Path.of(q < 0 ? file : file.substring(0, q));
        try {
            if (path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
        } catch (IOException e) {
            throw new StoreException("cannot create database directory " + path.getParent(), e);
        }
        FileChannel lock = lockExclusively(path.resolveSibling(path.getFileName() + ".openivs-lock"));
        SqliteConnections w = null;
        try {
            w = new SqliteConnections(jdbcUrl, sqliteProps(true), 1, "openivs-db-write");
            int readerCount = Math.max(4, Runtime.getRuntime().availableProcessors());
            SqliteConnections r = new SqliteConnections(jdbcUrl, sqliteProps(false), readerCount, "openivs-db-read");
            return new JdbcResourceStore(Dialect.SQLITE, "SQLite " + path.toAbsolutePath(), null, r, w, lock, sealer);
        } catch (SQLException e) {
            if (w != null) {
                w.close();
            }
            closeQuietly(lock);
            throw new StoreException("cannot open " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The read cache is right only if no other process writes the file: a second server on the same file is
     * refused rather than silently served stale answers.
     */
    private static FileChannel lockExclusively(Path lockPath) {
        FileChannel ch = null;
        FileLock lock;
        try {
            ch = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = ch.tryLock();
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StoreException("cannot lock " + lockPath + ": " + e.getMessage(), e);
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it already
        }
        if (lock == null) {
            closeQuietly(ch);
            throw new StoreException(
                    "the database is in use by another openivs server (" + lockPath + " is locked);"
                            + " an SQLite database serves one server, use PostgreSQL for several",
                    null);
        }
        return ch;
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close(); // releases the lock
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void migrate() throws SQLException {
        if (pool != null) {
            try (Connection c = pool.getConnection()) {
                Migrations.apply(c, dialect);
                StoreSealing.apply(c, dialect, sealer);
            }
            return;
        }
        SqliteConnections.Handle h = writer.take();
        try {
            Migrations.apply(h.connection, dialect);
            StoreSealing.apply(h.connection, dialect, sealer);
        } finally {
            writer.give(h);
        }
    }

    private static Properties sqliteProps(boolean writer) {
        Properties p = new Properties();
        p.setProperty("journal_mode", "WAL");
        p.setProperty("synchronous", "NORMAL");
        p.setProperty("busy_timeout", "10000");
        p.setProperty("foreign_keys", "true");
        if (writer) {
            p.setProperty("transaction_mode", "IMMEDIATE");
        }
        return p;
    }

    private static HikariDataSource pool(String url, String name, int size) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setPoolName(name);
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(Math.min(2, size));
        // While the database is down every call waits this long for a connection before failing (503 at the
        // API), so it is short: a reachable server on a LAN answers in milliseconds.
        cfg.setConnectionTimeout(3_000);
        cfg.setValidationTimeout(2_000);
        cfg.setInitializationFailTimeout(10_000);
        // A server that vanishes without closing its sockets must not hold a worker forever: the driver gives
        // up on an unanswered statement after 30 s (the URL may say otherwise) and probes idle sockets.
        cfg.addDataSourceProperty("socketTimeout", "30");
        cfg.addDataSourceProperty("tcpKeepAlive", "true");
        return new HikariDataSource(cfg);
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public boolean soleWriter() {
        return dialect == Dialect.SQLITE; // the file is locked to this process (lockExclusively)
    }

    @Override
    public StoredResource cached(String arn) {
        return cache == null ? null : cache.get(arn);
    }

    @Override
    public <T> T read(Work<T> work) {
        if (pool != null) {
            try (Connection c = pool.getConnection()) {
                return work.run(new JdbcTx(c, null, false));
            } catch (SQLException e) {
                throw failed("database read failed: ", e);
            }
        }
        // A connection is taken only when a statement needs one: reads answered from the cache take none.
        JdbcTx tx = new JdbcTx(null, null, false);
        try {
            return work.run(tx);
        } finally {
            if (tx.handle != null) {
                readers.give(tx.handle);
            }
        }
    }

    @Override
    public <T> T write(Work<T> work) {
        if (pool != null) {
            try (Connection c = pool.getConnection()) {
                return inTransaction(c, new JdbcTx(c, null, true), work);
            } catch (SQLException e) {
                throw failed("database write failed: ", e);
            }
        }
        JdbcTx tx;
        try {
            SqliteConnections.Handle h = writer.take();
            tx = new JdbcTx(h.connection, h, true);
        } catch (SQLException e) {
            throw new StoreException("database write failed: " + e.getMessage(), e);
        }
        cache.writing();
        try {
            return inTransaction(tx.c, tx, work);
        } catch (SQLException e) {
            throw failed("database write failed: ", e);
        } finally {
            // After commit or rollback, before the next writer may start.
            cache.written(tx.touched, tx.deletedChildren);
            writer.give(tx.handle);
        }
    }

    private static <T> T inTransaction(Connection c, JdbcTx tx, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(tx);
            c.commit();
            return result;
        } catch (RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException lost) {
                e.addSuppressed(lost); // a dead connection rolls back by itself; the statement's failure says why
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException lost) {
                // only on a broken connection, which the pool evicts; the outcome is already decided
            }
        }
    }

    /**
     * The exception for a failed call: {@link StoreUnavailableException} when the database could not be
     * reached, which also notes the time for {@link #lastUnreachable}.
     */
    private StoreException failed(String what, SQLException e) {
        if (unreachable(e)) {
            unreachableAt = System.currentTimeMillis();
            return new StoreUnavailableException(what + e.getMessage(), e);
        }
        return new StoreException(what + e.getMessage(), e);
    }

    /** Connection-level failures: refused, broken or timed out, or a server shutting down or starting. */
    static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.net.SocketException
                    || t instanceof java.io.EOFException
                    || t instanceof java.net.SocketTimeoutException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                // 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public long lastUnreachable() {
        return unreachableAt;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
            return;
        }
        readers.close();
        writer.close();
        closeQuietly(lockFile);
    }

    /** Which state of a row a listing saw: a re-created ARN has a new creation time, a changed one a new version. */
    private record RowVersion(String arn, long version, long created) {}

    @FunctionalInterface
    private interface RowsReader<R> {
        R read(PreparedStatement p) throws SQLException;
    }

    /**
     * The statements of one read or write. On SQLite it holds a connection with reusable statements (a read
     * takes one on its first statement); on PostgreSQL a pooled connection whose driver caches statements
     * itself, so each statement is closed after use.
     */
    private final class JdbcTx implements Tx {
        private Connection c;
        private SqliteConnections.Handle handle;
        private final boolean writing;
        /** SQLite writes: what the cache must forget when the transaction ends. */
        final List<String> touched = new ArrayList<>(2);

        final List<ResourceCache.Children> deletedChildren = new ArrayList<>(0);

        JdbcTx(Connection c, SqliteConnections.Handle handle, boolean writing) {
            this.c = c;
            this.handle = handle;
            this.writing = writing;
        }

        private PreparedStatement statement(String sql) throws SQLException {
            if (pool != null) {
                return c.prepareStatement(sql);
            }
            if (handle == null) {
                handle = readers.take();
                c = handle.connection;
            }
            return handle.prepare(sql);
        }

        /** Closes a PostgreSQL statement; an SQLite one stays prepared (its result set was closed, which resets it). */
        private void done(PreparedStatement p) {
            if (pool != null && p != null) {
                try {
                    p.close();
                } catch (SQLException ignored) {
                    // the connection goes back to the pool, which deals with it
                }
            }
        }

        private RuntimeException fail(SQLException e) {
            if (dialect.isUniqueViolation(e)) {
                return new DuplicateKeyException("duplicate key", e);
            }
            return failed("database statement failed: ", e);
        }

        @Override
        public Optional<StoredResource> get(String arn) {
            if (cache == null || writing) {
                return one("SELECT " + COLS + " FROM resources WHERE arn = ?", arn);
            }
            StoredResource hit = cache.get(arn);
            if (hit != null) {
                return Optional.of(hit);
            }
            long stamp = cache.stamp();
            Optional<StoredResource> r = one("SELECT " + COLS + " FROM resources WHERE arn = ?", arn);
            r.ifPresent(found -> cache.offer(found, stamp));
            return r;
        }

        @Override
        public Optional<StoredResource> byLookup(String type, String lookup) {
            return one(
                    "SELECT " + COLS + " FROM resources WHERE type = ? AND lookup = ?",
                    type,
                    sealer.lookup(type, lookup));
        }

        @Override
        public List<StoredResource> list(String account, String region, String type, Cursor after, int limit) {
            if (cache != null && !writing) {
                List<StoredResource> fromMemory = listFromMemory(account, region, type, after, limit);
                if (fromMemory != null) {
                    return fromMemory;
                }
            }
            return listWhere(COLS, account, region, type, after, limit, this::resources);
        }

        /**
         * SQLite: the page's ARNs and versions from the database, the rows themselves from memory where the cached
         * row is that state ({@link RowVersion}; a document never changes without its version). Null if a row vanished between the
         * two steps; the caller then lists the usual way, so a page is never short by mistake.
         */
        private List<StoredResource> listFromMemory(
                String account, String region, String type, Cursor after, int limit) {
            List<RowVersion> keys = listWhere("arn, version, created", account, region, type, after, limit, p -> {
                try (ResultSet r = p.executeQuery()) {
                    List<RowVersion> out = new ArrayList<>();
                    while (r.next()) {
                        out.add(new RowVersion(r.getString(1), r.getLong(2), r.getLong(3)));
                    }
                    return out;
                }
            });
            List<StoredResource> out = new ArrayList<>(keys.size());
            for (RowVersion key : keys) {
                StoredResource hit = cache.get(key.arn());
                if (hit == null || hit.version() != key.version() || hit.created() != key.created()) {
                    hit = get(key.arn()).orElse(null);
                    if (hit == null) {
                        return null;
                    }
                }
                out.add(hit);
            }
            return out;
        }

        private <R> R listWhere(
                String columns,
                String account,
                String region,
                String type,
                Cursor after,
                int limit,
                RowsReader<R> rows) {
            String sql = "SELECT " + columns + " FROM resources WHERE account = ? AND region = ? AND type = ?"
                    + (after == null ? "" : " AND (created > ? OR (created = ? AND id > ?))")
                    + " ORDER BY created, id LIMIT ?";
            PreparedStatement p = null;
            try {
                p = statement(sql);
                int i = 1;
                p.setString(i++, account);
                p.setString(i++, region);
                p.setString(i++, type);
                if (after != null) {
                    p.setLong(i++, after.created());
                    p.setLong(i++, after.created());
                    p.setString(i++, after.id());
                }
                p.setInt(i, limit);
                return rows.read(p);
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        @Override
        public List<StoredResource> ofType(String type, int limit) {
            PreparedStatement p = null;
            try {
                p = statement("SELECT " + COLS + " FROM resources WHERE type = ? ORDER BY created, id LIMIT ?");
                p.setString(1, type);
                p.setInt(2, limit);
                return resources(p);
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        @Override
        public List<StoredResource> children(String type, String parentArn) {
            PreparedStatement p = null;
            try {
                p = statement("SELECT " + COLS + " FROM resources WHERE type = ? AND parent = ? ORDER BY created, id");
                p.setString(1, type);
                p.setString(2, parentArn);
                return resources(p);
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        @Override
        public long count(String account, String region, String type) {
            PreparedStatement p = null;
            try {
                p = statement("SELECT COUNT(*) FROM resources WHERE account = ? AND region = ? AND type = ?");
                p.setString(1, account);
                p.setString(2, region);
                p.setString(3, type);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        /**
         * Drops a row from the cache as soon as this transaction changes it, not only when it ends: between the
         * commit and the end of the write, readers that miss the cache already see the new row in the database,
         * and one that hit the old cached row after that would see the version go back.
         */
        private void forget(String arn) {
            if (cache != null) {
                cache.forget(List.of(arn), List.of());
            }
        }

        @Override
        public void insert(StoredResource resource) {
            StoredResource x = sealer.seal(resource);
            touched.add(x.arn());
            forget(x.arn());
            PreparedStatement p = null;
            try {
                p = statement("INSERT INTO resources (" + COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                p.setString(1, x.arn());
                p.setString(2, x.account());
                p.setString(3, x.region());
                p.setString(4, x.type());
                p.setString(5, x.id());
                p.setLong(6, x.created());
                p.setString(7, x.parent());
                p.setString(8, x.lookup());
                p.setLong(9, x.version());
                p.setString(10, x.doc());
                p.executeUpdate();
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        @Override
        public boolean update(StoredResource resource) {
            StoredResource x = sealer.seal(resource);
            touched.add(x.arn());
            forget(x.arn());
            PreparedStatement p = null;
            try {
                p = statement("UPDATE resources SET doc = ?, version = version + 1 WHERE arn = ? AND version = ?");
                p.setString(1, x.doc());
                p.setString(2, x.arn());
                p.setLong(3, x.version());
                return p.executeUpdate() == 1;
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        @Override
        public boolean delete(String arn) {
            touched.add(arn);
            forget(arn);
            return exec("DELETE FROM resources WHERE arn = ?", arn) == 1;
        }

        @Override
        public int deleteChildren(String type, String parentArn) {
            deletedChildren.add(new ResourceCache.Children(type, parentArn));
            if (cache != null) {
                cache.forget(List.of(), List.of(new ResourceCache.Children(type, parentArn)));
            }
            return exec("DELETE FROM resources WHERE type = ? AND parent = ?", type, parentArn);
        }

        @Override
        public void insertSession(StreamSessionRow s) {
            PreparedStatement p = null;
            try {
                p = statement(
                        "INSERT INTO stream_sessions (" + SESSION_COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                p.setString(1, s.streamId());
                p.setString(2, s.channelArn());
                p.setString(3, s.account());
                p.setString(4, s.region());
                p.setLong(5, s.startTime());
                if (s.endTime() == null) {
                    p.setNull(6, Types.BIGINT);
                } else {
                    p.setLong(6, s.endTime());
                }
                p.setString(7, s.node());
                p.setLong(8, s.heartbeat());
                p.setInt(9, s.stopRequested() ? 1 : 0);
                p.setInt(10, s.hasError() ? 1 : 0);
                p.setString(11, s.doc());
                p.executeUpdate();
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        @Override
        public Optional<StreamSessionRow> session(String channelArn, String streamId) {
            List<StreamSessionRow> rows = sessionsWhere("channel_arn = ? AND stream_id = ?", channelArn, streamId);
            return rows.stream().findFirst();
        }

        @Override
        public Optional<StreamSessionRow> liveSession(String channelArn, long freshSince) {
            return sessionsWhere(
                            "channel_arn = ? AND end_time IS NULL AND heartbeat >= ? ORDER BY start_time DESC",
                            channelArn,
                            freshSince)
                    .stream()
                    .findFirst();
        }

        @Override
        public List<StreamSessionRow> liveSessions(String account, String region, long freshSince) {
            return sessionsWhere(
                    "account = ? AND region = ? AND end_time IS NULL AND heartbeat >= ? ORDER BY start_time, stream_id",
                    account,
                    region,
                    freshSince);
        }

        @Override
        public List<StreamSessionRow> sessions(String channelArn, Long beforeStart, String beforeId, int limit) {
            if (beforeStart == null) {
                return sessionsWhere(
                        "channel_arn = ? ORDER BY start_time DESC, stream_id DESC LIMIT ?", channelArn, limit);
            }
            return sessionsWhere(
                    "channel_arn = ? AND (start_time < ? OR (start_time = ? AND stream_id < ?))"
                            + " ORDER BY start_time DESC, stream_id DESC LIMIT ?",
                    channelArn,
                    beforeStart,
                    beforeStart,
                    beforeId,
                    limit);
        }

        @Override
        public boolean touchSession(String streamId, long heartbeat, boolean hasError, String doc) {
            return exec(
                            "UPDATE stream_sessions SET heartbeat = ?, has_error = ?, doc = ? WHERE stream_id = ? AND end_time IS NULL",
                            heartbeat,
                            hasError ? 1 : 0,
                            doc,
                            streamId)
                    == 1;
        }

        @Override
        public boolean endSession(String streamId, long endTime, boolean hasError, String doc) {
            return exec(
                            "UPDATE stream_sessions SET end_time = ?, has_error = ?, doc = ? WHERE stream_id = ? AND end_time IS NULL",
                            endTime,
                            hasError ? 1 : 0,
                            doc,
                            streamId)
                    == 1;
        }

        @Override
        public boolean requestStop(String streamId) {
            return exec(
                            "UPDATE stream_sessions SET stop_requested = 1 WHERE stream_id = ? AND end_time IS NULL",
                            streamId)
                    == 1;
        }

        @Override
        public List<StreamSessionRow> openSessionsOf(String node) {
            return sessionsWhere("node = ? AND end_time IS NULL ORDER BY start_time, stream_id", node);
        }

        @Override
        public List<StreamSessionRow> staleSessions(long staleBefore) {
            return sessionsWhere(
                    "end_time IS NULL AND heartbeat < ? ORDER BY start_time, stream_id LIMIT 1000", staleBefore);
        }

        @Override
        public int endStaleSessions(long staleBefore) {
            // Cues left for a node that died, or for a stream that ended before taking them.
            exec("DELETE FROM stream_cues WHERE created < ?", staleBefore);
            return exec(
                    "UPDATE stream_sessions SET end_time = heartbeat WHERE end_time IS NULL AND heartbeat < ?",
                    staleBefore);
        }

        @Override
        public boolean beginAdBreak(String streamId, long now, long until) {
            return exec(
                            "UPDATE stream_sessions SET ad_break_until = ? WHERE stream_id = ? AND end_time IS NULL"
                                    + " AND ad_break_until <= ?",
                            until,
                            streamId,
                            now)
                    == 1;
        }

        @Override
        public void addCue(StreamCue cue) {
            exec(
                    "INSERT INTO stream_cues (id, stream_id, created, kind, body) VALUES (?, ?, ?, ?, ?)",
                    cue.id(),
                    cue.streamId(),
                    cue.created(),
                    cue.kind(),
                    cue.body());
        }

        @Override
        public List<StreamCue> takeCues(String streamId) {
            List<StreamCue> out = new ArrayList<>();
            PreparedStatement p = null;
            try {
                // Every live stream asks on every heartbeat: reuse the prepared statement.
                p = statement(
                        "SELECT id, stream_id, created, kind, body FROM stream_cues WHERE stream_id = ? ORDER BY id");
                bind(p, new Object[] {streamId});
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new StreamCue(
                                r.getString(1), r.getString(2), r.getLong(3), r.getString(4), r.getString(5)));
                    }
                }
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
            // By id: a cue another node inserts meanwhile stays for the next take.
            for (StreamCue cue : out) {
                exec("DELETE FROM stream_cues WHERE id = ?", cue.id());
            }
            return out;
        }

        @Override
        public void nodeHeartbeat(String node, String address, long now) {
            // Both dialects know ON CONFLICT (SQLite since 3.24).
            exec(
                    "INSERT INTO cluster_nodes (node, address, heartbeat) VALUES (?, ?, ?)"
                            + " ON CONFLICT (node) DO UPDATE SET address = excluded.address, heartbeat = excluded.heartbeat",
                    node,
                    address,
                    now);
        }

        @Override
        public List<ClusterNodeRow> nodes(long freshSince) {
            List<ClusterNodeRow> out = new ArrayList<>();
            query(
                    "SELECT node, address, heartbeat FROM cluster_nodes WHERE heartbeat >= ? ORDER BY node",
                    r -> out.add(new ClusterNodeRow(r.getString(1), r.getString(2), r.getLong(3))),
                    freshSince);
            return out;
        }

        @Override
        public List<LiveOwnerRow> liveOwners(long freshSince) {
            List<LiveOwnerRow> out = new ArrayList<>();
            query(
                    "SELECT s.stream_id, s.channel_arn, s.node, n.address FROM stream_sessions s"
                            + " JOIN cluster_nodes n ON n.node = s.node"
                            + " WHERE s.end_time IS NULL AND s.heartbeat >= ? AND n.heartbeat >= ?",
                    r -> out.add(new LiveOwnerRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4))),
                    freshSince,
                    freshSince);
            return out;
        }

        @Override
        public void replaceEdgeViewers(
                String node, java.util.Map<String, Integer> viewers, long now, long staleBefore) {
            exec("DELETE FROM cluster_viewers WHERE node = ? OR heartbeat < ?", node, staleBefore);
            for (java.util.Map.Entry<String, Integer> e : viewers.entrySet()) {
                exec(
                        "INSERT INTO cluster_viewers (node, stream_id, viewers, heartbeat) VALUES (?, ?, ?, ?)",
                        node,
                        e.getKey(),
                        e.getValue(),
                        now);
            }
        }

        @Override
        public long edgeViewers(String streamId, long freshSince) {
            long[] sum = {0};
            query(
                    "SELECT COALESCE(SUM(viewers), 0) FROM cluster_viewers WHERE stream_id = ? AND heartbeat >= ?",
                    r -> sum[0] = r.getLong(1),
                    streamId,
                    freshSince);
            return sum[0];
        }

        private interface RowReader {
            void read(ResultSet r) throws SQLException;
        }

        private void query(String sql, RowReader each, Object... args) {
            PreparedStatement p = null;
            try {
                p = statement(sql);
                bind(p, args);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        each.read(r);
                    }
                }
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        private List<StreamSessionRow> sessionsWhere(String where, Object... args) {
            PreparedStatement p = null;
            try {
                p = statement("SELECT " + SESSION_COLS + " FROM stream_sessions WHERE " + where);
                bind(p, args);
                try (ResultSet r = p.executeQuery()) {
                    List<StreamSessionRow> out = new ArrayList<>();
                    while (r.next()) {
                        long end = r.getLong(6);
                        Long endTime = r.wasNull() ? null : end;
                        out.add(new StreamSessionRow(
                                r.getString(1),
                                r.getString(2),
                                r.getString(3),
                                r.getString(4),
                                r.getLong(5),
                                endTime,
                                r.getString(7),
                                r.getLong(8),
                                r.getInt(9) != 0,
                                r.getInt(10) != 0,
                                r.getString(11)));
                    }
                    return out;
                }
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        private Optional<StoredResource> one(String sql, Object... args) {
            PreparedStatement p = null;
            try {
                p = statement(sql);
                bind(p, args);
                List<StoredResource> rows = resources(p);
                return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        private int exec(String sql, Object... args) {
            PreparedStatement p = null;
            try {
                p = statement(sql);
                bind(p, args);
                return p.executeUpdate();
            } catch (SQLException e) {
                throw fail(e);
            } finally {
                done(p);
            }
        }

        private void bind(PreparedStatement p, Object[] args) throws SQLException {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a instanceof Long l) {
                    p.setLong(i + 1, l);
                } else if (a instanceof Integer n) {
                    p.setInt(i + 1, n);
                } else {
                    p.setString(i + 1, (String) a);
                }
            }
        }

        private List<StoredResource> resources(PreparedStatement p) throws SQLException {
            try (ResultSet r = p.executeQuery()) {
                List<StoredResource> out = new ArrayList<>();
                while (r.next()) {
                    out.add(sealer.open(row(r)));
                }
                return out;
            }
        }
    }

    /** The row at the result's cursor, selected as {@link #COLS}, as the database keeps it. */
    static StoredResource row(ResultSet r) throws SQLException {
        return new StoredResource(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                r.getLong(6),
                r.getString(7),
                r.getString(8),
                r.getLong(9),
                r.getString(10));
    }
}
