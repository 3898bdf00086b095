package io.openivs.server.store;

/**
 * One stream session. {@code endTime} is null while live. Times are epoch
 * milliseconds. {@code doc} holds the session's API document parts (channel
 * snapshot, ingest configurations, events, health, viewer count).
 */
public record StreamSessionRow(
        String streamId,
        String channelArn,
        String account,
        String region,
        long startTime,
        Long endTime,
        String node,
        long heartbeat,
        boolean stopRequested,
        boolean hasError,
        String doc) {

    public boolean live() {
        return endTime == null;
    }
}
