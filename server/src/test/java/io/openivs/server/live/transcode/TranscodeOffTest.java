package io.openivs.server.live.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.openivs.server.OpenIvsServer;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A node started with transcoding off ({@code --transcode off}): it warns at start, and a STANDARD
 * stream plays its source alone while its session says why in a Stream Failure event.
 */
class TranscodeOffTest {
    /** Attached before the node starts (fields initialise in order), so its start-up warning is seen. */
    static final ListAppender<ILoggingEvent> startLog = listen();

    @RegisterExtension
    static final ServerFixture node = new ServerFixture(
            dir -> new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.Transcoding(false, 2)));

    private static ListAppender<ILoggingEvent> listen() {
        ListAppender<ILoggingEvent> a = new ListAppender<>();
        a.start();
        ((Logger) LoggerFactory.getLogger(OpenIvsServer.class)).addAppender(a);
        return a;
    }

    @AfterAll
    static void detach() {
        ((Logger) LoggerFactory.getLogger(OpenIvsServer.class)).detachAppender(startLog);
    }

    @Test
    void transcodingOffWarnsAtStartAndInTheSessionAndPlaysTheSource() throws Exception {
        assertThat(startLog.list)
                .map(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).startsWith("transcoding is off"));

        SourceOnlyStreams.publishAndCheck(node, "off");
    }
}
