package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.openivs.server.ingest.rtmp.RtmpServerHandler;
import io.openivs.server.net.LogSafe;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Issue 15, item 7: an RTMP connect whose app holds CR/LF must not write forged lines into the log. */
@Tag("reliability")
class LogForgingTest {
    @Test
    void aPeerSuppliedAppIsEscapedInTheLog() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(RtmpServerHandler.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (RefusingRtmpServer server = new RefusingRtmpServer();
                RawRtmpClient c = new RawRtmpClient(server.port).handshake()) {
            c.connectAndPublish("live\r\nFAKE 00:00:00.000 ERROR forged line", "wrong-key");
            assertThat(c.closedByServerWithin(5000)).isTrue();
            List<String> lines = appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
            assertThat(lines)
                    .anySatisfy(l -> assertThat(l).contains("app=live\\r\\nFAKE 00:00:00.000 ERROR forged line"));
            assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain("\r").doesNotContain("\n"));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void escapesKeepEveryValueOnOneUnambiguousLine() {
        assertThat(LogSafe.escape("plain app")).isEqualTo("plain app");
        assertThat(LogSafe.escape("a\\r\nb")).isEqualTo("a\\\\r\\nb"); // a backslash cannot fake an escape
        assertThat(LogSafe.escape("x\u2028y\u0085z\u001b[31m")).isEqualTo("x\\u2028y\\u0085z\\u001b[31m");
        assertThat(LogSafe.escape("\ud800")).isEqualTo("\\ud800");
        assertThat(LogSafe.escape("k".repeat(10_000))).hasSizeLessThan(300).endsWith("(10000 chars)");
        assertThat(LogSafe.escape((CharSequence) null)).isEqualTo("null");
    }
}
