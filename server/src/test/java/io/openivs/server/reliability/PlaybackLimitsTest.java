package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.openivs.server.net.ConnectionCap;
import io.openivs.server.net.EventLoops;
import io.openivs.server.playback.PlaybackServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, item 4, on a playback listener with small limits: an idle keep-alive connection is closed after the
 * idle timeout, and past the connection cap new connections get a 503 and are closed, with one log line for a
 * burst of refusals rather than one per connection.
 */
@Tag("reliability")
class PlaybackLimitsTest {
    private static final String REQUEST = "GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    @Test
    void idleKeepAliveConnectionsAreClosedAndTheCapRefusesClearly() throws Exception {
        Logger capLog = (Logger) LoggerFactory.getLogger(ConnectionCap.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        capLog.addAppender(appender);
        // Two servers: one with a short idle timeout for the quiet viewer, one whose timeouts outlast the ten
        // refusals on a loaded machine, so the four held connections are still open (and counted) throughout.
        try (EventLoops loops = new EventLoops(1);
                PlaybackServer server = PlaybackServer.builder(loops, "127.0.0.1", 0, name -> null)
                        .limits(new PlaybackServer.Limits(30_000, 1_500, 4))
                        .open();
                PlaybackServer capped = PlaybackServer.builder(loops, "127.0.0.1", 0, name -> null)
                        .limits(new PlaybackServer.Limits(60_000, 60_000, 4))
                        .open()) {
            // A keep-alive viewer that asks once and then goes quiet.
            try (SlowClient quiet = new SlowClient(server.port())) {
                assertThat(quiet.trySend(REQUEST)).isTrue();
                String answer = quiet.readUntilClosed(4_000);
                assertThat(answer)
                        .as("closed within 4 s of going idle")
                        .isNotNull()
                        .startsWith("HTTP/1.1 404");
            }

            List<SlowClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    SlowClient c = new SlowClient(capped.port());
                    assertThat(c.trySend("GET /")).isTrue(); // a head under way keeps nothing from the cap
                    held.add(c);
                }
                for (int i = 0; i < 10; i++) {
                    try (SlowClient extra = new SlowClient(capped.port())) {
                        extra.trySend(REQUEST);
                        assertThat(extra.readUntilClosed(3_000))
                                .as("answer past the cap")
                                .isNotNull()
                                .startsWith("HTTP/1.1 503");
                    }
                }
            } finally {
                for (SlowClient c : held) {
                    c.close();
                }
            }
            assertThat(appender.list).as("refusal log lines for 10 refusals").hasSize(1);
        } finally {
            capLog.detachAppender(appender);
        }
    }

    @Test
    void aTricklingHeadOnAKeptAliveConnectionIsClosed() throws Exception {
        try (EventLoops loops = new EventLoops(1);
                PlaybackServer server = PlaybackServer.builder(loops, "127.0.0.1", 0, name -> null)
                        .limits(new PlaybackServer.Limits(1_000, 10_000, 16))
                        .open();
                SlowClient c = new SlowClient(server.port())) {
            assertThat(c.trySend(REQUEST)).isTrue();
            long start = System.nanoTime();
            String next = "GET /next HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
            boolean closed = false;
            // A byte every 200 ms, each resetting any idle clock: only the header deadline can end it.
            for (int i = 0; i < 30 && !closed; i++) {
                closed = !c.trySend(next.substring(i % next.length(), i % next.length() + 1))
                        || c.readUntilClosed(200) != null;
            }
            assertThat(closed)
                    .as("closed within two header timeouts of the next head's first byte")
                    .isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_500);
        }
    }
}
