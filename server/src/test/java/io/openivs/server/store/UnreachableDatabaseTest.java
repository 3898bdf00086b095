package io.openivs.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/**
 * Which failures mean "the database cannot be reached" (503 ServiceUnavailable, retried by SDKs) rather
 * than a statement the database refused (500, or the operation's own error).
 */
class UnreachableDatabaseTest {
    @Test
    void connectionFailuresAreUnreachable() {
        assertThat(JdbcResourceStore.unreachable(new SQLException("I/O error", "08006")))
                .isTrue();
        assertThat(JdbcResourceStore.unreachable(new SQLException("refused", "08001")))
                .isTrue();
        assertThat(JdbcResourceStore.unreachable(new SQLException("terminating connection", "57P01")))
                .isTrue();
        assertThat(JdbcResourceStore.unreachable(new SQLException("starting up", "57P03")))
                .isTrue();
        assertThat(JdbcResourceStore.unreachable(new SQLTransientConnectionException("no connection in 3000 ms")))
                .isTrue();
        assertThat(JdbcResourceStore.unreachable(new SQLException("wrapped", null, new ConnectException("refused"))))
                .isTrue();
    }

    @Test
    void refusedStatementsAreNot() {
        assertThat(JdbcResourceStore.unreachable(new SQLException("duplicate key", "23505")))
                .isFalse();
        assertThat(JdbcResourceStore.unreachable(new SQLException("no such table", "42P01")))
                .isFalse();
        assertThat(JdbcResourceStore.unreachable(new SQLException("canceled", "57014")))
                .isFalse();
        assertThat(JdbcResourceStore.unreachable(new SQLException("SQLITE_BUSY")))
                .isFalse();
    }
}
