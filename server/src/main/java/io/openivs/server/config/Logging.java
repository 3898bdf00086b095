package io.openivs.server.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The server's logging as {@code serve}'s options set it, applied to logback's configuration from
 * {@code logback.xml} at start: the level, text or JSON lines, and the access log. A configuration
 * file given with {@code -Dlogback.configurationFile} is left as it is but for these.
 */
public final class Logging {
    private Logging() {}

    /** The output format of log lines. */
    public enum Format {
        TEXT,
        JSON
    }

    /** A level name as {@code --log-level} takes it (error, warn, info, debug, trace), or an exception saying which. */
    public static Level level(String name) {
        Level level = Level.toLevel(name.toUpperCase(Locale.ROOT), null);
        if (level == null || level == Level.ALL || level == Level.OFF) {
            throw new IllegalArgumentException("--log-level " + name + ": give one of error, warn, info, debug, trace");
        }
        return level;
    }

    /**
     * Applies the options: the root level (openivs's and libraries' loggers), JSON lines on every
     * appender that writes a stream when {@code format} is JSON, and the access log's logger
     * ({@code accessLogger}) at INFO when asked, else off.
     */
    public static void configure(Level level, Format format, String accessLogger, boolean accessLog) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J binding: its own configuration rules
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        context.getLogger(accessLogger).setLevel(accessLog ? Level.INFO : Level.OFF);
        if (format == Format.JSON) {
            for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it = root.iteratorForAppenders();
                    it.hasNext(); ) {
                if (it.next() instanceof OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> out) {
                    JsonLineEncoder json = new JsonLineEncoder();
                    json.setContext(context);
                    json.start();
                    out.stop();
                    out.setEncoder(json);
                    out.start();
                }
            }
        }
    }
}
