package io.openivs.server.playback.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.resource.Arn;
import io.openivs.server.store.JdbcResourceStore;
import io.openivs.server.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionTicketsTest {
    private static final io.openivs.server.store.StoreKey KEY = io.openivs.server.store.StoreKey.random();
    private static final String NAME = "us-west-2.111111111111.channel.AbCdEf123456";
    private final SessionTickets tickets = new SessionTickets(new byte[32]);

    @Test
    void claimsSurviveTheRoundTrip() {
        SessionTickets.Claims c = new SessionTickets.Claims(
                1_900_000_000L,
                "k3yId",
                "viewer-1",
                7,
                List.of("https://a.example.com", "https://*.b.example.com"),
                true,
                ResolutionClass.HD);
        String t = tickets.issue(NAME, c);
        assertThat(t).matches("[A-Za-z0-9_-]+");
        assertThat(tickets.verify(NAME, t)).isEqualTo(c);
        SessionTickets.Claims bare = new SessionTickets.Claims(5, "k", null, 0, null, false, null);
        String small = tickets.issue(NAME, bare);
        assertThat(tickets.verify(NAME, small)).isEqualTo(bare);
        assertThat(small.length())
                .as("a ticket without optional claims is short")
                .isLessThan(50);
    }

    @Test
    void anotherChannelAnotherSecretOrAnyChangedByteIsRefused() {
        String t = tickets.issue(NAME, new SessionTickets.Claims(1_900_000_000L, "k", null, 0, null, false, null));
        assertThatThrownBy(() -> tickets.verify(NAME.replace("AbC", "XbC"), t)).isInstanceOf(AccessDenied.class);
        byte[] other = new byte[32];
        other[0] = 1;
        assertThatThrownBy(() -> new SessionTickets(other).verify(NAME, t)).isInstanceOf(AccessDenied.class);
        for (int i = 0; i < t.length() - 1; i++) { // the last character holds padding bits
            char c = t.charAt(i);
            String altered = t.substring(0, i) + (c == 'A' ? 'B' : 'A') + t.substring(i + 1);
            assertThatThrownBy(() -> tickets.verify(NAME, altered))
                    .as("changed at %d", i)
                    .isInstanceOf(AccessDenied.class);
        }
        assertThatThrownBy(() -> tickets.verify(NAME, "")).isInstanceOf(AccessDenied.class);
        assertThatThrownBy(() -> tickets.verify(NAME, "!!!")).isInstanceOf(AccessDenied.class);
    }

    @Test
    void everyDirectoryOnOneStoreSharesTheSecretAcrossRestarts(@TempDir Path dir) {
        SessionTickets.Claims c = new SessionTickets.Claims(1_900_000_000L, "k", null, 0, null, false, null);
        Arn channel = new Arn("us-west-2", "111111111111", Arn.CHANNEL, "AbCdEf123456");
        String issued;
        try (JdbcResourceStore store = JdbcResourceStore.open(TestDatabases.sqlite(dir), KEY);
                AccessDirectory a = new AccessDirectory(store, Clock.systemUTC());
                AccessDirectory b = new AccessDirectory(store, Clock.systemUTC())) {
            a.load(channel).join();
            b.load(channel).join();
            issued = a.tickets().issue(NAME, c);
            assertThat(b.tickets().verify(NAME, issued))
                    .as("a ticket of one node, checked on another")
                    .isEqualTo(c);
        }
        try (JdbcResourceStore store = JdbcResourceStore.open(TestDatabases.sqlite(dir), KEY);
                AccessDirectory restarted = new AccessDirectory(store, Clock.systemUTC())) {
            restarted.load(channel).join();
            assertThat(restarted.tickets().verify(NAME, issued))
                    .as("after a restart")
                    .isEqualTo(c);
        }
    }
}
