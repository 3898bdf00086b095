package io.openivs.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of connections to one SQLite file, each keeping its prepared statements for reuse.
 *
 * <p>Preparing a statement is a large share of a point read in SQLite, and a local file needs none of a network
 * pool's care (validation, reconnects, lifetimes), so this replaces a general pool for SQLite. A connection is
 * used by one thread at a time: taken, used, handed back.
 */
final class SqliteConnections implements AutoCloseable {
    private static final long WAIT_MS = 10_000;

    private final ArrayBlockingQueue<Handle> idle;
    private final List<Handle> all = new ArrayList<>();
    private final String name;

    SqliteConnections(String url, Properties props, int size, String name) throws SQLException {
        this.name = name;
        this.idle = new ArrayBlockingQueue<>(size);
        try {
            for (int i = 0; i < size; i++) {
                Handle h = new Handle(DriverManager.getConnection(url, props));
                all.add(h);
                idle.add(h);
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    Handle take() throws SQLException {
        Handle h;
        try {
            h = idle.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a connection of " + name);
        }
        if (h == null) {
            throw new SQLException("no connection of " + name + " became free within " + WAIT_MS + " ms");
        }
        return h;
    }

    void give(Handle h) {
        idle.add(h);
    }

    @Override
    public void close() {
        for (Handle h : all) {
            try {
                h.connection.close(); // also finalises its statements
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    /** One connection and the statements prepared on it, by SQL text. */
    static final class Handle {
        final Connection connection;
        private final Map<String, PreparedStatement> statements = new HashMap<>();

        Handle(Connection connection) {
            this.connection = connection;
        }

        PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement p = statements.get(sql);
            if (p == null) {
                p = connection.prepareStatement(sql);
                statements.put(sql, p);
            }
            return p;
        }
    }
}
