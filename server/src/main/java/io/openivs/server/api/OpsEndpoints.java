package io.openivs.server.api;

/**
 * What the API port answers without a signature, for load balancers and Prometheus: GET {@code /healthz}
 * (the process is up), {@code /readyz} (it can serve) and {@code /metrics}. They reveal nothing secret. Called
 * on a worker thread: {@link #ready()} may wait on the store (briefly) and {@link #metrics()} formats the text.
 */
public interface OpsEndpoints {
    /** Null when ready; otherwise what is not, for the 503's body. */
    String ready();

    /** The Prometheus text exposition (version 0.0.4), or null when metrics are turned off. */
    byte[] metrics();
}
