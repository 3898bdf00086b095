package io.openivs.server.api;

/**
 * Who made an API request and where: the authenticated account and the server's region.
 *
 * @param arrived {@link System#nanoTime()} when the request was read, for the latency metrics
 */
public record Call(String accessKeyId, String account, String region, String requestId, long arrived) {
    public Call(String accessKeyId, String account, String region, String requestId) {
        this(accessKeyId, account, region, requestId, System.nanoTime());
    }
}
