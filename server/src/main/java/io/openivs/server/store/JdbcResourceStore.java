package io.openivs.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * fight over the lock (SQLITE_BUSY), writes go through a pool of exactly one
 * connection whose transactions start IMMEDIATE, and reads use a separate
 * pool, which WAL lets run beside the writer. WAL with synchronous=NORMAL
 * keeps every committed transaction across a killed process (kill -9); only a
 * power loss can drop the last commits, which FULL would also cover at the
 * cost of an fsync per write.
 */
public final class JdbcResourceStore implements ResourceStore {
    private static final String COLS = "arn, account, region, type, id, created, parent, lookup, version, doc";
    private static final String SESSION_COLS =
            "stream_id, channel_arn, account, region, start_time, end_time, node, heartbeat, stop_requested, has_error, doc";

    private final Dialect dialect;
    private final HikariDataSource readPool;
    private final HikariDataSource writePool;
    private final String description;

    private JdbcResourceStore(Dialect dialect, HikariDataSource readPool, HikariDataSource writePool, String description) {
        this.dialect = dialect;
        this.readPool = readPool;
        this.writePool = writePool;
        this.description = description;
    }

    /** Opens (and migrates) the database named by a JDBC URL. */
    public static JdbcResourceStore open(String jdbcUrl) {
        Dialect dialect = Dialect.of(jdbcUrl);
        JdbcResourceStore store;
        if (dialect == Dialect.SQLITE) {
            String file = jdbcUrl.substring("jdbc:sqlite:".length());
            int q = file.indexOf('?');
            Path path = Path.of(q < 0 ? file : file.substring(0, q));
            try {
                if (path.getParent() != null) {
                    Files.createDirectories(path.getParent());
                }
            } catch (java.io.IOException e) {
                throw new StoreException("cannot create database directory " + path.getParent(), e);
            }
            HikariDataSource writer = pool(jdbcUrl, "openivs-db-write", 1, sqliteProps(true));
            HikariDataSource reader = pool(jdbcUrl, "openivs-db-read", 8, sqliteProps(false));
            store = new JdbcResourceStore(dialect, reader, writer, "SQLite " + path.toAbsolutePath());
        } else {
            HikariDataSource shared = pool(jdbcUrl, "openivs-db", 16, new Properties());
            store = new JdbcResourceStore(dialect, shared, shared, "PostgreSQL " + redact(jdbcUrl));
        }
        try (Connection c = store.writePool.getConnection()) {
            Migrations.apply(c, dialect);
        } catch (SQLException e) {
            store.close();
            throw new StoreException("database migration failed: " + e.getMessage(), e);
        }
        return store;
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

    private static HikariDataSource pool(String url, String name, int size, Properties props) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setPoolName(name);
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(Math.min(2, size));
        cfg.setDataSourceProperties(props);
        cfg.setConnectionTimeout(10_000);
        cfg.setInitializationFailTimeout(10_000);
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
    public <T> T read(Work<T> work) {
        try (Connection c = readPool.getConnection()) {
            return work.run(new JdbcTx(c));
        } catch (SQLException e) {
            throw new StoreException("database read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public <T> T write(Work<T> work) {
        try (Connection c = writePool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(new JdbcTx(c));
                c.commit();
                return result;
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("database write failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        readPool.close();
        if (writePool != readPool) {
            writePool.close();
        }
    }

    private final class JdbcTx implements Tx {
        private final Connection c;

        JdbcTx(Connection c) {
            this.c = c;
        }

        private RuntimeException fail(SQLException e) {
            if (dialect.isUniqueViolation(e)) {
                return new DuplicateKeyException("duplicate key", e);
            }
            return new StoreException("database statement failed: " + e.getMessage(), e);
        }

        @Override
        public Optional<StoredResource> get(String arn) {
            return one("SELECT " + COLS + " FROM resources WHERE arn = ?", arn);
        }

        @Override
        public Optional<StoredResource> byLookup(String type, String lookup) {
            return one("SELECT " + COLS + " FROM resources WHERE type = ? AND lookup = ?", type, lookup);
        }

        @Override
        public List<StoredResource> list(String account, String region, String type, Cursor after, int limit) {
            String sql = "SELECT " + COLS + " FROM resources WHERE account = ? AND region = ? AND type = ?"
                    + (after == null ? "" : " AND (created > ? OR (created = ? AND id > ?))")
                    + " ORDER BY created, id LIMIT ?";
            try (PreparedStatement p = c.prepareStatement(sql)) {
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
                return resources(p);
            } catch (SQLException e) {
                throw fail(e);
            }
        }

        @Override
        public List<StoredResource> children(String type, String parentArn) {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT " + COLS + " FROM resources WHERE type = ? AND parent = ? ORDER BY created, id")) {
                p.setString(1, type);
                p.setString(2, parentArn);
                return resources(p);
            } catch (SQLException e) {
                throw fail(e);
            }
        }

        @Override
        public long count(String account, String region, String type) {
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT COUNT(*) FROM resources WHERE account = ? AND region = ? AND type = ?")) {
                p.setString(1, account);
                p.setString(2, region);
                p.setString(3, type);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            } catch (SQLException e) {
                throw fail(e);
            }
        }

        @Override
        public void insert(StoredResource x) {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO resources (" + COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
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
            }
        }

        @Override
        public boolean update(StoredResource x) {
            try (PreparedStatement p = c.prepareStatement(
                    "UPDATE resources SET doc = ?, version = version + 1 WHERE arn = ? AND version = ?")) {
                p.setString(1, x.doc());
                p.setString(2, x.arn());
                p.setLong(3, x.version());
                return p.executeUpdate() == 1;
            } catch (SQLException e) {
                throw fail(e);
            }
        }

        @Override
        public boolean delete(String arn) {
            return exec("DELETE FROM resources WHERE arn = ?", arn) == 1;
        }

        @Override
        public int deleteChildren(String type, String parentArn) {
            return exec("DELETE FROM resources WHERE type = ? AND parent = ?", type, parentArn);
        }

        @Override
        public void insertSession(StreamSessionRow s) {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO stream_sessions (" + SESSION_COLS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
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
            }
        }

        @Override
        public Optional<StreamSessionRow> session(String channelArn, String streamId) {
            List<StreamSessionRow> rows = sessionsWhere(
                    "channel_arn = ? AND stream_id = ?", channelArn, streamId);
            return rows.stream().findFirst();
        }

        @Override
        public Optional<StreamSessionRow> liveSession(String channelArn, long freshSince) {
            return sessionsWhere("channel_arn = ? AND end_time IS NULL AND heartbeat >= ? ORDER BY start_time DESC",
                    channelArn, freshSince).stream().findFirst();
        }

        @Override
        public List<StreamSessionRow> liveSessions(String account, String region, long freshSince) {
            return sessionsWhere("account = ? AND region = ? AND end_time IS NULL AND heartbeat >= ? ORDER BY start_time, stream_id",
                    account, region, freshSince);
        }

        @Override
        public List<StreamSessionRow> sessions(String channelArn, Long beforeStart, String beforeId, int limit) {
            if (beforeStart == null) {
                return sessionsWhere("channel_arn = ? ORDER BY start_time DESC, stream_id DESC LIMIT ?", channelArn, limit);
            }
            return sessionsWhere("channel_arn = ? AND (start_time < ? OR (start_time = ? AND stream_id < ?))"
                    + " ORDER BY start_time DESC, stream_id DESC LIMIT ?", channelArn, beforeStart, beforeStart, beforeId, limit);
        }

        @Override
        public boolean touchSession(String streamId, long heartbeat, boolean hasError, String doc) {
            return exec("UPDATE stream_sessions SET heartbeat = ?, has_error = ?, doc = ? WHERE stream_id = ? AND end_time IS NULL",
                    heartbeat, hasError ? 1 : 0, doc, streamId) == 1;
        }

        @Override
        public boolean endSession(String streamId, long endTime, boolean hasError, String doc) {
            return exec("UPDATE stream_sessions SET end_time = ?, has_error = ?, doc = ? WHERE stream_id = ? AND end_time IS NULL",
                    endTime, hasError ? 1 : 0, doc, streamId) == 1;
        }

        @Override
        public boolean requestStop(String streamId) {
            return exec("UPDATE stream_sessions SET stop_requested = 1 WHERE stream_id = ? AND end_time IS NULL", streamId) == 1;
        }

        @Override
        public int endStaleSessions(long staleBefore) {
            // Cues left for a node that died, or for a stream that ended before taking them.
            exec("DELETE FROM stream_cues WHERE created < ?", staleBefore);
            return exec("UPDATE stream_sessions SET end_time = heartbeat WHERE end_time IS NULL AND heartbeat < ?", staleBefore);
        }

        @Override
        public boolean beginAdBreak(String streamId, long now, long until) {
            return exec("UPDATE stream_sessions SET ad_break_until = ? WHERE stream_id = ? AND end_time IS NULL"
                    + " AND ad_break_until <= ?", until, streamId, now) == 1;
        }

        @Override
        public void addCue(StreamCue cue) {
            exec("INSERT INTO stream_cues (id, stream_id, created, kind, body) VALUES (?, ?, ?, ?, ?)",
                    cue.id(), cue.streamId(), cue.created(), cue.kind(), cue.body());
        }

        @Override
        public List<StreamCue> takeCues(String streamId) {
            List<StreamCue> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT id, stream_id, created, kind, body FROM stream_cues WHERE stream_id = ? ORDER BY id")) {
                bind(p, new Object[] {streamId});
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new StreamCue(r.getString(1), r.getString(2), r.getLong(3), r.getString(4), r.getString(5)));
                    }
                }
            } catch (SQLException e) {
                throw fail(e);
            }
            // By id: a cue another node inserts meanwhile stays for the next take.
            for (StreamCue cue : out) {
                exec("DELETE FROM stream_cues WHERE id = ?", cue.id());
            }
            return out;
        }

