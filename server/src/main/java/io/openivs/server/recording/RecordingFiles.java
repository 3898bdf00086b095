package io.openivs.server.recording;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Names and documents of a recording, as IVS auto-record writes them: the IVS User Guide's "IVS Auto-Record to
 * Amazon S3" (S3 prefix, recording contents, JSON metadata files) and the recording events of "Using Amazon
 * EventBridge with IVS".
 */
final class RecordingFiles {
    static final String HLS = "media/hls";
    static final String THUMBNAILS = "media/thumbnails";
    static final String LATEST_THUMBNAIL = "media/latest_thumbnail/thumb.jpg";
    static final String RECORDING_STATE_CHANGE = "IVS Recording State Change";

    private RecordingFiles() {}

    /** {@code ivs/v1/<account>/<channelId>/<y>/<m>/<d>/<h>/<mm>/<recordingId>}: UTC, no zero padding, no trailing slash. */
    static String prefix(String channelArn, Instant start, String recordingId) {
        Arn arn = Arn.parse(channelArn);
        ZonedDateTime t = start.atZone(ZoneOffset.UTC);
        return "ivs/v1/" + arn.account() + "/" + arn.id() + "/" + t.getYear() + "/" + t.getMonthValue() + "/"
                + t.getDayOfMonth() + "/" + t.getHour() + "/" + t.getMinute() + "/" + recordingId;
    }

    /** What the thumbnail part of a recording configuration asks for. */
    record ThumbnailPlan(boolean interval, long intervalTicks, String resolution, boolean sequential, boolean latest) {
        static ThumbnailPlan of(ObjectNode config) {
            ObjectNode t = config.path("thumbnailConfiguration") instanceof ObjectNode o ? o : Json.object();
            boolean interval = !"DISABLED".equals(t.path("recordingMode").asText("INTERVAL"));
            long seconds = Math.max(1, t.path("targetIntervalSeconds").asLong(60));
            boolean sequential = false;
            boolean latest = false;
            if (t.path("storage").isArray()) {
                for (var s : t.path("storage")) {
                    sequential |= "SEQUENTIAL".equals(s.asText());
                    latest |= "LATEST".equals(s.asText());
                }
            } else {
                sequential = true;
            }
            String resolution = t.hasNonNull("resolution") ? t.get("resolution").asText() : null;
            return new ThumbnailPlan(
                    interval && (sequential || latest), seconds * 90_000, resolution, sequential, latest);
        }
    }

    /**
     * recording-started.json, recording-ended.json or recording-failed.json.
     *
     * @param status RECORDING_STARTED, RECORDING_ENDED or RECORDING_ENDED_WITH_FAILURE
     * @param endedAt    null for the started file
     * @param renditions the recorded renditions, in the order of the master playlist
     * @param thumbOf    what thumbnails are made of (the source), or null before any media
     */
    static ObjectNode metadata(
            String status,
            String channelArn,
            Instant startedAt,
            Instant endedAt,
            java.util.List<Rendition> renditions,
            Rendition thumbOf,
            ThumbnailPlan thumbs,
            int thumbWidth,
            int thumbHeight,
            long durationMs,
            String failure) {
        ObjectNode d = Json.object();
        d.put("version", "v1");
        d.put("recording_started_at", rfc3339(startedAt));
        if (endedAt != null) {
            d.put("recording_ended_at", rfc3339(endedAt));
        }
        d.put("channel_arn", channelArn);
        d.put("recording_status", status);
        if (failure != null) {
            d.put("recording_status_message", failure);
        }
        ObjectNode media = d.putObject("media");
        ObjectNode hls = media.putObject("hls");
        if (endedAt != null) {
            hls.put("duration_ms", durationMs);
        }
        hls.put("path", HLS);
        hls.put("playlist", "master.m3u8");
        hls.put("byte_range_playlist", "byte-range-multivariant.m3u8");
        var list = hls.putArray("renditions");
        for (Rendition r : renditions) {
            ObjectNode rendition = list.addObject();
            rendition.put("path", r.name());
            rendition.put("playlist", "playlist.m3u8");
            rendition.put("byte_range_playlist", "byte-range-variant.m3u8");
            if (r.hasVideo()) {
                rendition.put("resolution_width", r.width());
                rendition.put("resolution_height", r.height());
            }
        }
        if (thumbs.interval() && thumbOf != null && thumbOf.hasVideo()) {
            ObjectNode t = media.putObject("thumbnails");
            t.put("path", THUMBNAILS);
            t.put("resolution_width", thumbWidth);
            t.put("resolution_height", thumbHeight);
            if (thumbs.latest()) {
                ObjectNode l = media.putObject("latest_thumbnail");
                l.put("path", LATEST_THUMBNAIL);
                l.put("resolution_width", thumbWidth);
                l.put("resolution_height", thumbHeight);
            }
        }
        return d;
    }

    /**
     * An "IVS Recording State Change" event: {@code recording_status} instead of event_name.
     *
     * @param streamIds only on Recording End (recording_session_stream_ids), else null
     */
    static IvsEvent event(
            String status,
            String reason,
            String channelArn,
            String channelName,
            String streamId,
            String bucket,
            String prefix,
            long durationMs,
            String sessionId,
            List<String> streamIds,
            Instant time) {
        Arn arn = Arn.parse(channelArn);
        ObjectNode d = Json.object();
        d.put("channel_name", channelName);
        d.put("stream_id", streamId);
        d.put("recording_status", status);
        d.put("recording_status_reason", reason == null ? "" : reason);
        d.put("recording_s3_bucket_name", bucket);
        d.put("recording_s3_key_prefix", prefix);
        d.put("recording_duration_ms", durationMs);
        d.put("recording_session_id", sessionId);
        if (streamIds != null) {
            streamIds.forEach(d.putArray("recording_session_stream_ids")::add);
        }
        return new IvsEvent(
                UUID.randomUUID().toString(),
                RECORDING_STATE_CHANGE,
                arn.account(),
                arn.region(),
                time,
                List.of(channelArn),
                d);
    }

    private static String rfc3339(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
