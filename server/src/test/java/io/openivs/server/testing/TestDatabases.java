package io.openivs.server.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Databases for tests: a fresh SQLite file, or a fresh database on the
 * machine's PostgreSQL (127.0.0.1:5432, user postgres). PostgreSQL tests are
 * mandatory in CI (CI=true or OPENIVS_REQUIRE_POSTGRES=1) and skipped with a
 * visible reason elsewhere when no server answers.
 */
public final class TestDatabases {
    public static final String PG_ADMIN_URL =
            System.getProperty("openivs.test.pg", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

    private TestDatabases() {}

    public static String sqlite(Path dir) {
        return "jdbc:sqlite:" + dir.resolve("openivs.db");
    }

    /** Creates an empty database and returns its URL; skips the test when PostgreSQL is absent outside CI. */
    public static String postgres() {
        String name = "openivs_test_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(PG_ADMIN_URL);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            boolean required = "true".equals(System.getenv("CI")) || System.getenv("OPENIVS_REQUIRE_POSTGRES") != null;
            if (required) {
                throw new IllegalStateException("PostgreSQL is required here but not reachable at " + PG_ADMIN_URL, e);
            }
            System.err.println(
                    "SKIPPED: PostgreSQL tests need a server at 127.0.0.1:5432 (user postgres): " + e.getMessage());
            Assumptions.abort("PostgreSQL not reachable at " + PG_ADMIN_URL + ": " + e.getMessage());
        }
        return PG_ADMIN_URL.replace("/postgres?", "/" + name + "?");
    }

    public static void dropPostgres(String url) {
        String name = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        try (Connection c = DriverManager.getConnection(PG_ADMIN_URL);
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }
}
