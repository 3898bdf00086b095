package io.openivs.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A small versioned-schema runner: numbered SQL scripts under this package
 * ({@code V1__name.sql}, ...), each applied once in its own transaction and
 * recorded in {@code schema_version}. Several PostgreSQL nodes starting at
 * once serialise on an advisory lock, so each script runs exactly once.
 */
final class Migrations {
    /** Append new scripts here; never edit a released one. */
    static final List<String> SCRIPTS =
            List.of("V1__resources.sql", "V2__stream_cues.sql", "V3__cluster.sql", "V4__store_key.sql");

    private static final long PG_LOCK_KEY = 0x6f70656e697673L; // "openivs"

    private Migrations() {}

    static int apply(Connection c, Dialect dialect) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            if (dialect == Dialect.POSTGRESQL) {
                s.execute("SELECT pg_advisory_lock(" + PG_LOCK_KEY + ")");
            }
            s.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, script TEXT NOT NULL, applied BIGINT NOT NULL)");
        }
        int applied = 0;
        try {
            int current = currentVersion(c);
            for (int i = current; i < SCRIPTS.size(); i++) {
                String script = SCRIPTS.get(i);
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    for (String sql : statements(load(script))) {
                        s.execute(sql);
                    }
                    try (PreparedStatement p = c.prepareStatement(
                            "INSERT INTO schema_version (version, script, applied) VALUES (?, ?, ?)")) {
                        p.setInt(1, i + 1);
                        p.setString(2, script);
                        p.setLong(3, System.currentTimeMillis());
                        p.executeUpdate();
                    }
                    c.commit();
                    applied++;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        } finally {
            if (dialect == Dialect.POSTGRESQL) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(" + PG_LOCK_KEY + ")");
                }
            }
            c.setAutoCommit(auto);
        }
        return applied;
    }

    private static int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return r.next() ? r.getInt(1) : 0;
        }
    }

    private static String load(String script) {
        try (InputStream in = Migrations.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IllegalStateException("missing migration " + script);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Splits a script on semicolons at line ends, dropping comment lines. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("--")) {
                continue;
            }
            cur.append(line).append('\n');
            if (t.endsWith(";")) {
                String sql = cur.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                cur.setLength(0);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().strip());
        }
        return out;
    }
}
