package io.openivs.server.store;

import java.sql.SQLException;

/** What differs between the two databases; the SQL itself is shared. */
enum Dialect {
    SQLITE,
    POSTGRESQL;

    static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL (use jdbc:sqlite:... or jdbc:postgresql:...)");
    }

    boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if ("23505".equals(s.getSQLState())) {
                    return true;
                }
                // SQLite: SQLITE_CONSTRAINT_PRIMARYKEY (1555) or SQLITE_CONSTRAINT_UNIQUE (2067)
                if (this == SQLITE
                        && (s.getErrorCode() == 19
                                || s.getErrorCode() == 1555
                                || s.getErrorCode() == 2067
                                || String.valueOf(s.getMessage()).contains("UNIQUE constraint failed"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
