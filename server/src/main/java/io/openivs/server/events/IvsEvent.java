package io.openivs.server.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.resource.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * One event in Amazon EventBridge's envelope, as IVS sends them
 * (User Guide, "Using Amazon EventBridge with IVS"): {@code detail-type} such as "IVS Stream State Change",
 * {@code source} "aws.ivs", the channel ARN in {@code resources}.
 */
public record IvsEvent(
        String id,
        String detailType,
        String account,
        String region,
        Instant time,
        List<String> resources,
        ObjectNode detail) {

    public static final String STREAM_STATE_CHANGE = "IVS Stream State Change";
    public static final String AD_BREAK_STATE_CHANGE = "IVS Ad Break State Change";

    /** A stream state event: detail {event_name, channel_name, stream_id} plus extra fields. */
    public static IvsEvent streamState(
            String eventName,
            String account,
            String region,
            String channelArn,
            String channelName,
            String streamId,
            Instant time) {
        ObjectNode d = Json.object();
        d.put("event_name", eventName);
        d.put("channel_name", channelName);
        d.put("stream_id", streamId);
        return new IvsEvent(
                UUID.randomUUID().toString(), STREAM_STATE_CHANGE, account, region, time, List.of(channelArn), d);
    }

    /** An "Ad Break Inserted" event (§11.5); {@code targetStart} is when the break should begin. */
    public static IvsEvent adBreakInserted(
            String account,
            String region,
            String channelArn,
            String channelName,
            String streamId,
            String adBreakId,
            int durationSeconds,
            Instant targetStart,
            Instant time) {
        ObjectNode d = Json.object();
        d.put("event_name", "Ad Break Inserted");
        d.put("channel_name", channelName);
        d.put("stream_id", streamId);
        d.put("ad_break_id", adBreakId);
        d.put("duration_seconds", durationSeconds);
        d.put("target_start_time", targetStart.toString());
        return new IvsEvent(
                UUID.randomUUID().toString(), AD_BREAK_STATE_CHANGE, account, region, time, List.of(channelArn), d);
    }

    public static final String LIMIT_BREACH = "IVS Limit Breach";

    /**
     * A per-stream limit breach ("IVS Limit Breach" in the same guide): detail {limit_name, limit_value, exceeded_by,
     * limit_unit, channel_name, stream_id}; {@code exceeded_by} is the observed value minus the limit.
     */
    public static IvsEvent limitBreach(
            String limitName,
            long limitValue,
            long exceededBy,
            String unit,
            String account,
            String region,
            String channelArn,
            String channelName,
            String streamId,
            Instant time) {
        ObjectNode d = Json.object();
        d.put("limit_name", limitName);
        d.put("limit_value", limitValue);
        d.put("exceeded_by", exceededBy);
        d.put("limit_unit", unit);
        d.put("channel_name", channelName);
        d.put("stream_id", streamId);
        return new IvsEvent(UUID.randomUUID().toString(), LIMIT_BREACH, account, region, time, List.of(channelArn), d);
    }

    /** {@code event_name}, or {@code recording_status} for recording events, which have no event_name. */
    public String eventName() {
        return detail.has("event_name")
                ? detail.path("event_name").asText()
                : detail.path("recording_status").asText();
    }

    /** The envelope as one JSON object; {@code time} at second precision as EventBridge writes it. */
    public ObjectNode envelope() {
        ObjectNode e = Json.object();
        e.put("version", "0");
        e.put("id", id);
        e.put("detail-type", detailType);
        e.put("source", "aws.ivs");
        e.put("account", account);
        e.put("time", time.truncatedTo(ChronoUnit.SECONDS).toString());
        e.put("region", region);
        resources.forEach(e.putArray("resources")::add);
        e.set("detail", detail);
        return e;
    }
}
