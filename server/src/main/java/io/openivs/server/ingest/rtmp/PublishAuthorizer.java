package io.openivs.server.ingest.rtmp;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/** Decides whether an RTMP publish may start. The seam between RTMP ingest and the rest of the server. */
public interface PublishAuthorizer {
    /**
     * Called off the event loop is NOT guaranteed: implementations must not block; complete the future later.
     * app = RTMP app from connect's tcUrl/app ("app"), streamName = publish name (the stream key; never log it),
     * secure = arrived over TLS.
     *
     * <p>Complete exceptionally with {@link PublishRefusedException} to refuse; any other failure is also a
     * refusal, with a generic description sent to the client.
     */
    CompletionStage<PublishSession> authorize(String app, String streamName, boolean secure, InetSocketAddress remote);
}