        private List<StreamSessionRow> sessionsWhere(String where, Object... args) {
            try (PreparedStatement p = c.prepareStatement("SELECT " + SESSION_COLS + " FROM stream_sessions WHERE " + where)) {
                bind(p, args);
                try (ResultSet r = p.executeQuery()) {
                    List<StreamSessionRow> out = new ArrayList<>();
                    while (r.next()) {
                        long end = r.getLong(6);
                        Long endTime = r.wasNull() ? null : end;
                        out.add(new StreamSessionRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                                r.getLong(5), endTime, r.getString(7), r.getLong(8), r.getInt(9) != 0, r.getInt(10) != 0,
                                r.getString(11)));
                    }
                    return out;
                }
            } catch (SQLException e) {
                throw fail(e);
            }
        }

        private Optional<StoredResource> one(String sql, Object... args) {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                bind(p, args);
                List<StoredResource> rows = resources(p);
                return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
            } catch (SQLException e) {
                throw fail(e);
            }
        }

        private int exec(String sql, Object... args) {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                bind(p, args);
                return p.executeUpdate();
            } catch (SQLException e) {
                throw fail(e);
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
                    out.add(new StoredResource(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), r.getLong(6), r.getString(7), r.getString(8), r.getLong(9), r.getString(10)));
                }
                return out;
            }
        }
    }
}
