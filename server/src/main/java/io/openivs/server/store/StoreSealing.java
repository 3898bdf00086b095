package io.openivs.server.store;

import io.openivs.server.resource.SecretFields;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * At open: proves the store key is the one this database was sealed with, and seals what rows written before
 * (plain stream keys from an older openivs) still hold in clear. Runs in one transaction; PostgreSQL nodes
 * starting together take turns on an advisory lock, so the first one's key becomes the database's.
 */
final class StoreSealing {
    private static final long PG_LOCK_KEY = 0x6f70656e697674L;
    private static final String CHECK_TEXT = "openivs store key check";
    private static final String CHECK_CONTEXT = "store_key#check";

    private StoreSealing() {}

    /** @return how many rows were sealed now */
    static int apply(Connection c, Dialect dialect, Sealer sealer) throws SQLException {
        boolean auto = c.getAutoCommit();
        if (dialect == Dialect.POSTGRESQL) {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + PG_LOCK_KEY + ")");
            }
        }
        c.setAutoCommit(false);
        try {
            int sealed = 0;
            Integer policy = checkKey(c, sealer);
            if (policy == null || policy < SecretFields.POLICY_VERSION) {
                sealed = sealRows(c, sealer);
                try (PreparedStatement p = c.prepareStatement(
                        policy == null
                                ? "INSERT INTO store_key (policy, key_check, id) VALUES (?, ?, 1)"
                                : "UPDATE store_key SET policy = ?, key_check = ? WHERE id = 1")) {
                    p.setInt(1, SecretFields.POLICY_VERSION);
                    p.setString(2, sealer.seal(CHECK_TEXT, CHECK_CONTEXT));
                    p.executeUpdate();
                }
            }
            c.commit();
            return sealed;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
            if (dialect == Dialect.POSTGRESQL) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(" + PG_LOCK_KEY + ")");
                }
            }
        }
    }

    /** The policy the rows were sealed to, or null for a database never opened with a key. */
    private static Integer checkKey(Connection c, Sealer sealer) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT key_check, policy FROM store_key WHERE id = 1")) {
            if (!r.next()) {
                return null;
            }
            String opened;
            try {
                opened = sealer.open(r.getString(1), CHECK_CONTEXT);
            } catch (StoreKeyMismatchException e) {
                opened = null;
            }
            if (!CHECK_TEXT.equals(opened)) {
                throw new StoreKeyMismatchException("this database's secrets were sealed with another store key", null);
            }
            return r.getInt(2);
        }
    }

    private static int sealRows(Connection c, Sealer sealer) throws SQLException {
        List<StoredResource> changed = new ArrayList<>();
        for (String type : SecretFields.types()) {
            try (PreparedStatement p =
                    c.prepareStatement("SELECT " + JdbcResourceStore.COLS + " FROM resources WHERE type = ?")) {
                p.setString(1, type);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        StoredResource row = JdbcResourceStore.row(r);
                        StoredResource sealed = sealer.seal(row);
                        if (sealed != row) {
                            changed.add(sealed);
                        }
                    }
                }
            }
        }
        // Same version: the API representation did not change, only how the database keeps it.
        try (PreparedStatement p = c.prepareStatement("UPDATE resources SET doc = ?, lookup = ? WHERE arn = ?")) {
            for (StoredResource r : changed) {
                p.setString(1, r.doc());
                p.setString(2, r.lookup());
                p.setString(3, r.arn());
                p.executeUpdate();
            }
        }
        return changed.size();
    }
}
