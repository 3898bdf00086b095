package io.openivs.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.auth.CredentialStore;
import io.openivs.server.auth.Principal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {
    private final CredentialStore keys =
            id -> id.startsWith("AKIA") ? new CredentialStore.Credential(id, "secret-" + id, "111111111111") : null;
    private final ConsoleSessions sessions = new ConsoleSessions(keys, Clock.systemUTC());

    @Test
    void oneKeySigningInOverAndOverKeepsItsNewestSessionsAndLeavesRoomForEveryoneElse() {
        Principal script = new Principal("AKIASCRIPT", "111111111111");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ConsoleSessions.MAX_SESSIONS + 10; i++) {
            ids.add(sessions.open(script));
        }
        assertThat(ids).doesNotContainNull();
        List<String> newest = ids.subList(ids.size() - ConsoleSessions.MAX_PER_KEY, ids.size());
        assertThat(newest).allSatisfy(id -> assertThat(sessions.find(id)).isEqualTo(script));
        assertThat(sessions.find(ids.get(ids.size() - ConsoleSessions.MAX_PER_KEY - 1)))
                .as("the oldest beyond the key's share is ended")
                .isNull();
        Principal other = new Principal("AKIAOTHER", "111111111111");
        assertThat(sessions.find(sessions.open(other))).isEqualTo(other);
    }

    @Test
    void aWrongSecretOrUnknownKeySignsNobodyIn() {
        assertThat(sessions.check("AKIAONE", "secret-AKIAONE")).isEqualTo(new Principal("AKIAONE", "111111111111"));
        assertThat(sessions.check("AKIAONE", "secret-AKIAONX")).isNull();
        assertThat(sessions.check("NOPE", "")).isNull();
        assertThat(sessions.check(null, null)).isNull();
    }
}
