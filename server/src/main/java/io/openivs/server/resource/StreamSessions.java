package io.openivs.server.resource;

import java.util.List;

/**
 * What the control API and the node owning a stream agree on about its session row: when it counts as
 * gone, and the members of its document (written by the owner at each heartbeat, read by
 * GetStream, ListStreams and GetStreamSession on any node).
 */
public final class StreamSessions {
    /**
     * A live session whose owner has not refreshed it for this long is treated as gone (its node died). Tests
     * that kill nodes shorten it in those nodes' JVMs with {@code -Dopenivs.test.stale-ms} (the node
     * heartbeat and the stale-session sweep follow); no option of {@code serve} sets it.
     */
    public static final long STALE_MS = Long.getLong("openivs.test.stale-ms", 15_000);

    /** HEALTHY, STARVING or UNKNOWN. */
    public static final String HEALTH = "health";

    public static final String VIEWER_COUNT = "viewerCount";
    /** The channel document as it was when the stream went live. */
    public static final String CHANNEL = "channel";

    public static final String INGEST_CONFIGURATION = "ingestConfiguration";
    public static final String INGEST_CONFIGURATIONS = "ingestConfigurations";
    public static final String RECORDING_CONFIGURATION = "recordingConfiguration";
    public static final String TRUNCATED_EVENTS = "truncatedEvents";

    /** The document members GetStreamSession returns as they are stored ({@link #CHANNEL} with its URLs added). */
    public static final List<String> SESSION_MEMBERS =
            List.of(CHANNEL, INGEST_CONFIGURATION, INGEST_CONFIGURATIONS, RECORDING_CONFIGURATION, TRUNCATED_EVENTS);

    private StreamSessions() {}
}
