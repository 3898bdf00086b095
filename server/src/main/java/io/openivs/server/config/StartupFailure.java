package io.openivs.server.config;

import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.util.Locale;

/**
 * Why the server could not start, said in one line that names the option, its value and what to do; the
 * command line prints {@link #getMessage()} and keeps the stack trace for DEBUG.
 */
public final class StartupFailure extends RuntimeException {
    private final String option;

    public StartupFailure(String option, Object value, String problem, Throwable cause) {
        super(option + " " + value + ": " + problem, cause);
        this.option = option;
    }

    public String option() {
        return option;
    }

    /** A listener that could not bind {@code host:port}, given as {@code option}. */
    public static StartupFailure listener(String option, String host, int port, Throwable cause) {
        String m = rootMessage(cause).toLowerCase(Locale.ROOT);
        String problem;
        if (cause instanceof BindException || m.contains("address already in use")) {
            problem = "address " + host + ":" + port + " is already in use; stop what listens there or choose another"
                    + " port";
        } else if (m.contains("cannot assign requested address") || m.contains("unresolved")) {
            return new StartupFailure(
                    "--bind",
                    host,
                    "not an address of this machine; use 127.0.0.1, 0.0.0.0 or" + " one of its interface addresses",
                    cause);
        } else if (m.contains("permission denied") || m.contains("access denied")) {
            problem = "binding " + host + ":" + port + " was refused (ports below 1024 need root or"
                    + " CAP_NET_BIND_SERVICE); choose a port above 1023";
        } else {
            problem = "cannot listen on " + host + ":" + port + ": " + rootMessage(cause);
        }
        return new StartupFailure(option, port, problem, cause);
    }

    /** A data-dir file or folder that could not be created, read or written. */
    public static StartupFailure dataDir(Object dir, Throwable cause) {
        String problem = cause instanceof AccessDeniedException
                ? "permission denied on " + cause.getMessage() + "; give the server's user write access or choose"
                        + " another folder"
                : "cannot use it: " + rootMessage(cause);
        return new StartupFailure("--data-dir", dir, problem, cause);
    }

    /** The innermost cause's message, on one line. */
    public static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.replaceAll("[\\r\\n]+", " ").strip();
    }
}
